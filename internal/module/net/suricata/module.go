// Package suricata reads Suricata's eve.json of a phone's traffic (as
// PiRogue, SpyGuard and TinyCheck run it): DNS queries and answers (eve's
// formats 2 and 3), TLS and QUIC server names with certificate
// fingerprints and JA3/JA4, HTTP hosts and links, flows with their totals,
// and alerts, whose signatures (Emerging Threats, Echap's stalkerware rules)
// become findings of their own.
//
// One eve.json is one traffic: its answers count for its flows, and its
// tls, http and quic events name its flows through their flow_id.
package suricata

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/net/netfile"
	"github.com/huella-project/huella/internal/source/netcap"
)

// Paths: the eve.json files of the network evidence.
var Paths = []string{netcap.DirSuricata + "/**"}

// Def is the net.suricata module.
func Def() module.Def {
	return module.Network("net.suricata", "Suricata eve.json: alerts, DNS lookups, TLS and QUIC server names and certificates, HTTP hosts and links, and the flows of the phone's traffic.").
		With(Paths, netfile.Each("no Suricata eve.json", parse, eveLog.End))
}

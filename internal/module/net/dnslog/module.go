// Package dnslog reads the query logs of DNS resolvers a phone used:
// Pi-hole's pihole.log and dnsmasq's log-queries lines, AdGuard Home's
// querylog.json, and NextDNS's CSV export of its query log. Helplines set
// these resolvers on a phone (or a home network) precisely to see where it
// connects; a resolver log holds the names the phone looked up, with times
// and often the answers, even when nothing was captured.
//
// A resolver log has lookups only: the rules about names apply (indicator
// domains, dynamic DNS, throwaway endings), those about connections do not.
package dnslog

import (
	"context"
	"errors"
	"io"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/net/netfile"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/source/netcap"
)

// Paths: the resolver logs of the network evidence.
var Paths = []string{netcap.DirDNS + "/**"}

// Def is the net.dns_log module.
func Def() module.Def {
	return module.Network("net.dns_log", "DNS resolver logs (Pi-hole or dnsmasq, AdGuard Home, NextDNS): the names the phone looked up, when, and what they pointed to.").
		With(Paths, netfile.Each("no DNS resolver log", parse, resolverLog.End))
}

// resolverLog names what a resolver log holds in its warnings and gaps.
var resolverLog = netfile.Log{Entries: "entries", Lines: "lines", None: "none of its %d lines could be read"}

// parse reads a resolver log in the format its first bytes show.
func parse(ctx context.Context, env *module.Env, name string, r io.Reader, agg *netflow.Aggregator) (netfile.Tally, error) {
	head := make([]byte, netcap.HeadSize)
	hn, _ := io.ReadFull(r, head)
	var read netfile.Parser[netfile.Tally]
	switch netcap.Sniff(head[:hn]) {
	case netcap.Dnsmasq:
		read = readDnsmasq
	case netcap.AdGuard:
		read = readAdGuard
	case netcap.NextDNS:
		read = readNextDNS
	default:
		return netfile.Tally{}, errors.New("not a resolver log huella reads")
	}
	return read(ctx, env, name, io.MultiReader(bytesReader(head[:hn]), r), agg)
}

// Package capture reads packet captures (pcap and pcapng, as tcpdump,
// Wireshark, PiRogue and PCAPdroid write them): the DNS lookups and
// answers, the server names of TLS ClientHellos, the hosts and links of
// plain HTTP requests, and every internet endpoint the phone talked to,
// with times. A capture shows what the phone contacted even when spyware
// cleaned the phone itself.
//
// It streams the file once, in bounded memory whatever its size: packets
// become observations of internal/netflow, which keeps one record per
// distinct (name, address, port) and per DNS name, never one per packet.
package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/net/netfile"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/source/netcap"
)

// Paths: every capture of the network evidence (see internal/source/netcap).
var Paths = []string{netcap.DirCapture + "/**"}

// Def is the net.capture module.
func Def() module.Def {
	return module.Network("net.capture", "Packet captures (pcap, pcapng): DNS lookups and answers, TLS server names, HTTP hosts and links, and the internet addresses the phone contacted.").
		With(Paths, netfile.Each("no pcap or pcapng capture", parse, ended))
}

// parse reads one capture: one aggregation, since the "no DNS answer"
// rule looks for answers in the same capture.
func parse(ctx context.Context, _ *module.Env, name string, r io.Reader, agg *netflow.Aggregator) (Stats, error) {
	return readCapture(ctx, r, name, agg)
}

// ended reports how a capture's reading ended: a capture cut while it was
// being written is read, not damaged.
func ended(ctx context.Context, env *module.Env, name string, st Stats, err error) error {
	if st.Skipped > 0 {
		env.Warn("%s: %d packets of a link type huella does not decode (%s) were skipped", name, st.Skipped, strings.Join(st.LinkTypes, ", "))
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return err
	case st.Packets == 0:
		env.Unreadable(name, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		// A capture stopped while it was being written ends in the middle
		// of a packet: everything before it was read.
		env.Warn("%s: the capture ends in the middle of a packet (it was cut while being written); the %d packets before were read", name, st.Packets)
		return nil
	default:
		// The packets before the damage were read; the rest of the file
		// was not checked.
		env.Warn("%s: read %d packets, then: %v", name, st.Packets, err)
		env.Unreadable(name, fmt.Errorf("the capture is damaged after %d packets, the rest was not read: %w", st.Packets, err))
	}
	return err
}

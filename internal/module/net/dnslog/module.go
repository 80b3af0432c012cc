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
	"fmt"
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
		With(Paths, netfile.Each("no DNS resolver log", readFile))
}

// parser reads one log format into the aggregation; it returns the
// entries read and those that could not be.
type parser func(ctx context.Context, env *module.Env, name string, r io.Reader, agg *netflow.Aggregator) (n, bad int, err error)

func readFile(ctx context.Context, env *module.Env, name string) error {
	r, err := netfile.Open(env, name)
	if err != nil {
		return err
	}
	defer r.Close()
	head := make([]byte, netcap.HeadSize)
	hn, _ := io.ReadFull(r, head)
	var parse parser
	switch netcap.Sniff(head[:hn]) {
	case netcap.Dnsmasq:
		parse = readDnsmasq
	case netcap.AdGuard:
		parse = readAdGuard
	case netcap.NextDNS:
		parse = readNextDNS
	default:
		err := fmt.Errorf("not a resolver log huella reads")
		env.Unreadable(name, err)
		return err
	}
	agg := netflow.New(netflow.DefaultLimits, env)
	n, bad, err := parse(ctx, env, name, io.MultiReader(bytesReader(head[:hn]), r), agg)
	agg.Close()
	if bad > 0 {
		env.Warn("%s: %d lines could not be read", name, bad)
	}
	switch {
	case err != nil:
		return netfile.Stopped(ctx, env, name, n, "entries", err)
	case n == 0 && bad > 0:
		env.Unreadable(name, fmt.Errorf("none of its %d lines could be read", bad))
	}
	return err
}

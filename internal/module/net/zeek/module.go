// Package zeek reads Zeek's logs of a phone's traffic: dns.log (lookups
// and answers), conn.log (every connection, with its totals), ssl.log (TLS
// server names, certificate fingerprints, JA3/JA4 when a Zeek package logs
// them), http.log (hosts and links) and quic.log, as tab-separated text with
// #fields headers (Zeek's default) or JSON lines, gzip-compressed or not.
//
// The logs of one folder are one traffic: names and answers of dns.log
// count for the connections of conn.log beside it, and ssl.log and http.log
// name conn.log's connections through their uid.
package zeek

import (
	"context"
	"path"
	"sort"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/source/netcap"
)

// Paths: the Zeek logs of the network evidence.
var Paths = []string{netcap.DirZeek + "/**"}

// Def is the net.zeek module.
func Def() module.Def {
	return module.Network("net.zeek", "Zeek logs (dns, conn, ssl, http, quic; TSV or JSON): DNS lookups, the connections the phone made, TLS server names and certificates, HTTP hosts and links.").
		Reads(Paths, run)
}

func run(ctx context.Context, env *module.Env) error {
	files := env.Find(Paths...)
	if len(files) == 0 {
		return module.Absent("no Zeek log")
	}
	groups := map[string][]string{}
	var dirs []string
	for _, f := range files {
		d := path.Dir(f)
		if _, ok := groups[d]; !ok {
			dirs = append(dirs, d)
		}
		groups[d] = append(groups[d], f)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		if err := readGroup(ctx, env, groups[d]); err != nil {
			return err
		}
	}
	return nil
}

// logFile is one log of a group, with the kind its header or name says.
type logFile struct {
	name string
	kind string // dns, conn, ssl, http, quic, or another Zeek log
}

// order is the order a group is read in: lookups first (their answers
// decide the "no DNS answer" rule), then the logs that name connections,
// then the connections.
var order = map[string]int{"dns": 0, "ssl": 1, "http": 1, "quic": 1, "conn": 2}

func readGroup(ctx context.Context, env *module.Env, names []string) error {
	var logs []logFile
	for _, n := range names {
		k, err := kindOf(env, n)
		if err != nil {
			env.Unreadable(n, err)
			continue
		}
		if _, ok := order[k]; !ok {
			// x509, files, weird, notice...: what they hold is in the
			// logs above or says nothing about where the phone went.
			continue
		}
		logs = append(logs, logFile{name: n, kind: k})
	}
	sort.SliceStable(logs, func(i, j int) bool { return order[logs[i].kind] < order[logs[j].kind] })
	agg := netflow.New(netflow.DefaultLimits, env)
	join := netflow.NewJoiner(agg, netflow.DefaultJoinNames)
	defer agg.Close()
	defer join.Close()
	for _, l := range logs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := readLog(ctx, env, l, agg, join); err != nil && ctx.Err() != nil {
			return err
		}
	}
	return nil
}

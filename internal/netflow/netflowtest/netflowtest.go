// Package netflowtest holds the invariants every record of network
// evidence keeps, whatever bytes it was read from, for the tests and fuzz
// targets of the net.* modules.
package netflowtest

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/timestamp"
)

// maxList is the most values a record keeps per list (netflow's
// Limits.PerRecord, under every limit a module sets).
var maxList = netflow.DefaultLimits.PerRecord

// CheckRecords fails t unless every record has a bounded summary, domain
// observables that are host names, address observables that parse, valid
// time stamps (or raw times kept apart), and bounded lists.
func CheckRecords(t testing.TB, recs []*model.Record) {
	t.Helper()
	for _, r := range recs {
		if r.Summary == "" || len(r.Summary) > 8<<10 {
			t.Fatalf("summary of %d bytes", len(r.Summary))
		}
		if len(r.Observables) > 200 || len(r.RawTimes) > 16 || len(r.Times) > 2 {
			t.Fatalf("%s: %d observables, %d raw times, %d stamps", r.Summary, len(r.Observables), len(r.RawTimes), len(r.Times))
		}
		for _, o := range r.Observables {
			switch o.Kind {
			case model.KindDomain:
				if h, ok := netflow.Host(o.Value); !ok || h != o.Value || h == "" {
					t.Fatalf("domain observable %q is not a host name", o.Value)
				}
			case model.KindIP:
				if _, err := netip.ParseAddr(o.Value); err != nil {
					t.Fatalf("ip observable %q", o.Value)
				}
			case model.KindJA3:
				if len(o.Value) != 32 || strings.Trim(o.Value, "0123456789abcdef") != "" {
					t.Fatalf("ja3 observable %q", o.Value)
				}
			}
		}
		for _, st := range r.Times {
			if err := timestamp.Check(st.Time); err != nil {
				t.Fatalf("stamp %s: %v", st.Time, err)
			}
		}
		switch d := r.Data.(type) {
		case *netflow.Connection:
			if _, err := netip.ParseAddr(d.IP); err != nil || d.Proto != "tcp" && d.Proto != "udp" || d.Connections < 0 || d.Packets < 0 {
				t.Fatalf("connection %+v", d)
			}
			if len(d.URLs) > maxList || len(d.CertSHA256) > maxList || len(d.Clients) > maxList || len(d.JA3) > maxList {
				t.Fatalf("connection lists over %d: %+v", maxList, d)
			}
		case *netflow.Lookup:
			if d.Name == "" || len(d.Answers) > maxList || len(d.Clients) > maxList || d.Count < 1 {
				t.Fatalf("lookup %+v", d)
			}
		case *netflow.Alert:
		default:
			t.Fatalf("record data %T", r.Data)
		}
	}
}

package appprivacy

import (
	"bytes"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/timestamp"
)

// FuzzReader feeds arbitrary bytes to the report reader. Invariants: no
// panic; at most one record per non-blank line, and never more than
// maxRecords; every domain or IP observable is a valid host (a domain
// that is not one is counted and reported instead); every time is in the
// plausible range or kept raw; every value is cut to maxField.
func FuzzReader(f *testing.F) {
	for _, s := range []string{netApp, netSite + "\n" + netIP, accBegin + "\n" + accEnd, betaAccess, netLAN + "\n\n" + netLAN,
		`{"type":"networkActivity","domain":"a..b","hits":1e400}`, `{"type":"access","kind":"intervalEnd","identifier":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader()
		isReport, _ := rd.Add("f.ndjson", bytes.NewReader(data))
		lines := bytes.Count(data, []byte("\n")) + 1
		if n := rd.Records(); n > lines || n > maxRecords {
			t.Fatalf("%d records from %d lines", n, lines)
		}
		if !isReport && rd.Records() > 0 {
			t.Fatal("records from a file that is no report")
		}
		bad := 0
		for i := range rd.Networks {
			n := &rd.Networks[i]
			if !n.ValidHost {
				bad++
			}
			if len(n.Domain) > maxField+3 || len(n.App) > maxField+3 {
				t.Fatalf("value not cut: %d bytes", len(n.Domain))
			}
			checkRecord(t, n.record())
		}
		if bad != rd.BadHosts {
			t.Fatalf("%d invalid hosts, %d reported", bad, rd.BadHosts)
		}
		for i := range rd.Accesses {
			checkRecord(t, rd.Accesses[i].record())
		}
	})
}

func checkRecord(t *testing.T, r *model.Record) {
	t.Helper()
	for _, o := range r.Observables {
		if (o.Kind == model.KindDomain || o.Kind == model.KindIP) && !ValidHost(o.Value) {
			t.Fatalf("observable %q is no host", o.Value)
		}
	}
	for _, s := range r.Times {
		if !timestamp.InRange(s.Time) {
			t.Fatalf("time %v out of range", s.Time)
		}
	}
}

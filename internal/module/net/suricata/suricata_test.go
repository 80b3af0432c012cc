package suricata

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/netflow/netflowtest"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
)

func eve(t testing.TB, seed int64, plant bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := samplegen.PhoneTraffic(seed, plant).WriteEve(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func runEve(t testing.TB, data string) (*moduletest.Sink, error) {
	return moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.Network, map[string]string{"suricata/eve.json": data}))
}

// eve.json's events of one flow become one connection (tls, http and
// flow joined by flow_id), DNS answers count for the connections, alerts
// are records of their own and judged by net.suricata.alert, and the
// server certificate's SHA-1 and the JA3/JA4 fingerprints are kept.
func TestSuricata(t *testing.T) {
	s, err := runEve(t, eve(t, 7, true))
	if err != nil {
		t.Fatal(err)
	}
	conns := map[string]*netflow.Connection{}
	var alert *netflow.Alert
	for _, r := range s.Records {
		switch d := r.Data.(type) {
		case *netflow.Connection:
			conns[fmt.Sprintf("%s:%d/%s", d.IP, d.Port, d.Proto)] = d
			if d.Host == samplegen.PlantedDomain && !moduletest.Has(r, model.KindTLSCertSHA1, samplegen.PlantedCertSHA1) {
				t.Errorf("certificate observable missing: %+v", r.Observables)
			}
		case *netflow.Alert:
			alert = d
		}
	}
	planted := conns["203.0.113.66:443/tcp"]
	if planted == nil || planted.Host != samplegen.PlantedDomain || planted.Connections != 1 || planted.Packets != 12 ||
		!slices.Equal(planted.CertSHA1, []string{samplegen.PlantedCertSHA1}) || len(planted.JA3) != 1 || len(planted.JA4) != 1 {
		t.Fatalf("planted connection %+v", planted)
	}
	if c := conns["17.253.119.201:80/tcp"]; c == nil || !slices.Equal(c.URLs, []string{"http://captive.apple.com/hotspot-detect.html"}) {
		t.Errorf("HTTP connection %+v", c)
	}
	if alert == nil || alert.SID != samplegen.PlantedSuricataSID || alert.Dst != "203.0.113.66" || alert.DstPort != 443 || alert.Count != 1 {
		t.Errorf("alert %+v", alert)
	}
	netflowtest.CheckRecords(t, s.Records)
	got := s.Rules()
	sort.Strings(got)
	want := []string{"net.dns.encrypted_known", "net.domain.dynamic_dns", "net.ip.no_dns", "net.port.unusual", "net.suricata.alert"}
	if !slices.Equal(got, want) {
		t.Errorf("rules %v, want %v", got, want)
	}
	for _, d := range s.Detections {
		if d.Rule == "net.suricata.alert" && d.Severity != model.High {
			t.Errorf("a trojan-class alert is %s", d.Severity)
		}
	}
	if len(s.Warnings) > 0 {
		t.Errorf("warnings %v", s.Warnings)
	}
	s, err = runEve(t, eve(t, 7, false))
	if err != nil || !slices.Equal(s.Rules(), []string{"net.dns.encrypted_known"}) {
		t.Errorf("clean twin: %v %v", s.Rules(), err)
	}
}

// Lines that are no event are counted; eve's DNS format 3 (queries and
// answers in lists) reads like format 2; a file of no event at all is
// unreadable.
func TestSuricataLines(t *testing.T) {
	v3 := `{"timestamp":"2024-02-20T03:00:01.000000+0000","event_type":"dns","src_ip":"192.168.1.1","src_port":53,"dest_ip":"192.168.1.23","dest_port":53001,"proto":"UDP",` +
		`"dns":{"version":3,"type":"response","queries":[{"rrname":"v3.example.org","rrtype":"A"}],"answers":[{"rrname":"v3.example.org","rrtype":"A","rdata":"203.0.113.8"}],"rcode":"NOERROR"}}`
	tests := []struct {
		name, data string
		lookups    int
		warning    string
	}{
		{"format 3 answer", v3 + "\n", 1, ""},
		{"a damaged line", v3 + "\n{\"timestamp\":\n", 1, "1 lines could not be read"},
		{"stats only", `{"timestamp":"2024-02-20T03:00:01.000000+0000","event_type":"stats","stats":{}}` + "\n", 0, ""},
		{"no event", "not json\nnor this\n", 0, "none of its 2 lines is an eve.json event"},
	}
	for _, tt := range tests {
		s, err := runEve(t, tt.data)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		n := 0
		for _, r := range s.Records {
			if l, ok := r.Data.(*netflow.Lookup); ok {
				n++
				if l.Name != "v3.example.org" || !slices.Equal(l.Answers, []string{"203.0.113.8"}) {
					t.Errorf("%s: lookup %+v", tt.name, l)
				}
			}
		}
		w := strings.Join(s.Warnings, "\n")
		if n != tt.lookups || tt.warning == "" && w != "" || !strings.Contains(w, tt.warning) {
			t.Errorf("%s: %d lookups, warnings %q", tt.name, n, w)
		}
	}
}

// FuzzEve reads arbitrary eve.json: never a panic, never an error but
// absence, records within the invariants, at most one per event line
// (two for a DNS event of format 3, whose queries and answers are lists,
// bounded by the record limit).
func FuzzEve(f *testing.F) {
	lines := strings.SplitAfter(eve(f, 1, true), "\n")
	for _, typ := range []string{`"dns"`, `"tls"`, `"http"`, `"flow"`, `"alert"`} {
		for _, l := range lines {
			if strings.Contains(l, `"event_type":`+typ) {
				f.Add([]byte(l))
				break
			}
		}
	}
	f.Add([]byte(`{"event_type":"dns","dns":{"version":3,"type":"response","queries":[{"rrname":"a.example"}],"answers":"x","grouped":{"A":["1.2.3.4"]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := runEve(t, string(data))
		if err != nil && !errors.Is(err, module.ErrAbsent) {
			t.Fatal(err)
		}
		if n := 64 * (bytes.Count(data, []byte("\n")) + 1); len(s.Records) > n {
			t.Fatalf("%d records from %d bytes", len(s.Records), len(data))
		}
		netflowtest.CheckRecords(t, s.Records)
	})
}

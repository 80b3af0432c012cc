package zeek

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/netflow/netflowtest"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
)

// writeLogs writes the generated traffic's Zeek logs under zeek/phone of
// a new evidence folder.
func writeLogs(t testing.TB, seed int64, plant, asJSON bool) string {
	t.Helper()
	root := t.TempDir()
	if err := samplegen.PhoneTraffic(seed, plant).WriteZeek(filepath.Join(root, "zeek", "phone"), asJSON); err != nil {
		t.Fatal(err)
	}
	return root
}

func connections(s *moduletest.Sink) map[string]*netflow.Connection {
	out := map[string]*netflow.Connection{}
	for _, r := range s.Records {
		if c, ok := r.Data.(*netflow.Connection); ok {
			out[fmt.Sprintf("%s:%d/%s", c.IP, c.Port, c.Proto)] = c
		}
	}
	return out
}

func sortedRules(s *moduletest.Sink) []string {
	got := s.Rules()
	sort.Strings(got)
	return got
}

// TSV and JSON logs of the same traffic give the same records: ssl.log
// and http.log name conn.log's connections through their uid, dns.log's
// answers count for them, the planted traces are found, and the clean twin
// only says that DNS went encrypted.
func TestZeek(t *testing.T) {
	var summaries [2][]string
	for i, asJSON := range []bool{false, true} {
		s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.Network, writeLogs(t, 7, true, asJSON)))
		conns := connections(s)
		planted := conns["203.0.113.66:443/tcp"]
		if planted == nil || planted.Host != samplegen.PlantedDomain || planted.HostFrom != "tls" || planted.Connections != 1 ||
			!planted.First.Equal(samplegen.NetStart.Add(14*time.Minute+40*time.Millisecond)) || !slices.Equal(planted.CertSHA256, []string{samplegen.PlantedCertSHA256}) {
			t.Fatalf("json %v: planted connection %+v", asJSON, planted)
		}
		captive := conns["17.253.119.201:80/tcp"]
		if captive == nil || captive.Host != "captive.apple.com" || !slices.Equal(captive.URLs, []string{"http://captive.apple.com/hotspot-detect.html"}) {
			t.Errorf("json %v: HTTP connection %+v", asJSON, captive)
		}
		if c := conns["2a00:1450:4003:80f::200a:443/tcp"]; c == nil || c.Host != "play.googleapis.com" {
			t.Errorf("json %v: IPv6 connection %+v", asJSON, c)
		}
		for _, r := range s.Records {
			summaries[i] = append(summaries[i], r.Summary)
			if c, ok := r.Data.(*netflow.Connection); ok && c.Host == samplegen.PlantedDomain &&
				!moduletest.Has(r, model.KindTLSCertSHA256, samplegen.PlantedCertSHA256) {
				t.Errorf("the planted certificate is no observable: %+v", r.Observables)
			}
			if l, ok := r.Data.(*netflow.Lookup); ok && l.Name == samplegen.PlantedDomain && !slices.Equal(l.Answers, []string{"203.0.113.66"}) {
				t.Errorf("lookup %+v", l)
			}
		}
		netflowtest.CheckRecords(t, s.Records)
		want := []string{"net.dns.encrypted_known", "net.domain.dynamic_dns", "net.ip.no_dns", "net.port.unusual"}
		if got := sortedRules(s); !slices.Equal(got, want) {
			t.Errorf("json %v: rules %v, want %v", asJSON, got, want)
		}
		if len(s.Warnings) > 0 {
			t.Errorf("json %v: warnings %v", asJSON, s.Warnings)
		}
		s = moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.Network, writeLogs(t, 7, false, asJSON)))
		if got := s.Rules(); !slices.Equal(got, []string{"net.dns.encrypted_known"}) {
			t.Errorf("json %v: clean twin %v", asJSON, got)
		}
	}
	sort.Strings(summaries[0])
	sort.Strings(summaries[1])
	if !slices.Equal(summaries[0], summaries[1]) {
		t.Errorf("TSV and JSON differ:\n%s\n---\n%s", strings.Join(summaries[0], "\n"), strings.Join(summaries[1], "\n"))
	}
}

// Compressed logs (Zeek's rotated dns.2024-02-20.log.gz) read the same;
// other Zeek logs (x509, weird) are passed over; a line that is no entry
// is counted in a warning; a log with no entry at all is unreadable.
func TestZeekFiles(t *testing.T) {
	root := writeLogs(t, 3, true, false)
	dir := filepath.Join(root, "zeek", "phone")
	plain := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.Network, root))
	for _, name := range []string{"dns", "conn"} {
		b, err := os.ReadFile(filepath.Join(dir, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(b)
		zw.Close()
		os.Remove(filepath.Join(dir, name+".log"))
		moduletest.File(t, root, filepath.Join("zeek", "phone", name+".2024-02-20.log.gz"), gz.Bytes())
	}
	moduletest.File(t, root, "zeek/phone/weird.log", []byte("#separator \\x09\n#path\tweird\n#fields\tts\tname\n1708398000.0\tbad_TCP_checksum\n"))
	s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.Network, root))
	if len(s.Records) != len(plain.Records) || len(s.Warnings) > 0 || !slices.Equal(sortedRules(s), sortedRules(plain)) {
		t.Errorf("gzip: %d records, rules %v, warnings %v; plain: %d records", len(s.Records), s.Rules(), s.Warnings, len(plain.Records))
	}

	tests := []struct {
		name, log string
		records   int
		warning   string
	}{
		{"a damaged line", "#separator \\x09\n#path\tdns\n#fields\tts\tquery\tanswers\n1708398000.5\ta.example\t203.0.113.5\nnot\x00a line\n1708398001.5\tb.example\t-\n",
			2, "1 entries could not be read"},
		{"JSON without a header", `{"ts":1708398000.5,"query":"a.example","answers":["203.0.113.5"]}` + "\n", 1, ""},
		{"no entry", "#separator \\x09\n#path\tdns\n#fields\tts\tquery\nx\ny\n", 0, "none of its 2 entries could be read"},
		{"not a Zeek log", "hello\n", 0, "none of its 1 entries could be read"},
		{"not a Zeek log by its name", "hello\n", 0, "not a Zeek log"},
	}
	for _, tt := range tests {
		name := "zeek/x/dns.log"
		if strings.HasSuffix(tt.name, "by its name") {
			name = "zeek/x/notes.txt"
		}
		s, err := moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.Network, map[string]string{name: tt.log}))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		w := strings.Join(s.Warnings, "\n")
		if len(s.Records) != tt.records || tt.warning == "" && w != "" || !strings.Contains(w, tt.warning) {
			t.Errorf("%s: %d records, warnings %q", tt.name, len(s.Records), w)
		}
		netflowtest.CheckRecords(t, s.Records)
	}
}

// FuzzZeek reads arbitrary dns.log and conn.log: never a panic, never an
// error but absence, every record within the invariants, at most one per
// entry.
func FuzzZeek(f *testing.F) {
	for _, asJSON := range []bool{false, true} {
		dir := filepath.Join(writeLogs(f, 1, true, asJSON), "zeek", "phone")
		dns, _ := os.ReadFile(filepath.Join(dir, "dns.log"))
		conn, _ := os.ReadFile(filepath.Join(dir, "conn.log"))
		f.Add(dns[:min(len(dns), 2000)], conn[:min(len(conn), 2000)])
	}
	f.Add([]byte("#separator \\x09\n#fields\tts\tquery\tanswers\n1e300\t\\x41.example\t,,\n"), []byte(`{"ts":"x","id.resp_h":"::1","proto":"tcp"}`))
	f.Fuzz(func(t *testing.T, dns, conn []byte) {
		s, err := moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.Network,
			map[string]string{"zeek/x/dns.log": string(dns), "zeek/x/conn.log": string(conn)}))
		if err != nil && !errors.Is(err, module.ErrAbsent) {
			t.Fatal(err)
		}
		if lines := bytes.Count(dns, []byte("\n")) + bytes.Count(conn, []byte("\n")) + 2; len(s.Records) > lines {
			t.Fatalf("%d records from %d lines", len(s.Records), lines)
		}
		netflowtest.CheckRecords(t, s.Records)
	})
}

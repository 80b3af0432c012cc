package dnslog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
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
	"github.com/huella-project/huella/internal/testutil"
)

// formats are the resolver logs samplegen writes, by file name.
var formats = []struct {
	file  string
	write func(*samplegen.Traffic, io.Writer) error
}{
	{"pihole.log", (*samplegen.Traffic).WritePihole},
	{"querylog.json", (*samplegen.Traffic).WriteAdGuard},
	{"nextdns.csv", (*samplegen.Traffic).WriteNextDNS},
}

func runLog(t testing.TB, name, data string) (*moduletest.Sink, error) {
	return moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.Network, map[string]string{"dns/" + name: data}))
}

func lookups(s *moduletest.Sink) map[string]*netflow.Lookup {
	out := map[string]*netflow.Lookup{}
	for _, r := range s.Records {
		if l, ok := r.Data.(*netflow.Lookup); ok {
			out[l.Name+"/"+l.Type] = l
		}
	}
	return out
}

// Each resolver's log of the same traffic gives the same lookups, at the
// right times; the planted dynamic-DNS name is found (the indicator domain
// is matched later, by the matcher), and the clean twin is silent.
func TestResolverLogs(t *testing.T) {
	for _, f := range formats {
		for _, plant := range []bool{true, false} {
			tr := samplegen.PhoneTraffic(5, plant)
			var b bytes.Buffer
			if err := f.write(tr, &b); err != nil {
				t.Fatal(err)
			}
			// dnsmasq's dates have no year: the file's date gives it.
			root := t.TempDir()
			p := moduletest.File(t, root, "dns/"+f.file, b.Bytes())
			if err := os.Chtimes(p, tr.End, tr.End); err != nil {
				t.Fatal(err)
			}
			s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.Network, root))
			if err != nil {
				t.Fatalf("%s: %v", f.file, err)
			}
			ls := lookups(s)
			if len(ls) != 16+3*btoi(plant) {
				t.Errorf("%s plant %v: %d distinct lookups", f.file, plant, len(ls))
			}
			apple := ls["www.apple.com/A"]
			if apple == nil || apple.Count != 3 || apple.First.Before(samplegen.NetStart) || apple.Last.After(samplegen.NetStart.Add(30*time.Minute)) {
				t.Errorf("%s: www.apple.com %+v", f.file, apple)
			}
			if f.file != "nextdns.csv" && (apple == nil || !slices.Equal(apple.Answers, []string{"17.253.144.10"})) {
				t.Errorf("%s: answers %+v", f.file, apple)
			}
			netflowtest.CheckRecords(t, s.Records)
			want := []string(nil)
			if plant {
				want = []string{"net.domain.dynamic_dns"}
				if l := ls[samplegen.PlantedDomain+"/A"]; l == nil || l.Count != 1 {
					t.Errorf("%s: planted lookup %+v", f.file, l)
				}
			}
			if got := s.Rules(); !slices.Equal(got, want) {
				t.Errorf("%s plant %v: rules %v, want %v", f.file, plant, got, want)
			}
			for _, w := range s.Warnings {
				if !strings.Contains(w, "no year") {
					t.Errorf("%s: warning %s", f.file, w)
				}
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The lines each log writes beyond plain lookups: Pi-hole's blocked names
// and cached or NXDOMAIN answers, AdGuard's filtered queries, NextDNS's
// blocked status and its export's byte-order mark; damaged lines are
// counted; a file none of whose lines is read is unreadable.
func TestResolverLines(t *testing.T) {
	tests := []struct {
		name, file, data string
		want             map[string]string // name/type -> what the lookup must say
		warning          string
	}{
		{"pihole blocked and cached", "pihole.log",
			"Feb 20 03:00:01 dnsmasq[812]: query[A] ads.example.net from 192.168.1.23\n" +
				"Feb 20 03:00:01 dnsmasq[812]: gravity blocked ads.example.net is 0.0.0.0\n" +
				"Feb 20 03:00:02 dnsmasq[812]: query[AAAA] gone.example.org from 192.168.1.23\n" +
				"Feb 20 03:00:02 dnsmasq[812]: reply gone.example.org is NXDOMAIN\n" +
				"Feb 20 03:00:03 dnsmasq[812]: query[type=65] www.example.com from 192.168.1.23\n" +
				"Feb 20 03:00:03 dnsmasq[812]: cached www.example.com is <HTTPS>\n" +
				"Feb 20 03:00:04 dnsmasq[812]: started, version 2.89 cachesize 10000\n",
			map[string]string{"ads.example.net/A": "blocked", "gone.example.org/AAAA": "NXDOMAIN", "www.example.com/HTTPS": "(HTTPS)"}, "no year"},
		{"pihole damaged line", "pihole.log", "Feb 20 03:00:01 dnsmasq[812]: query[A] a.example from 192.168.1.23\n\x00garbage\n",
			map[string]string{"a.example/A": "lookups: 1"}, "1 lines could not be read"},
		{"adguard filtered", "querylog.json",
			`{"T":"2024-02-20T03:00:01.5Z","QH":"tracker.example","QT":"A","IP":"192.168.1.23","Result":{"IsFiltered":true,"Reason":3}}` + "\n",
			map[string]string{"tracker.example/A": "blocked"}, ""},
		{"nextdns with a byte-order mark", "nextdns.csv",
			"\ufefftimestamp,domain,query_type,protocol,client_ip,status\n2024-02-20T03:00:01.000Z,blocked.example,A,DNS-over-HTTPS,203.0.113.200,blocked\n",
			map[string]string{"blocked.example/A": "blocked"}, ""},
	}
	for _, tt := range tests {
		s, err := runLog(t, tt.file, tt.data)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ls := lookups(s)
		for k, want := range tt.want {
			l := ls[k]
			var summary string
			for _, r := range s.Records {
				if r.Data == any(l) {
					summary = r.Summary
				}
			}
			if l == nil || !strings.Contains(summary, want) {
				t.Errorf("%s: %s: %q (want %q); lookups %v", tt.name, k, summary, want, keys(ls))
			}
		}
		w := strings.Join(s.Warnings, "\n")
		if !strings.Contains(w, tt.warning) {
			t.Errorf("%s: warnings %q", tt.name, w)
		}
		netflowtest.CheckRecords(t, s.Records)
	}
	s, _ := runLog(t, "pihole.log", "Feb 20 03:00:01 dnsmasq[812]: nothing here\n"+strings.Repeat("junk\n", 3))
	if len(s.Records) != 0 || !strings.Contains(strings.Join(s.Warnings, "\n"), "dns/pihole.log: not a resolver log huella reads") {
		t.Errorf("unreadable log: %d records, warnings %v", len(s.Records), s.Warnings)
	}
}

func keys(m map[string]*netflow.Lookup) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// FuzzResolverLog reads arbitrary bytes as a resolver log (whichever
// format they look like): never a panic, never an error but absence,
// records within the invariants, at most one per line.
func FuzzResolverLog(f *testing.F) {
	tr := samplegen.PhoneTraffic(1, true)
	for _, fm := range formats {
		var b bytes.Buffer
		fm.write(tr, &b)
		f.Add(b.Bytes()[:min(b.Len(), 1500)])
	}
	f.Add([]byte("2024-02-20 03:00:01 pi pihole-FTL[9]: reply a.example is 203.0.113.5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := runLog(t, "log", string(data))
		if err != nil && !errors.Is(err, module.ErrAbsent) {
			t.Fatal(err)
		}
		if n := bytes.Count(data, []byte("\n")) + 1; len(s.Records) > n {
			t.Fatalf("%d records from %d lines", len(s.Records), n)
		}
		netflowtest.CheckRecords(t, s.Records)
	})
}

// A resolver log of a phone that looked up each of the 5,000 most popular
// domains (Tranco, ../shared/realdata) and its www. name, through the
// module and the aggregation as a check runs them: nothing to report.
func TestPopularDomainsLog(t *testing.T) {
	domains := testutil.Lines(t, "realdata/tranco-top5000.txt")
	var b strings.Builder
	for i, d := range domains {
		for _, name := range []string{d, "www." + d} {
			at := time.Date(2024, 2, 20, 3, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format("2006-01-02 15:04:05")
			fmt.Fprintf(&b, "%s dnsmasq[812]: query[A] %s from 192.168.1.23\n%s dnsmasq[812]: reply %s is 203.0.113.%d\n", at, name, at, name, i%250+1)
		}
	}
	s, err := runLog(t, "pihole.log", b.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2*len(domains) {
		t.Errorf("%d records for %d names", len(s.Records), 2*len(domains))
	}
	for _, d := range s.Detections {
		t.Errorf("%s %s: %s", d.Severity, d.Rule, d.Reason)
	}
}

// TestImpossibleDateKeptRaw: a lookup dated in year 2999, or in no date
// form at all, keeps the text as the log wrote it, with why it could not be
// placed, and is left off the timeline.
func TestImpossibleDateKeptRaw(t *testing.T) {
	for _, tt := range []struct {
		name, file, data, raw, why string
	}{
		{"adguard year 2999", "querylog.json", `{"T":"2999-01-01T00:00:00Z","QH":"a.example","QT":"A","IP":"192.168.1.23"}` + "\n",
			"2999-01-01T00:00:00Z", "between 1970 and 2099"},
		{"nextdns year 2999", "nextdns.csv", "timestamp,domain,query_type,protocol,client_ip,status\n2999-01-01 00:00:00,a.example,A,DNS,203.0.113.200,\n",
			"2999-01-01 00:00:00", "between 1970 and 2099"},
		{"nextdns no date form", "nextdns.csv", "timestamp,domain,query_type,protocol,client_ip,status\nlast tuesday,a.example,A,DNS,203.0.113.200,\n",
			"last tuesday", "not a date"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := runLog(t, tt.file, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			l := lookups(s)["a.example/A"]
			var r *model.Record
			for _, x := range s.Records {
				if x.Data == any(l) {
					r = x
				}
			}
			if r == nil || len(r.RawTimes) != 1 || r.RawTimes[0].Raw != tt.raw || !strings.Contains(r.RawTimes[0].Why, tt.why) {
				t.Fatalf("record %+v", r)
			}
			moduletest.KeepsRaw(t, r, map[string]string{r.RawTimes[0].Desc: tt.raw})
			if !l.First.IsZero() || !l.Last.IsZero() {
				t.Errorf("lookup dated %v–%v", l.First, l.Last)
			}
		})
	}
}

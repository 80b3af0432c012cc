package logdatastats

import (
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

const textSample = `--- !logd statistics record
time  : 2026-11-19 08:00:00+0000
file  : /private/var/db/diagnostics/Persist/0000000000000001.tracev3
type  : Persist
size  : 10485760
processes:
  - [ 1200, 40.5, /usr/libexec/locationd ]
  - [ 300, 10.0, /usr/sbin/wifid ]
--- !logd statistics record
time  : 2026-11-20 09:00:00+0000
file  : /private/var/db/diagnostics/Persist/0000000000000002.tracev3
type  : Persist
processes:
  - [ 1000, 30.0, /usr/libexec/locationd ]
--- !logd other
  - [ 1, 1.0, /not/counted ]
`

const jsonSample = `{"unixTime": 1795176000, "type": "Special", "file": "/private/var/db/diagnostics/Special/0000000000000003.tracev3", "processList": [{"process": "/private/var/tmp/bh", "count": 3}, {"process": "/usr/libexec/locationd"}]}
not json
`

func TestParse(t *testing.T) {
	var got []Entry
	if err := ParseText(strings.NewReader(textSample), "t", func(e Entry) { got = append(got, e) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Process != "/usr/libexec/locationd" || got[0].Type != "Persist" || got[2].Time.Day() != 20 {
		t.Fatalf("%+v", got)
	}
	got = nil
	bad, err := ParseJSONL(strings.NewReader(jsonSample), "j", func(e Entry) { got = append(got, e) })
	if err != nil || bad != 1 || len(got) != 2 || got[0].Process != "/private/var/tmp/bh" || got[0].Time.Year() != 2026 {
		t.Fatalf("%v %d %+v", err, bad, got)
	}
}

func TestModule(t *testing.T) {
	for _, c := range []struct {
		name      string
		files     map[string]string
		records   int
		detection bool
	}{
		{"clean", map[string]string{"system_logs.logarchive/Extra/logdata.statistics.0.txt": textSample}, 2, false},
		{"planted", map[string]string{"system_logs.logarchive/Extra/logdata.statistics.0.txt": textSample,
			"system_logs.logarchive/Extra/logdata.statistics.1.jsonl": jsonSample}, 3, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, c.files))
			if len(s.Records) != c.records || (len(s.Detections) > 0) != c.detection {
				t.Fatalf("%d records, %v", len(s.Records), s.Rules())
			}
			var loc *Seen
			for _, r := range s.Records {
				if d := r.Data.(*Seen); d.Process == "/usr/libexec/locationd" {
					loc = d
				}
			}
			if loc == nil || loc.First.Day() != 19 || loc.Last.Before(loc.First) {
				t.Errorf("%+v", loc)
			}
		})
	}
}

// TestImpossibleTimeKeptRaw: a statistics record whose time is no
// plausible date (text in year 2999 or in no date form, a Unix number far
// out) gives a process record that keeps each distinct value once, as
// written, and no date.
func TestImpossibleTimeKeptRaw(t *testing.T) {
	text := strings.NewReplacer("2026-11-19 08:00:00+0000", "2999-11-19 08:00:00+0000", "2026-11-20 09:00:00+0000", "someday").Replace(textSample)
	json := strings.Replace(jsonSample, "1795176000", "9e12", 1)
	s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{
		"system_logs.logarchive/Extra/logdata.statistics.0.txt":   text + text,
		"system_logs.logarchive/Extra/logdata.statistics.1.jsonl": json}))
	for _, r := range s.Records {
		d := r.Data.(*Seen)
		if d.Process != "/usr/libexec/locationd" {
			continue
		}
		want := []string{"2999-11-19 08:00:00+0000", "someday", "9e+12"}
		var got []string
		for _, rt := range r.RawTimes {
			got = append(got, rt.Raw)
		}
		if !slices.Equal(got, want) || !d.First.IsZero() || len(r.Times) != 0 {
			t.Errorf("raw times %q, want %q; first %v, stamps %v", got, want, d.First, r.Times)
		}
		moduletest.KeepsRaw(t, r, map[string]string{"log_seen": "2999-11-19 08:00:00+0000"})
		return
	}
	t.Fatal("no record for locationd")
}

func FuzzParse(f *testing.F) {
	f.Add(textSample)
	f.Add(jsonSample)
	f.Fuzz(func(t *testing.T, s string) {
		check := func(e Entry) {
			if e.Process == "" || !strings.Contains(s, e.Process) || (!e.Time.IsZero() && (e.Time.Year() < 1970 || e.Time.Year() > 2100)) {
				t.Fatalf("bad entry %+v", e)
			}
		}
		ParseText(strings.NewReader(s), "f", check)
		ParseJSONL(strings.NewReader(s), "f", func(e Entry) {
			if e.Process == "" || (!e.Time.IsZero() && (e.Time.Year() < 1970 || e.Time.Year() > 2100)) {
				t.Fatalf("bad entry %+v", e)
			}
		})
	})
}

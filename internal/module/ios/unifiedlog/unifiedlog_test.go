package unifiedlog

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/logexport"
)

// Lines as `log show --style ndjson` writes them (fields trimmed).
const appleClean = `{"traceID":1,"eventMessage":"Fetched https://gateway.icloud.com/ckdatabase","eventType":"logEvent","subsystem":"com.apple.cloudkit","category":"net","processImagePath":"/usr/libexec/cloudd","senderImagePath":"/System/Library/PrivateFrameworks/CloudKitDaemon.framework/CloudKitDaemon","processID":80,"timestamp":"2026-11-20 10:30:00.123456-0600","messageType":"Default"}
{"traceID":2,"eventMessage":"location updated","eventType":"logEvent","subsystem":"com.apple.locationd","processImagePath":"/usr/libexec/locationd","senderImagePath":"/usr/libexec/locationd","processID":81,"timestamp":"2026-11-20 10:31:00.000000-0600","messageType":"Info"}
`

// Lines as Mandiant's unifiedlog tool writes them (JSON lines).
const mandiantPlanted = `{"subsystem":"","thread_id":1,"pid":99,"euid":0,"library":"/private/var/db/com.apple.xpc.roleaccountd.staging/bh","library_uuid":"A","activity_id":0,"time":1.7956746e18,"category":"","event_type":"Log","log_type":"Default","process":"/private/var/db/com.apple.xpc.roleaccountd.staging/bh","process_uuid":"A","message":"beacon to https://track-delivery.demospy.example/p/1 ok","raw_message":"beacon to %s ok","boot_uuid":"B","timezone_name":""}
`

func TestParse(t *testing.T) {
	var got []Entry
	n, bad, err := Parse(strings.NewReader(appleClean+"not json\n"+mandiantPlanted), "x", func(e Entry) { got = append(got, e) })
	if err != nil || n != 3 || bad != 1 {
		t.Fatalf("%d %d %v", n, bad, err)
	}
	if got[0].Process != "/usr/libexec/cloudd" || got[0].Time.Hour() != 16 || got[2].Sender != got[2].Process || got[2].Time.Year() != 2026 {
		t.Errorf("%+v", got)
	}
	for _, s := range []string{appleClean, mandiantPlanted} {
		if !logexport.IsUnifiedLog([]byte(s)) {
			t.Errorf("not recognised: %.60s", s)
		}
	}
	if logexport.IsUnifiedLog([]byte(`{"unixTime": 1, "processList": []}`)) {
		t.Error("log statistics taken for an export")
	}
}

func TestModule(t *testing.T) {
	for _, c := range []struct {
		name  string
		kind  source.Kind
		files map[string]string
		rules string
		host  string
	}{
		{"export clean", source.IOSUnifiedLog, map[string]string{"export.ndjson": appleClean}, "", "gateway.icloud.com"},
		{"export planted", source.IOSUnifiedLog, map[string]string{"log.jsonl": appleClean + mandiantPlanted}, "ios.process.unusual_path", "track-delivery.demospy.example"},
		{"beside a sysdiagnose", source.IOSSysdiagnose, map[string]string{"unified.ndjson": mandiantPlanted,
			"system_logs.logarchive/Extra/logdata.statistics.0.jsonl": `{"unixTime": 1, "processList": []}`}, "ios.process.unusual_path", "track-delivery.demospy.example"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, c.kind, c.files))
			if strings.Join(s.Rules(), ",") != c.rules {
				t.Errorf("rules %v", s.Rules())
			}
			if got := s.Observables(model.KindDomain); !strings.Contains(strings.Join(got, ","), c.host) {
				t.Errorf("domains %v", got)
			}
			if c.rules != "" && !strings.Contains(strings.Join(s.Observables(model.KindProcess), ","), "bh") {
				t.Errorf("processes %v", s.Observables(model.KindProcess))
			}
		})
	}
	// JSON lines that are no export, in a sysdiagnose: nothing to read.
	_, err := moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"other.jsonl": `{"a":1}`}))
	if err == nil {
		t.Error("JSON lines that are no export were read")
	}
}

// TestImpossibleTimeKeptRaw: entries whose time is no plausible date
// (Apple's text in year 2999 or in no date form, Mandiant's nanoseconds far
// out) give binary and host records that keep each value as written, once,
// and no date; a text in no form falls back to the number when it is good.
func TestImpossibleTimeKeptRaw(t *testing.T) {
	export := strings.NewReplacer("2026-11-20 10:30:00.123456-0600", "2999-11-20 10:30:00.123456-0600",
		"2026-11-20 10:31:00.000000-0600", "later").Replace(appleClean) +
		strings.Replace(mandiantPlanted, "1.7956746e18", "9e18", 1) +
		`{"eventMessage":"fallback","processImagePath":"/usr/libexec/fallbackd","timestamp":"nonsense","time":1.7956746e18}` + "\n"
	s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSUnifiedLog, map[string]string{"export.ndjson": export}))
	want := map[string]string{
		"process /usr/libexec/cloudd": "2999-11-20 10:30:00.123456-0600",
		"sender /System/Library/PrivateFrameworks/CloudKitDaemon.framework/CloudKitDaemon": "2999-11-20 10:30:00.123456-0600",
		"process /usr/libexec/locationd":                                "later",
		"host gateway.icloud.com":                                       "2999-11-20 10:30:00.123456-0600",
		"host track-delivery.demospy.example":                           "9e+18",
		"process /private/var/db/com.apple.xpc.roleaccountd.staging/bh": "9e+18",
	}
	for _, r := range s.Records {
		var key string
		switch d := r.Data.(type) {
		case *Binary:
			key = d.Role + " " + d.Path
		case *Host:
			key = "host " + d.Host
		}
		if key == "process /usr/libexec/fallbackd" {
			if len(r.RawTimes) != 0 || len(r.Times) != 1 {
				t.Errorf("no fallback to the good number: %+v", r)
			}
			continue
		}
		raw, ok := want[key]
		if !ok {
			t.Errorf("unexpected record %s", key)
			continue
		}
		delete(want, key)
		moduletest.KeepsRaw(t, r, map[string]string{"log_seen": raw})
		if len(r.Times) != 0 || len(r.RawTimes) != 1 {
			t.Errorf("%s: stamps %v, raw times %+v", key, r.Times, r.RawTimes)
		}
	}
	if len(want) != 0 {
		t.Errorf("records not found: %v", want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(appleClean + mandiantPlanted)
	f.Add(`{"time": 1e300, "process": "x", "message": "y"}` + "\n")
	f.Fuzz(func(t *testing.T, s string) {
		n, bad, _ := Parse(strings.NewReader(s), "f", func(e Entry) {
			if e.Process == "" && e.Message == "" {
				t.Fatal("empty entry")
			}
			if !e.Time.IsZero() && (e.Time.Year() < 1970 || e.Time.Year() > 2100) {
				t.Fatalf("time %v", e.Time)
			}
		})
		if n+bad > strings.Count(s, "\n")+1 {
			t.Fatalf("%d entries and %d bad lines from %d lines", n, bad, strings.Count(s, "\n")+1)
		}
	})
}

package crashreports

import (
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

const header309 = `{"app_name":"IMTranscoderAgent","timestamp":"2023-09-07 14:22:01.00 +0200","app_version":"","slice_uuid":"x","build_version":"","bug_type":"309","os_version":"iPhone OS 16.6 (20G75)","bundleID":"com.apple.imtranscoding.IMTranscoderAgent","incident_id":"ABC","name":"IMTranscoderAgent"}`
const body309 = `{"procPath":"\/System\/Library\/PrivateFrameworks\/IMTranscoding.framework\/XPCServices\/IMTranscoderAgent.xpc\/IMTranscoderAgent","parentProc":"launchd","exception":{"type":"EXC_BAD_ACCESS","signal":"SIGSEGV"}}`

func TestParseHeader(t *testing.T) {
	cases := []struct {
		line, bug, name string
		when            time.Time
		ok              bool
	}{
		{header309, "309", "IMTranscoderAgent", time.Date(2023, 9, 7, 12, 22, 1, 0, time.UTC), true},
		{`{"bug_type":288,"timestamp":"2022-01-02 03:04:05 +0000","name":"stacks"}`, "288", "", time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{`{"bug_type":"211","timestamp":"garbage"}`, "211", "", time.Time{}, true},
		{`not json`, "", "", time.Time{}, false},
	}
	for _, c := range cases {
		h, err := ParseHeader([]byte(c.line))
		if (err == nil) != c.ok {
			t.Fatalf("%s: err %v", c.line, err)
		}
		if h.BugType != c.bug || h.AppName != c.name || !h.Time.Equal(c.when) {
			t.Errorf("%s: got %+v", c.line, h)
		}
	}
}

func TestModule(t *testing.T) {
	for _, c := range []struct {
		name  string
		kind  source.Kind
		files map[string]string
		want  []string // process observables, in path order
	}{
		{"dump", source.IOSFS, map[string]string{
			"private/var/mobile/Library/Logs/CrashReporter/IMTranscoderAgent-2023-09-07-142201.ips": header309 + "\n" + body309,
			"private/var/mobile/Library/Logs/CrashReporter/notes.txt":                               "ignored",
		}, []string{"IMTranscoderAgent"}},
		{"sysdiagnose", source.IOSSysdiagnose, map[string]string{
			"crashes_and_spins/MessagesBlastDoorService-2024-01-01-000000.ips": `{"bug_type":"309","name":"MessagesBlastDoorService","timestamp":"2024-01-01 00:00:00.00 +0000"}` + "\nplain text body",
			"crashes_and_spins/Analytics-Journal-2024-01-01.ips":               `{"bug_type":"211","os_version":"iPhone OS 17.2"}`,
		}, []string{"MessagesBlastDoorService"}},
		{"clean", source.IOSFS, map[string]string{"private/var/mobile/Library/Logs/CrashReporter/readme.txt": "x"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, b := range c.files {
				moduletest.File(t, dir, p, []byte(b))
			}
			s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, c.kind, dir))
			if c.want == nil {
				if err == nil || len(s.Records) != 0 {
					t.Fatalf("clean twin: err %v, %d records", err, len(s.Records))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != len(c.want) {
				t.Fatalf("records = %d, want %d", len(s.Records), len(c.want))
			}
			for i, w := range c.want {
				r := s.Records[i]
				if !moduletest.Has(r, model.KindProcess, w) || len(r.Times) != 1 || r.Times[0].Desc != "crash" {
					t.Errorf("record %d: %+v", i, r)
				}
			}
		})
	}
}

// Reports left at 0 bytes by the acquisition are present but empty, not
// failures: beside a readable one the module reads it and says which were
// empty; alone, it read nothing and failed nothing.
func TestEmptyReports(t *testing.T) {
	dir := t.TempDir()
	const logs = "private/var/mobile/Library/Logs/CrashReporter/"
	moduletest.File(t, dir, logs+"Books-2023-05-18-083230.ips", nil)
	s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if !evfile.OnlyEmpty(err) || len(s.Records) != 0 {
		t.Fatalf("only an empty report: err %v, %d records; want only present-but-empty", err, len(s.Records))
	}
	moduletest.File(t, dir, logs+"IMTranscoderAgent-2023-09-07-142201.ips", []byte(header309+"\n"+body309))
	s, err = moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if !evfile.OnlyEmpty(err) || len(s.Records) != 1 || !strings.Contains(err.Error(), "Books-2023-05-18-083230.ips") {
		t.Fatalf("beside a readable report: err %v, %d records", err, len(s.Records))
	}
}

func TestStampDesc(t *testing.T) {
	for bug, want := range map[string]string{"309": "crash", "109": "crash", "298": "diagnostic_report", "": "diagnostic_report"} {
		if got := stampDesc(bug); got != want {
			t.Errorf("%q: %s", bug, got)
		}
	}
}

func TestBodyFields(t *testing.T) {
	h, b, err := Read(strings.NewReader(header309+"\n"+body309), "x.ips")
	if err != nil {
		t.Fatal(err)
	}
	r := record(&Report{File: "x.ips", Header: h, Body: b})
	if !moduletest.Has(r, model.KindFilePath, "/System/Library/PrivateFrameworks/IMTranscoding.framework/XPCServices/IMTranscoderAgent.xpc/IMTranscoderAgent") ||
		!moduletest.Has(r, model.KindAppID, "com.apple.imtranscoding.IMTranscoderAgent") || !strings.Contains(r.Summary, "EXC_BAD_ACCESS") {
		t.Errorf("record: %+v", r)
	}
}

func TestHostileHeader(t *testing.T) {
	_, _, err := Read(strings.NewReader(strings.Repeat("{", maxHeader+100)), "big.ips")
	if err == nil || !strings.Contains(err.Error(), "big.ips") {
		t.Fatalf("want error naming the file, got %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(header309 + "\n" + body309)
	f.Add(`{"bug_type":1e999,"timestamp":"2023-13-45 99:99:99 +9999"}` + "\n{")
	f.Add("\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		h, _, err := Read(strings.NewReader(s), "f.ips")
		if err != nil && !strings.Contains(err.Error(), "f.ips") {
			t.Fatalf("error does not name the file: %v", err)
		}
		if r := record(&Report{File: "f.ips", Header: h}); len(r.Times) > 1 {
			t.Fatalf("%d stamps", len(r.Times))
		}
	})
}

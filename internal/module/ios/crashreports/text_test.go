package crashreports

import (
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

const textLog = "Incident Identifier: 5B6C7D8E-0000-4000-8000-000000000001\nCrashReporter Key:   abc\nHardware Model:      iPhone12,1\n" +
	"Process:             bh [812]\nPath:                /private/var/tmp/bh\nIdentifier:          bh\nVersion:             ??? (???)\n" +
	"Code Type:           ARM-64 (Native)\nParent Process:      launchd [1]\n\nDate/Time:           2020-05-01 10:22:33.123 +0200\n" +
	"OS Version:          iPhone OS 13.4.1 (17E262)\n\nException Type:  EXC_BAD_ACCESS (SIGSEGV)\n\nThread 0 Crashed:\n0 Process: not this one [9]\n"

// Older crash logs are text: a .crash file is all text, and iOS 14 and
// before wrote an .ips body as text after its JSON header.
func TestTextCrashLogs(t *testing.T) {
	iosHeader := `{"bug_type":"109","timestamp":"2020-05-01 10:22:33.00 +0200","os_version":"iPhone OS 13.4.1 (17E262)","name":"bh"}`
	for name, content := range map[string]string{
		"bh-2020-05-01-102233.crash": textLog,
		"bh-2020-05-01-102233.ips":   iosHeader + "\n" + textLog,
	} {
		t.Run(name, func(t *testing.T) {
			s, err := moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.IOSCrashReports, map[string]string{name: content}))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != 1 {
				t.Fatalf("%d records", len(s.Records))
			}
			r := s.Records[0]
			rep := r.Data.(*Report)
			if rep.ProcPath != "/private/var/tmp/bh" || rep.ParentProc != "launchd" || rep.Exception.Type != "EXC_BAD_ACCESS" || rep.Exception.Signal != "SIGSEGV" {
				t.Errorf("body %+v", rep.Body)
			}
			if !moduletest.Has(r, model.KindProcess, "bh") || !moduletest.Has(r, model.KindFilePath, "/private/var/tmp/bh") {
				t.Errorf("observables %+v", r.Observables)
			}
			// The .ips header's time wins over the text's (same instant).
			if len(r.Times) != 1 || !r.Times[0].Time.Truncate(time.Second).Equal(time.Date(2020, 5, 1, 8, 22, 33, 0, time.UTC)) || r.Times[0].Desc != "crash" {
				t.Errorf("times %+v", r.Times)
			}
			if strings.HasSuffix(name, ".crash") && !strings.HasPrefix(r.Summary, "Crash log for bh (EXC_BAD_ACCESS) on iPhone OS 13.4.1") {
				t.Errorf("summary %q", r.Summary)
			}
		})
	}
	// Only reports shared from the phone read .crash files; a dump's
	// modules are unchanged.
	if _, err := moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.IOSFS, map[string]string{"x.crash": textLog})); err == nil {
		t.Error("a file-system dump's .crash file was read")
	}
}

// FuzzReadText feeds text crash logs (and .ips with text bodies) to Read.
// Invariants: no panic; a report is read or an error returned; a text
// log's values are copied from it.
func FuzzReadText(f *testing.F) {
	f.Add([]byte(header309 + "\n" + body309))
	f.Add([]byte(textLog))
	f.Add([]byte(`{"bug_type":"109"}` + "\n" + textLog))
	f.Add([]byte("Incident Identifier: x\nProcess: [\nDate/Time: 9999-99-99\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, b, err := Read(strings.NewReader(string(data)), "f.ips")
		if err != nil {
			if h != (Header{}) {
				t.Fatal("a header with an error")
			}
			return
		}
		for _, v := range []string{h.AppName, h.BundleID, b.ProcPath, b.ParentProc} {
			// Text values are copied from the input (JSON ones may be escaped).
			if h.Format == "text" && v != "" && !strings.Contains(string(data), v) {
				t.Fatalf("value %q not in the input", v)
			}
		}
	})
}

// TestImpossibleDateKeptRaw: a report's date that is no plausible date, in
// the JSON header or in a text log, is kept as written, not as no date.
func TestImpossibleDateKeptRaw(t *testing.T) {
	for _, c := range []struct {
		name, file, content, desc, raw string
	}{
		{"header year 2999", "a.ips", `{"bug_type":"309","name":"a","timestamp":"2999-01-01 00:00:00.00 +0000"}` + "\n{}", "crash", "2999-01-01 00:00:00.00 +0000"},
		{"header in no date form", "b.ips", `{"bug_type":"288","name":"b","timestamp":"garbage"}` + "\n{}", "diagnostic_report", "garbage"},
		{"text log year 2999", "bh.crash", strings.Replace(textLog, "2020-05-01 10:22:33.123 +0200", "2999-05-01 10:22:33.123 +0200", 1), "crash", "2999-05-01 10:22:33.123 +0200"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSCrashReports, map[string]string{c.file: c.content}))
			if len(s.Records) != 1 {
				t.Fatalf("%d records", len(s.Records))
			}
			moduletest.KeepsRaw(t, s.Records[0], map[string]string{c.desc: c.raw})
			if rep := s.Records[0].Data.(*Report); !rep.Time.IsZero() {
				t.Errorf("time %v", rep.Time)
			}
		})
	}
}

package spindump

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

// Sample builds a spindump-nosymbols.txt with the processes given as
// name, pid, path triples (the layout spindump writes).
func Sample(procs ...[3]string) string {
	var b strings.Builder
	b.WriteString("Date/Time:        2026-11-20 10:30:00.123 -0600\nEnd time:         2026-11-20 10:30:02.000 -0600\n" +
		"OS Version:       iPhone OS 18.1 (Build 22B83)\nArchitecture:     arm64e\nReport Version:   53\n\n" +
		"Data Source:      Stackshots\n\n" + separator + "\n\n")
	for _, p := range procs {
		b.WriteString("Process:          " + p[0] + " [" + p[1] + "]\nUUID:             00000000-0000-4000-8000-000000000001\n" +
			"Path:             " + p[2] + "\nParent:           launchd [1]\nUID:              501\nTime Since Fork:  120s\n" +
			"Num samples:      10 (1-10)\n\n  Thread 0x1a2b    10 samples (1-10)    priority 4 (base 4)\n" +
			"  10  ??? (dyld + 1234) [0x1000]\n\n  Binary Images:\n" +
			"           0x100000000 -        0x100100000  " + p[0] + " arm64e  <00000000-0000-4000-8000-000000000001>  " + p[2] + "\n" +
			"           0x180000000 -        0x180100000  libsystem_c.dylib arm64e  <00000000-0000-4000-8000-000000000002>  /usr/lib/system/libsystem_c.dylib\n\n")
	}
	return b.String()
}

func TestParse(t *testing.T) {
	rep, err := Parse(strings.NewReader(Sample([3]string{"locationd", "77", "/usr/libexec/locationd"},
		[3]string{"roleaccountd", "90", "/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd"})+"Spindump binary format\n\x00\x01"), "s")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Date.IsZero() || rep.Date.UTC().Hour() != 16 || !rep.Binary || len(rep.Processes) != 2 {
		t.Fatalf("%+v", rep)
	}
	p := rep.Processes[1]
	if p.Name != "roleaccountd" || p.PID != 90 || p.Parent != "launchd" || p.PPID != 1 || p.SinceFork != 120 || p.UID != "501" ||
		len(p.Images) != 1 || p.Images[0] != p.Path {
		t.Errorf("%+v", p)
	}
	if len(rep.Processes[0].Images) != 0 {
		t.Errorf("system images kept: %v", rep.Processes[0].Images)
	}
	if _, err := Parse(strings.NewReader("garbage\n"), "s"); err == nil {
		t.Error("no header, no error")
	}
}

func TestModule(t *testing.T) {
	for _, c := range []struct {
		name       string
		procs      [][3]string
		detections int
	}{
		{"clean", [][3]string{{"locationd", "77", "/usr/libexec/locationd"}, {"SpringBoard", "40", "/System/Library/CoreServices/SpringBoard.app/SpringBoard"}}, 0},
		{"planted", [][3]string{{"locationd", "77", "/usr/libexec/locationd"}, {"bh", "91", "/private/var/tmp/bh"}}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"spindump-nosymbols.txt": Sample(c.procs...)}))
			if len(s.Records) != len(c.procs) || len(s.Detections) != c.detections {
				t.Fatalf("%d records, %v", len(s.Records), s.Rules())
			}
			if c.detections > 0 && (s.Detections[0].Rule != "ios.process.unusual_path" || s.Detections[0].Severity != model.High) {
				t.Errorf("%+v", s.Detections[0])
			}
			if s.Stamps() != 2*len(c.procs) {
				t.Errorf("%d stamps", s.Stamps())
			}
			if !moduletest.Has(s.Records[1], model.KindProcess, c.procs[1][0]) || !moduletest.Has(s.Records[1], model.KindFilePath, c.procs[1][2]) {
				t.Errorf("observables %+v", s.Records[1].Observables)
			}
		})
	}
}

// TestImpossibleDateKeptRaw: a spindump whose Date/Time is no plausible
// date (year 2999, or no date form) gives process records that keep the
// text as written, with no sampling or start time.
func TestImpossibleDateKeptRaw(t *testing.T) {
	for _, raw := range []string{"2999-11-20 10:30:00.123 -0600", "yesterday"} {
		t.Run(raw, func(t *testing.T) {
			text := strings.Replace(Sample([3]string{"bh", "91", "/private/var/tmp/bh"}), "2026-11-20 10:30:00.123 -0600", raw, 1)
			s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"spindump-nosymbols.txt": text}))
			if len(s.Records) != 1 {
				t.Fatalf("%d records", len(s.Records))
			}
			moduletest.KeepsRaw(t, s.Records[0], map[string]string{"process_running": raw})
			if row := s.Records[0].Data.(*Row); row.SampledAt != nil || row.StartedAt != nil || len(s.Records[0].Times) != 0 {
				t.Errorf("dated %+v, stamps %v", row, s.Records[0].Times)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Sample([3]string{"a", "1", "/x/a"}))
	f.Add("Date/Time: x\n" + separator + "\nProcess: [\nPath: \nBinary Images:\n <> /p\n")
	f.Fuzz(func(t *testing.T, s string) {
		rep, _ := Parse(strings.NewReader(s), "f")
		if rep == nil {
			t.Fatal("nil report")
		}
		if len(rep.Processes) > maxProcesses {
			t.Fatalf("%d processes", len(rep.Processes))
		}
		for _, p := range rep.Processes {
			if p.SinceFork < -1 || len(p.Images) > maxImages || !strings.Contains(s, p.Name) || !strings.Contains(s, p.Path) {
				t.Fatalf("bad process %+v", p)
			}
			for _, img := range p.Images {
				if !strings.HasPrefix(img, "/") || !strings.Contains(s, img) {
					t.Fatalf("bad image %q", img)
				}
			}
		}
	})
}

func TestField(t *testing.T) {
	tests := []struct{ line, key, value string }{
		{"Date/Time:        2023-05-24 13:29:15.759 -0700", "Date/Time", "2023-05-24 13:29:15.759 -0700"},
		{"  Path:  /usr/libexec/x  ", "Path", "/usr/libexec/x"},
		{"Time Since Fork: 12s", "Time Since Fork", "12s"},
		{"Parent: launchd [1]", "Parent", "launchd [1]"},
		{"Codesigning ID:", "Codesigning ID", ""},
	}
	for _, tt := range tests {
		k, v, ok := field(tt.line)
		if !ok || k != tt.key || v != tt.value {
			t.Errorf("field(%q) = %q, %q, %v; want %q, %q", tt.line, k, v, ok, tt.key, tt.value)
		}
	}
	if _, _, ok := field("Thread 0x1a2b 1000 samples"); ok {
		t.Error("a line without a colon is a field")
	}
}

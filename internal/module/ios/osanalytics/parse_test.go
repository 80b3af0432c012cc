package osanalytics

import (
	"errors"
	"os"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func addaily(t testing.TB, format int) []byte {
	t.Helper()
	day := time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)
	b, err := plist.Marshal(map[string]any{"netUsageBaseline": map[string]any{
		"BackupAgent":                            []any{day, 1.0, 2.0, 3.0, 4.0},
		"powerd/com.apple.datausage.diagnostics": []any{day, 0.0, 0.0, 0.0, 0.0},
		"short":                                  []any{day},
		"junk":                                   "not a list",
	}, "lastSubmission": day}, format)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestADDaily(t *testing.T) {
	for _, format := range []int{plist.BinaryFormat, plist.XMLFormat} {
		dir := t.TempDir()
		if err := os.WriteFile(moduletest.MkdirFor(t, dir, Paths[0]), addaily(t, format), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Records) != 4 {
			t.Fatalf("records = %d, want 4", len(s.Records))
		}
		u := s.Records[0].Data.(*Usage)
		if u.Process != "BackupAgent" || u.WWANOut != 4 || u.Date.Year() != 2021 || len(s.Records[0].Times) != 1 {
			t.Errorf("first = %+v", u)
		}
		pw := s.Records[2]
		if len(pw.Observables) != 2 || pw.Observables[0].Value != "powerd" || pw.Observables[1].Value != "com.apple.datausage.diagnostics" {
			t.Errorf("powerd observables = %v", pw.Observables)
		}
	}
}

func TestADDailyErrors(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSFS, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("absent: %v", err)
	}
	bad, _ := plist.Marshal(map[string]any{"netUsageBaseline": []any{1}}, plist.BinaryFormat)
	for name, b := range map[string][]byte{"garbage": []byte("xx"), "wrong type": bad} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(addaily(f, plist.BinaryFormat))
	f.Add(addaily(f, plist.XMLFormat))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Decode(b)
		if err != nil && out != nil {
			t.Fatal("output with an error")
		}
	})
}

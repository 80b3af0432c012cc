package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

// Files locked during acquisition are often copied as 0 bytes. A dump
// whose sms.db, TCC.db and global preferences are empty is checked: those
// modules say "present but empty" (status empty, a part not checked with
// the cause empty naming each file, exit 3), never "unknown schema" or a
// failure, and the other modules read as usual.
func TestZeroByteFilesArePresentButEmpty(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(t.TempDir(), "dump")
	o := samplegen.DumpOptions{Options: samplegen.Scaled(100, 2), Paths: 200, Layout: samplegen.DumpFolder}
	if _, err := samplegen.GenerateIOSDump(dir, o); err != nil {
		t.Fatal(err)
	}
	empty := []string{"private/var/mobile/Library/SMS/sms.db", "private/var/mobile/Library/TCC/TCC.db", "private/var/mobile/Library/Preferences/.GlobalPreferences.plist"}
	for _, e := range empty {
		p := filepath.Join(dir, filepath.FromSlash(e))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	iocs := filepath.Join(t.TempDir(), "iocs.stix2")
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	r := w.huella("", "check", dir, "--iocs", iocs, "--no-report", "--output", out)
	if r.code != results.ExitPartial {
		t.Fatalf("exit %d, want %d (incomplete)\n%s", r.code, results.ExitPartial, r.console())
	}
	var info results.Info
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	status := map[string]results.ModuleInfo{}
	for _, m := range info.Modules {
		status[m.Name] = m
		if strings.Contains(m.Error, "schema") {
			t.Errorf("%s: %s", m.Name, m.Error)
		}
	}
	for _, name := range []string{"ios.sms", "ios.tcc", "ios.global_prefs"} {
		if m := status[name]; m.Status != results.StatusEmpty {
			t.Errorf("%s: status %q (%s), want %q", name, m.Status, m.Error, results.StatusEmpty)
		}
	}
	if m := status["ios.datausage"]; m.Status != results.StatusParsed || m.Records == 0 {
		t.Errorf("ios.datausage: %+v", m)
	}
	named := map[string]bool{}
	for _, g := range info.Summary.NotChecked {
		if g.Cause == coverage.Empty {
			for _, e := range empty {
				if strings.Contains(g.Part, e) {
					named[e] = true
				}
			}
		}
	}
	for _, e := range empty {
		if !named[e] {
			t.Errorf("no part not checked (cause empty) names %s: %+v", e, info.Summary.NotChecked)
		}
	}
	if !strings.Contains(r.console(), "present but empty") {
		t.Errorf("console does not say the files are empty:\n%s", r.console())
	}
}

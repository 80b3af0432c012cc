package integrity

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

// corruptMiddlePage overwrites one page in the middle of a SQLite file with
// bytes no b-tree page can start with, leaving the header and schema intact.
func corruptMiddlePage(t *testing.T, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	page := int(b[16])<<8 | int(b[17])
	if page == 1 {
		page = 65536
	}
	n := len(b) / page
	if n < 8 {
		t.Fatalf("%s has %d pages: too small to corrupt in the middle", p, n)
	}
	mid := n / 2 * page
	copy(b[mid:mid+page], bytes.Repeat([]byte{0xFF}, page))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// backupWithBrokenDB generates a plain backup (with or without planted
// traces) and corrupts its sms.db or History.db.
func backupWithBrokenDB(s *sandbox, name string, plant bool, domain, rel string) evidence {
	root := s.dir(name)
	dir := s.dir(filepath.Join(name, "evidence"))
	o := samplegen.Scaled(3000, 11)
	o.Plant = plant
	if _, err := samplegen.GenerateIOSBackup(dir, o); err != nil {
		s.t.Fatal(err)
	}
	id := samplegen.FileID(domain, rel)
	corruptMiddlePage(s.t, filepath.Join(dir, id[:2], id))
	return evidence{Name: name, Path: dir, Root: root}
}

func readInfo(t *testing.T, out string) results.Info {
	t.Helper()
	var info results.Info
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	return info
}

func moduleInfo(info results.Info, name string) results.ModuleInfo {
	for _, m := range info.Modules {
		if m.Name == name {
			return m
		}
	}
	return results.ModuleInfo{Name: name, Status: "missing from info.json"}
}

// TestPartialFailure: one module's broken database fails that module only;
// the failure shows in info.json, on the console and in report.html, and
// the exit status says what happened.
func TestPartialFailure(t *testing.T) {
	cases := []struct {
		name       string
		plant      bool
		domain     string
		rel        string
		failed     string
		stillRuns  string
		modules    []string
		wantStatus int
	}{
		{"broken sms.db, nothing found", false, "HomeDomain", "Library/SMS/sms.db", "ios.sms", "ios.safari_history", nil, results.ExitPartial},
		{"broken History.db, traces found", true, "HomeDomain", "Library/Safari/History.db", "ios.safari_history", "ios.sms", nil, results.ExitFound},
		{"only a module that read nothing", false, "HomeDomain", "Library/Safari/History.db", "ios.safari_history", "", []string{"ios.safari_history"}, results.ExitError},
		{"only a module that read some rows", false, "HomeDomain", "Library/SMS/sms.db", "ios.sms", "", []string{"ios.sms"}, results.ExitPartial},
	}
	s := newSandbox(t)
	iocs := s.bundles()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.t = t
			ev := backupWithBrokenDB(s, "partial"+string(rune('a'+i)), c.plant, c.domain, c.rel)
			before := snapshot(t, ev.Root)
			out := filepath.Join(s.root, "out-partial"+string(rune('a'+i)))
			args := []string{"check", ev.Path, "--output", out, "--no-feed-cache", "--iocs", iocs[0]}
			for _, m := range c.modules {
				args = append(args, "--modules", m)
			}
			r := s.run(args...)
			assertUnchanged(t, "check", before, ev.Root)
			info := readInfo(t, out)
			m := moduleInfo(info, c.failed)
			if r.code != c.wantStatus || info.Summary.ExitStatus != c.wantStatus {
				t.Errorf("exit %d (info.json %d), want %d\n%s", r.code, info.Summary.ExitStatus, c.wantStatus, r.stderr)
			}
			if m.Status != results.StatusFailed {
				t.Fatalf("%s: status %q, want failed (error %q)", c.failed, m.Status, m.Error)
			}
			base := filepath.Base(c.rel)
			if !strings.Contains(m.Error, base) {
				t.Errorf("%s: error %q does not name %s", c.failed, m.Error, base)
			}
			t.Logf("%s failed after %d records: %s", c.failed, m.Records, m.Error)
			if c.failed == "ios.sms" && m.Records == 0 {
				t.Errorf("ios.sms kept none of the rows before the broken page: what could be read must be reported")
			}
			if out := r.stdout + r.stderr; !strings.Contains(out, c.failed) || !strings.Contains(out, "failed") {
				t.Errorf("console does not report %s failing:\n%s%s", c.failed, r.stdout, r.stderr)
			}
			html, err := os.ReadFile(filepath.Join(out, "report.html"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(html, []byte(c.failed)) || !bytes.Contains(html, []byte(base)) {
				t.Errorf("report.html does not show the failure of %s (%s)", c.failed, base)
			}
			if c.stillRuns != "" {
				if o := moduleInfo(info, c.stillRuns); o.Status != results.StatusParsed || o.Records == 0 {
					t.Errorf("%s: status %q with %d records, want parsed: one failure must not stop the others", c.stillRuns, o.Status, o.Records)
				}
			}
		})
	}
}

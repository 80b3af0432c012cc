package integrity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/results"
)

// TestWALRowsReadAndSidecarsUntouched: the newest message lives only in
// sms.db-wal. check must read it (record and detection), and sms.db, -wal
// and -shm must keep their bytes, size, mode and mtime.
func TestWALRowsReadAndSidecarsUntouched(t *testing.T) {
	s := newSandbox(t)
	iocs := s.bundles()
	for _, ev := range []evidence{genIOSFS(s, "wal-dir"), genIOSFSTarGz(s, "wal-targz")} {
		t.Run(ev.Name, func(t *testing.T) {
			s.t = t
			before := snapshot(t, ev.Root)
			if filepath.Ext(ev.Path) != ".gz" {
				for _, suf := range []string{"", "-wal", "-shm"} {
					if _, ok := before["evidence/private/var/mobile/Library/SMS/sms.db"+suf]; !ok {
						t.Fatalf("fixture lacks sms.db%s", suf)
					}
				}
			}
			out := filepath.Join(s.root, "out-"+ev.Name)
			r := s.run("check", ev.Path, "--output", out, "--no-feed-cache", "--iocs", iocs[1], "--modules", "ios.sms")
			if r.code != 1 {
				t.Fatalf("check: exit %d, want 1 (WAL row matches)\n%s", r.code, r.stderr)
			}
			assertUnchanged(t, "check", before, ev.Root)
			b, err := os.ReadFile(filepath.Join(out, "ios.sms.json"))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"main-row", "wal-row", walDomain} {
				if !strings.Contains(string(b), want) {
					t.Errorf("ios.sms.json lacks %q", want)
				}
			}
			var dets results.Detections
			if err := results.ReadJSON(filepath.Join(out, "detections.json"), &dets); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range dets.Detections {
				found = found || d.Observable != nil && strings.Contains(d.Observable.Value, walDomain)
			}
			if !found {
				t.Errorf("no detection for the WAL-only domain in %+v", dets.Detections)
			}
		})
	}
}

// TestSnapshotSeesEveryChange keeps the harness honest: each kind of
// accidental write must show in the diff.
func TestSnapshotSeesEveryChange(t *testing.T) {
	cases := []struct {
		name   string
		change func(dir string) error
		want   string
	}{
		{"content", func(d string) error { return os.WriteFile(filepath.Join(d, "a.db"), []byte("AAAB"), 0o644) }, "changed a.db"},
		{"mode", func(d string) error { return os.Chmod(filepath.Join(d, "a.db"), 0o600) }, "changed a.db"},
		{"mtime", func(d string) error {
			return os.Chtimes(filepath.Join(d, "a.db"), time.Now(), time.Now().Add(time.Hour))
		}, "changed a.db"},
		{"sidecar", func(d string) error { return os.WriteFile(filepath.Join(d, "a.db-wal"), nil, 0o644) }, "appeared a.db-wal"},
		{"created and removed", func(d string) error {
			time.Sleep(20 * time.Millisecond)
			if err := os.WriteFile(filepath.Join(d, "sub", "x"), nil, 0o644); err != nil {
				return err
			}
			return os.Remove(filepath.Join(d, "sub", "x"))
		}, "changed sub"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := t.TempDir()
			writeFile(t, filepath.Join(d, "a.db"), []byte("AAAA"))
			writeFile(t, filepath.Join(d, "sub", "keep"), nil)
			old := time.Now().Add(-time.Hour)
			for _, p := range []string{filepath.Join(d, "a.db"), filepath.Join(d, "sub")} {
				if err := os.Chtimes(p, old, old); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, d)
			if err := c.change(d); err != nil {
				t.Fatal(err)
			}
			diff := diffSnapshots(before, snapshot(t, d))
			if !strings.Contains(strings.Join(diff, "\n"), c.want) {
				t.Errorf("diff %v lacks %q", diff, c.want)
			}
		})
	}
}

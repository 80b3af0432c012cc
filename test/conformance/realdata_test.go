package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/testutil"
)

// A sample of a real iPhone's file system (../shared/realdata/ffs-paths),
// rebuilt as empty files at their paths with their modification times and
// checked through the command line as an iOS file-system dump with every
// feed in ../shared/iocs, gives no high or critical finding. The sample
// holds every path under the staging folders spyware uses, every path with
// a component named like a process or file indicator of the feeds (the
// traps: Apple's binaries, a TikTok resource folder named "bh"), and one in
// 40 of the rest. The full list goes through the matcher in the file-tree
// module's own test; this one runs the real module path end to end.
func TestRealImageSampleThroughCheck(t *testing.T) {
	feeds := testutil.Shared(t, "iocs")
	paths := testutil.RealImagePaths(t)
	names := indicatorNames(t, feeds)
	dir := t.TempDir()
	n, traps := 0, 0
	for i, p := range paths {
		trap := false
		for _, c := range strings.Split(p.Path, "/") {
			if names[c] {
				trap = true
			}
		}
		staging := strings.HasPrefix(p.Path, "/private/var/tmp/") || strings.HasPrefix(p.Path, "/private/var/db/")
		if !trap && !staging && i%40 != 0 {
			continue
		}
		if trap {
			traps++
		}
		f := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(p.Path, "/")))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			continue // a path that is both a file and a folder in the list
		}
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			continue
		}
		if !p.Modified.IsZero() {
			os.Chtimes(f, p.Modified, p.Modified)
		}
		n++
	}
	if traps == 0 || n < 10_000 {
		t.Fatalf("sample of %d files with %d traps: too small to mean anything", n, traps)
	}
	t.Logf("sample: %d files, %d under a component named like an indicator", n, traps)
	r := check(t, dir, "--type", "ios-fs", "--iocs", feeds)
	if r.code == results.ExitError {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, m := range readInfo(t, r.out).Modules {
		if m.Name == "ios.filesystem" && m.Records < n {
			t.Errorf("ios.filesystem read %d records for %d files", m.Records, n)
		}
	}
	var bad []string
	for _, d := range readDetections(t, r.out) {
		if d.Severity >= model.High {
			bad = append(bad, d.Severity.String()+": "+d.Reason)
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d high or critical findings on a clean phone (%d files, %d traps):\n%s", len(bad), n, traps, strings.Join(bad, "\n"))
	}
}

// indicatorNames are the process and file names the feeds publish: the
// names a file-system dump can collide with.
func indicatorNames(t *testing.T, feeds string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(feeds, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".stix2") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(b)
		for _, key := range []string{"[process:name = '", "[process:name='", "[file:name = '", "[file:name='"} {
			for rest := s; ; {
				i := strings.Index(rest, key)
				if i < 0 {
					break
				}
				rest = rest[i+len(key):]
				if j := strings.IndexByte(rest, '\''); j > 0 {
					out[rest[:j]] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("%d process and file names in the feeds; the pattern reading is broken", len(out))
	}
	return out
}

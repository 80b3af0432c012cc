package conformance

import (
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/testutil"
)

// realBinaries picks, from a real iPhone's file list, the files that are
// programs or libraries: an app's, extension's, framework's or bundle's
// main binary (named as its folder), a dynamic library, and the tools in
// /sbin, /bin, /usr/sbin and /usr/bin. These are the paths a clean
// phone's sysdiagnose names as processes and binaries.
func realBinaries(t *testing.T) []string {
	var out []string
	for _, p := range testutil.RealImagePaths(t) {
		dir, base := path.Split(p.Path)
		dir = strings.TrimSuffix(dir, "/")
		parent := path.Base(dir)
		bin := strings.HasSuffix(base, ".dylib")
		for _, ext := range []string{".app", ".appex", ".framework", ".xpc", ".bundle", ".plugin", ".dext", ".driver"} {
			bin = bin || parent == base+ext
		}
		switch dir {
		case "/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/libexec":
			bin = bin || !strings.Contains(base, ".")
		}
		if bin {
			out = append(out, p.Path)
		}
	}
	return out
}

// A sysdiagnose whose process lists, spindump, task list, shutdown log,
// log statistics, uuidtext footers, binary index and unified-log export
// name every program of a real iPhone (../shared/realdata/ffs-paths: Apple's
// apps, daemons, frameworks and extensions, and the installed apps'
// binaries), checked with every feed in ../shared/iocs: no program of a
// clean phone may be judged medium or above, whether by a process or
// file-path indicator, the staging-folder rules or the unusual-folder rule.
// (Before the calibration, the watch-face bundles iOS unpacks under
// /private/var/mobile/Library/NanoTimeKit were medium "unusual folder"
// findings, five times over.)
func TestRealBinariesInSysdiagnose(t *testing.T) {
	feeds := testutil.Shared(t, "iocs")
	bins := realBinaries(t)
	if len(bins) < 2000 {
		t.Fatalf("%d programs in the real image's list: the selection is broken", len(bins))
	}
	tmp := t.TempDir()
	o := samplegen.Scaled(100, 19)
	if _, err := samplegen.GenerateSysdiagnoseWith(filepath.Join(tmp, "tree"), o, bins); err != nil {
		t.Fatal(err)
	}
	r := check(t, filepath.Join(tmp, "tree"), "--iocs", feeds)
	if r.code == results.ExitError {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	records := map[string]int{}
	for _, m := range readInfo(t, r.out).Modules {
		records[m.Name] = m.Records
	}
	for _, mod := range []string{"ios.processes", "ios.spindump", "ios.taskinfo", "ios.uuidtext", "ios.binary_locations", "ios.unified_log"} {
		if records[mod] < len(bins) {
			t.Errorf("%s read %d records for %d programs", mod, records[mod], len(bins))
		}
	}
	var bad []string
	low := 0
	for _, d := range readDetections(t, r.out) {
		if d.Severity >= model.Medium {
			bad = append(bad, d.Severity.String()+" "+d.Module+" "+d.Rule+": "+d.Reason)
		} else {
			low++
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d findings of medium severity or above on a clean phone's %d programs:\n%s", len(bad), len(bins), strings.Join(bad, "\n"))
	}
	t.Logf("%d programs, %d low findings", len(bins), low)
}

package bugreport

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

// A bug report saved through a Windows shell ("adb bugreport > br.txt" in
// PowerShell 5 writes UTF-16 with a byte-order mark) gives the same
// properties and the same outdated-patch finding as the UTF-8 original.
func TestWindowsSavedBugreport(t *testing.T) {
	acq := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	dump := "------ SYSTEM PROPERTIES (getprop) ------\n[ro.build.version.security_patch]: [2023-01-05]\n[sys.foobar]: [1]\n------\n" +
		strings.Repeat("-", 79) + "\nDUMP OF SERVICE package:\nx\n"
	for _, enc := range testutil.WindowsEncodings {
		t.Run(enc, func(t *testing.T) {
			ev := &source.Evidence{Kind: source.Bugreport, Device: source.Device{Acquired: &acq}, FS: fstest.MapFS{
				"bugreport-2024.txt": {Data: []byte(testutil.SavedOnWindows(t, dump, enc))},
			}}
			s := moduletest.MustRun(t, moduletest.Find(t, Defs(), "android.bugreport_getprop"), ev)
			if len(s.Records) != 2 || len(s.Detections) != 1 || s.Records[0].Summary == "" {
				t.Errorf("%d records, %d findings, want 2 and 1: %+v", len(s.Records), len(s.Detections), s.Records)
			}
		})
	}
}

package dumpsys

import (
	"errors"
	"testing"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/testutil"
)

// A dumpstate (or androidqf's dumpsys.txt) saved through a Windows shell
// parses to the same records and findings as the phone's own UTF-8: the
// bounded reader's text path decodes it, the parsers read its CRLF lines.
func TestWindowsSavedDumpsys(t *testing.T) {
	plain := evidence(map[string]string{"main_entry.txt": "bugreport-x.txt\n", "bugreport-x.txt": spyDump()})
	for _, enc := range testutil.WindowsEncodings {
		t.Run(enc, func(t *testing.T) {
			records := 0
			ev := evidence(map[string]string{"main_entry.txt": "bugreport-x.txt\n", "bugreport-x.txt": testutil.SavedOnWindows(t, spyDump(), enc)})
			for _, m := range Defs() {
				want, werr := moduletest.Run(t, m, plain)
				got, err := moduletest.Run(t, m, ev)
				if errors.Is(werr, module.ErrAbsent) && errors.Is(err, module.ErrAbsent) {
					continue // a section the sample does not hold
				}
				if werr != nil || err != nil {
					t.Fatalf("%s: %v (UTF-8: %v)", m.Name, err, werr)
				}
				if len(got.Records) != len(want.Records) || len(got.Detections) != len(want.Detections) {
					t.Errorf("%s: %d records, %d findings; the UTF-8 text gives %d and %d", m.Name, len(got.Records), len(got.Detections), len(want.Records), len(want.Detections))
					continue
				}
				for i := range want.Records {
					if got.Records[i].Summary != want.Records[i].Summary {
						t.Errorf("%s: record %d: %q, want %q", m.Name, i, got.Records[i].Summary, want.Records[i].Summary)
					}
				}
				records += len(got.Records)
			}
			if records < 8 {
				t.Errorf("only %d records in all: the comparison means little", records)
			}
		})
	}
}

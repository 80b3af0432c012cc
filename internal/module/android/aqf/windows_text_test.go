package aqf

import (
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

// getprop.txt, ps.txt and settings_*.txt saved through a Windows shell
// (UTF-16 or UTF-8 with a byte-order mark, CRLF) give the same records and
// findings as the UTF-8 an androidqf acquisition holds.
func TestWindowsSavedText(t *testing.T) {
	text := []string{"getprop.txt", "ps.txt", "settings_global.txt", "settings_secure.txt"}
	plain := moduletest.MapEvidence(t, source.AndroidQF, acqFiles)
	for _, enc := range testutil.WindowsEncodings {
		t.Run(enc, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range acqFiles {
				files[k] = v
			}
			for _, n := range text {
				files[n] = testutil.SavedOnWindows(t, acqFiles[n], enc)
			}
			ev := moduletest.MapEvidence(t, source.AndroidQF, files)
			for _, name := range []string{"android.aqf_getprop", "android.aqf_processes", "android.aqf_settings"} {
				m := moduletest.Find(t, Defs(), name)
				want, got := moduletest.MustRun(t, m, plain), moduletest.MustRun(t, m, ev)
				if len(want.Records) == 0 || len(got.Records) != len(want.Records) || len(got.Detections) != len(want.Detections) {
					t.Errorf("%s: %d records, %d findings; UTF-8 gives %d and %d", name, len(got.Records), len(got.Detections), len(want.Records), len(want.Detections))
					continue
				}
				for i := range want.Records {
					if got.Records[i].Summary != want.Records[i].Summary {
						t.Errorf("%s: record %d %q, want %q", name, i, got.Records[i].Summary, want.Records[i].Summary)
					}
				}
			}
		})
	}
}

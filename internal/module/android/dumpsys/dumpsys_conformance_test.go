package dumpsys

import (
	"os"
	"testing"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

func TestConformanceBugreportFolder(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/android_data/bugreport")
	ev := &source.Evidence{Kind: source.Bugreport, FS: os.DirFS(dir)}

	s, err := run(t, Appops(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.records) != 12 || s.stamps() != 16 || len(s.detections) != 1 {
		t.Errorf("appops: %d records, %d stamps, %d detections", len(s.records), s.stamps(), len(s.detections))
	}
	s, err = run(t, Packages(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.records) != 2 || len(s.warnings) != 0 {
		t.Errorf("packages: %d records, warnings %v", len(s.records), s.warnings)
	}
}

func TestConformanceAndroidQFDumpsys(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/androidqf")
	ev := &source.Evidence{Kind: source.AndroidQF, FS: os.DirFS(dir)}
	for _, m := range Modules() {
		if _, err := run(t, m, ev); err != nil {
			t.Errorf("%s: %v", m.Name(), err)
		}
	}
}

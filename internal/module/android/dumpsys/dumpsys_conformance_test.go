package dumpsys

import (
	"os"
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

func TestConformanceBugreportFolder(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/android_data/bugreport")
	ev := &source.Evidence{Kind: source.Bugreport, FS: os.DirFS(dir)}

	s, err := moduletest.Run(t, moduletest.Find(t, Defs(), "android.appops"), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 12 || s.Stamps() != 16 || len(s.Detections) != 1 {
		t.Errorf("appops: %d records, %d stamps, %d detections", len(s.Records), s.Stamps(), len(s.Detections))
	}
	s, err = moduletest.Run(t, moduletest.Find(t, Defs(), "android.dumpsys_packages"), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2 || len(s.Warnings) != 0 {
		t.Errorf("packages: %d records, warnings %v", len(s.Records), s.Warnings)
	}
}

func TestConformanceAndroidQFDumpsys(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/androidqf")
	ev := &source.Evidence{Kind: source.AndroidQF, FS: os.DirFS(dir)}
	for _, m := range Defs() {
		if _, err := moduletest.Run(t, m, ev); err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
	}
}

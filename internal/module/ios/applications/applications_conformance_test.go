package applications

import (
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
)

// The MVT backup's Info.plist lists 6 installed applications and has no
// "Applications" metadata dictionary.
func TestConformanceMVTBackup(t *testing.T) {
	sink, err := moduletest.Run(t, Def(), moduletest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 6 || len(sink.Detections) != 0 {
		t.Errorf("%d records, %d detections", len(sink.Records), len(sink.Detections))
	}
}

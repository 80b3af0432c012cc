package globalprefs

import (
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
)

// MVT tests/ios_backup/test_global_preferences.py: 16 entries, no timeline
// events, one informational "Lockdown mode enabled"; WebKitShowLinkPreviews
// is false.
func TestConformanceMVTBackup(t *testing.T) {
	sink, err := moduletest.Run(t, Def(), moduletest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 16 {
		t.Fatalf("%d records", len(sink.Records))
	}
	found := false
	for _, r := range sink.Records {
		if len(r.Times) != 0 {
			t.Errorf("unexpected times %v", r.Times)
		}
		if e := r.Data.(*Entry); e.Entry == "WebKitShowLinkPreviews" {
			found = e.Value == false
		}
	}
	if !found {
		t.Error("WebKitShowLinkPreviews=false not found")
	}
	if len(sink.Detections) != 1 || sink.Detections[0].Rule != "ios.lockdown.enabled" || sink.Detections[0].Severity != model.Informational {
		t.Errorf("detections %+v", sink.Detections)
	}
}

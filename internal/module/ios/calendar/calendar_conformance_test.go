package calendar

import (
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
)

// MVT tests/ios_backup/test_calendar.py: 1 event, 4 timeline events, no
// alert without indicators, organiser user@example.org.
func TestConformanceMVTBackup(t *testing.T) {
	sink, err := moduletest.Run(t, Def(), moduletest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 1 || len(sink.Detections) != 0 {
		t.Fatalf("%d records, %d detections", len(sink.Records), len(sink.Detections))
	}
	r := sink.Records[0]
	if e := r.Data.(*Event); e.Summary != "Super interesting meeting" || len(r.Times) != 4 || !moduletest.Has(r, model.KindEmail, "user@example.org") {
		t.Errorf("event %+v times %v obs %+v", e, r.Times, r.Observables)
	}
}

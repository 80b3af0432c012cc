package sms

import (
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
)

// MVT tests/ios_backup/test_sms.py: 1 message, received and read events,
// link https://badbadbad.example.org/ at 2019-08-29 23:13:30.
func TestConformanceMVTBackup(t *testing.T) {
	sink, err := moduletest.Run(t, Def(), moduletest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 1 {
		t.Fatalf("%d records, want 1", len(sink.Records))
	}
	r := sink.Records[0]
	if !moduletest.Has(r, model.KindURL, "https://badbadbad.example.org/") {
		t.Errorf("observables %+v", r.Observables)
	}
	if len(r.Times) != 2 || r.Times[0].Time.Format("2006-01-02 15:04:05") != "2019-08-29 23:13:30" {
		t.Errorf("times %+v", r.Times)
	}
	if m := r.Data.(*Message); m.Handle != "apple" || m.Direction != "received" {
		t.Errorf("message %+v", m)
	}
	if len(sink.Detections) != 0 {
		t.Errorf("detections %+v", sink.Detections)
	}
}

package tcc

import (
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
)

// MVT tests/ios_backup/test_tcc.py: 11 entries, 11 events; the first is
// kTCCServiceUbiquity / com.apple.Preferences / allowed; the last client is
// "Launch" (which the generated test indicators name as a process).
func TestConformanceMVTBackup(t *testing.T) {
	sink, err := moduletest.Run(t, Def(), moduletest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 11 {
		t.Fatalf("%d records, want 11", len(sink.Records))
	}
	events := 0
	for _, r := range sink.Records {
		events += len(r.Times)
	}
	if events != 11 {
		t.Errorf("%d events, want 11", events)
	}
	g := sink.Records[0].Data.(*Grant)
	if g.Service != "kTCCServiceUbiquity" || g.Client != "com.apple.Preferences" || g.Auth != "allowed" || g.Schema != 3 {
		t.Errorf("first %+v", g)
	}
	last := sink.Records[10]
	if g := last.Data.(*Grant); g.Service != "kTCCServiceLiverpool" || g.Client != "Launch" || !moduletest.Has(last, model.KindProcess, "Launch") {
		t.Errorf("last %+v %+v", g, last.Observables)
	}
}

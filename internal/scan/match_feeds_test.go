package scan

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/heuristics/messages"
	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/testutil"
)

// Several feeds publish the same values (Predator's domains are in three):
// a record gives one finding per matched value, listing every indicator,
// feed and campaign, not one finding per feed.
func TestMatchRecordOneFindingPerValue(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteSTIX(t, dir, "predator.stix2", "Predator", []string{"[domain-name:value='lure.example']", "[process:name='hooker']"})
	testutil.WriteSTIX(t, dir, "cytrox.stix2", "Cytrox", []string{"[domain-name:value='lure.example']", "[url:value='https://a.lure.example/x']"})
	set, err := indicators.Load(filepath.Join(dir, "predator.stix2"), filepath.Join(dir, "cytrox.stix2"))
	if err != nil {
		t.Fatal(err)
	}
	r := &model.Record{Module: "ios.sms"}
	r.Add(model.KindURL, "https://a.lure.example/x", "text")
	r.Add(model.KindURL, "https://a.lure.example/x", "links") // the same value from another field
	r.Add(model.KindDomain, "other.example", "host")
	ds := MatchRecord(set, r)
	if len(ds) != 1 {
		t.Fatalf("%d findings, want one for the one matched value: %+v", len(ds), ds)
	}
	d := ds[0]
	if len(d.Indicators) != 3 || d.Indicator == nil || *d.Indicator != d.Indicators[0] {
		t.Fatalf("indicators %+v, want the url and both domain indicators", d.Indicators)
	}
	if d.Params["campaigns"] != "Cytrox, Predator" || d.Params["feeds"] != "cytrox.stix2, predator.stix2" {
		t.Errorf("params %v, want every campaign and feed", d.Params)
	}
	if d.Severity != model.High || d.Rule != "indicator.feed.match" || d.Kind != model.ByIndicator {
		t.Errorf("finding %+v", d)
	}

	// A process named by its absolute path: process:name matches its last
	// component, once.
	p := &model.Record{Module: "ios.datausage"}
	p.Add(model.KindProcess, "/private/var/tmp/hooker", "process_name")
	p.Add(model.KindFilePath, "/private/var/tmp/hooker", "process_name")
	if ds := MatchRecord(set, p); len(ds) != 1 || ds[0].Severity != model.Critical {
		t.Errorf("absolute process path: %+v", ds)
	}
}

// A process-name indicator that only equals the name of a file or folder
// of a dump weighs by where it lies (see the registry's contexts of
// indicator.feed.match).
func TestMatchRecordProcessNameOnFile(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteSTIX(t, dir, "f.stix2", "Pegasus", []string{"[process:name='bh']", "[process:name='BackupAgent']"})
	set, err := indicators.Load(filepath.Join(dir, "f.stix2"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string // severity, or "" for no finding
	}{
		{"/usr/libexec/BackupAgent", ""},
		{"/private/var/containers/Bundle/Application/B3/TikTok.app/Res.bundle/bh", ""},
		{"/private/var/mobile/Containers/Data/Application/68/Documents/primary/bh", "low"},
		{"/private/var/db/com.apple.xpc.roleaccountd.staging/bh", "critical"},
		{"/private/var/tmp/bh/lib.dylib", "critical"},
	}
	for _, tt := range tests {
		r := &model.Record{Module: "ios.filesystem"}
		r.Add(model.KindFilePath, tt.path, "path")
		r.Add(model.KindProcess, filepath.Base(tt.path), "name")
		if filepath.Base(tt.path) == "lib.dylib" {
			r.Add(model.KindProcess, "bh", "client") // a component of the path, as shutdown.log clients give
		}
		ds := MatchRecord(set, r)
		got := ""
		if len(ds) > 0 {
			got = ds[0].Severity.String()
		}
		if got != tt.want || len(ds) > 1 {
			t.Errorf("%s: %d findings, severity %q; want %q", tt.path, len(ds), got, tt.want)
		}
	}
}

// A lure message whose link an indicator matched is a lure with a
// suspicious link, never "a link that shows no warning sign" beside a
// finding that calls the same link a spyware domain.
func TestLureAgreesWithIndicatorMatch(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteSTIX(t, dir, "f.stix2", "Pegasus", []string{"[domain-name:value='lure.example']"})
	set, err := indicators.Load(filepath.Join(dir, "f.stix2"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &model.Record{Module: "ios.sms", Summary: `SMS from +1: "tu paquete https://lure.example/a"`}
	rec.Add(model.KindURL, "https://lure.example/a", "text")
	lures := messages.ScoreMessage(messages.Message{Text: "Su paquete no pudo ser entregado: https://lure.example/a", Sender: messages.SenderStranger})
	var dets []model.Detection
	for _, f := range lures {
		d := f.Detection(rec)
		d.Module = "ios.sms"
		dets = append(dets, d)
	}
	if len(dets) != 1 || dets[0].Rule != messages.RuleLurePlain {
		t.Fatalf("setup: %+v", dets)
	}
	dets = append(dets, MatchRecord(set, rec)...)
	agreeLures(dets)
	if dets[0].Rule != "message.lure.suspicious_link" || dets[0].Severity != model.High || !strings.Contains(dets[0].Reason, "not in the contacts") {
		t.Errorf("lure finding after the match: %+v", dets[0])
	}
}

package report

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/timeline"
)

// Planted in an SMS: must always show as text.
const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `<img src=x onerror=alert(2)>`
)

var fixedNow = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

type scenario struct {
	info   results.Info
	dets   []model.Detection
	events []model.Event
}

// writeResults writes a results folder the way check does, using the real
// timeline writer so the report reads the true format.
func writeResults(t testing.TB, sc scenario) string {
	t.Helper()
	dir := t.TempDir()
	sc.info.SchemaVersion = model.SchemaVersion
	if err := results.WriteJSON(filepath.Join(dir, "info.json"), sc.info); err != nil {
		t.Fatal(err)
	}
	if sc.dets == nil {
		sc.dets = []model.Detection{}
	}
	if err := results.WriteJSON(filepath.Join(dir, "detections.json"),
		results.Detections{SchemaVersion: model.SchemaVersion, Detections: sc.dets}); err != nil {
		t.Fatal(err)
	}
	tl := timeline.New(t.TempDir(), 0)
	defer tl.Close()
	tl.Add(sc.events...)
	f, err := os.Create(filepath.Join(dir, "timeline.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := timeline.WriteJSONL(f, tl, sc.info.Evidence.Device.Location()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func baseInfo(kind source.Kind, dev source.Device) results.Info {
	return results.Info{
		Tool:     results.Tool{Name: "huella", Version: "0.0.0-test", Commit: "abc1234"},
		Command:  []string{"huella", "check", "--iocs", "pegasus.stix2", "/evidence/backup"},
		Started:  at("2026-03-01T10:00:00Z"),
		Finished: at("2026-03-01T10:02:30Z"),
		Evidence: results.EvidenceInfo{Kind: kind, Path: "/evidence/backup", Device: dev},
		Inputs:   []source.InputFile{{Path: "/evidence/backup/Manifest.db", Size: 40960, SHA256: "aa11"}},
		Indicators: results.Indicators{Total: 1520, Files: []results.IndicatorFile{
			{Path: "/iocs/pegasus.stix2", Name: "pegasus.stix2", SHA256: "bb22", Size: 9000, Indicators: 1520,
				Counts: map[string]int{"domain-name:value": 1400, "process:name": 120}},
		}},
	}
}

// findingsScenario has one finding of each kind, and an SMS carrying markup.
func findingsScenario() scenario {
	info := baseInfo(source.IOSBackup, source.Device{Platform: "ios", Name: "Ana's iPhone", Model: "iPhone14,2",
		OSVersion: "16.4", Build: "20E247", ID: "00008110-TEST", TimeZone: "Europe/Madrid", Acquired: ptr(at("2026-02-28T18:00:00Z"))})
	info.Modules = []results.ModuleInfo{
		{Name: "ios.sms", Description: "SMS and iMessage", Status: results.StatusParsed, Records: 3, Artifacts: []string{"HomeDomain/Library/SMS/sms.db"}},
		{Name: "ios.safari_history", Description: "Safari history", Status: results.StatusParsed, Records: 2},
		{Name: "ios.netusage", Description: "Network usage per process", Status: results.StatusParsed, Records: 4, Warnings: []string{"row 7: bad timestamp"}},
		{Name: "ios.datausage", Status: results.StatusAbsent, Error: "DataUsage.sqlite not in this backup"},
		{Name: "ios.shutdown_log", Status: results.StatusSkipped},
	}
	sms := &model.Record{Module: "ios.sms", Source: "HomeDomain/Library/SMS/sms.db",
		Summary:     `SMS from +34600000000: "Your parcel: https://bit-ly.example/x ` + xssScript + xssImg + `"`,
		Times:       []model.Stamp{{Time: at("2023-05-10T09:15:00Z"), Desc: "sms_received"}},
		Observables: []model.Observable{{Kind: model.KindURL, Value: "https://bit-ly.example/x", Field: "text"}}}
	proc := &model.Record{Module: "ios.datausage", Source: "netusage.sqlite", Summary: "bh (bundle -, process 12) WWAN in 10 out 20, Wi-Fi in 0 out 0",
		Times: []model.Stamp{{Time: at("2023-05-10T09:17:30Z"), Desc: "first_usage"}}}
	t1, t2, t3 := at("2023-05-10T09:15:00Z"), at("2023-05-10T09:17:30Z"), at("2023-05-10T09:18:00Z")
	// The same link in two feeds is one finding listing both.
	urlRefs := []model.IndicatorRef{
		{Type: "url:value", Value: "https://bit-ly.example/x", Campaign: "Pegasus", File: "pegasus.stix2", ID: "indicator--1"},
		{Type: "domain-name:value", Value: "bit-ly.example", Campaign: "Pegasus", File: "amnesty-2018.stix2", ID: "indicator--9"},
	}
	indicator := rules.Must("indicator.feed.match")
	urlDet := indicator.New(rules.Params{"value": "https://bit-ly.example/x", "kind": "url", "indicator": urlRefs[0].Value, "type": urlRefs[0].Type,
		"campaigns": "Pegasus", "feeds": "pegasus.stix2, amnesty-2018.stix2"}, "network").Detection(sms)
	urlDet.Module, urlDet.Time, urlDet.Observable = "ios.sms", &t1, &sms.Observables[0]
	urlDet.Indicator, urlDet.Indicators = &urlRefs[0], urlRefs
	procRef := model.IndicatorRef{Type: "process:name", Value: "bh", Campaign: "Pegasus", File: "pegasus.stix2", ID: "indicator--2"}
	procDet := indicator.New(rules.Params{"value": "bh", "kind": "process", "indicator": "bh", "type": "process:name",
		"campaigns": "Pegasus", "feeds": "pegasus.stix2"}).Detection(proc)
	procDet.Module, procDet.Time = "ios.datausage", &t2
	procDet.Observable = &model.Observable{Kind: model.KindProcess, Value: "bh", Field: "process"}
	procDet.Indicator, procDet.Indicators = &procRef, []model.IndicatorRef{procRef}
	orphan := rules.Must("ios.netusage.orphan_usage").New(rules.Params{"db": "netusage.sqlite", "process_id": "12", "time": "2023-05-10T09:18:00Z"}, "dated").Detection(nil)
	orphan.Module, orphan.Time = "ios.datausage", &t3
	// A protection that is on: a good sign, shown apart from the findings.
	lockdown := rules.Must("ios.lockdown.enabled").New(rules.Params{}).Detection(&model.Record{Module: "ios.global_prefs",
		Source: "HomeDomain/Library/Preferences/.GlobalPreferences.plist", Summary: "Global preference LDMGlobalEnabled = true"})
	lockdown.Module = "ios.global_prefs"
	dets := []model.Detection{
		urlDet,
		procDet,
		orphan,
		lockdown,
		// A finding of a rule this version does not know (an older results
		// folder): shown with the English it was written with.
		{Module: "correlation", Kind: model.ByCorrelation, Rule: "ios.correlation.link_then_process", Severity: model.Low, Time: &t1,
			Reason: "a link was received 2 minutes before an unknown process first ran",
			Related: []model.Event{{Time: t1, Module: "ios.sms", Desc: "sms_received", Summary: `SMS from +34600000000: "hola"`},
				{Time: t2, Module: "ios.datausage", Desc: "first_usage", Summary: proc.Summary}}},
	}
	high, crit, med := model.High, model.Critical, model.Medium
	events := []model.Event{
		{Time: t1, Module: "ios.sms", Desc: "sms_received", Summary: sms.Summary, Source: sms.Source, Severity: &high},
		{Time: t2, Module: "ios.datausage", Desc: "first_usage", Summary: proc.Summary, Source: proc.Source, Severity: &crit},
		{Time: t3, Module: "ios.datausage", Desc: "finding:ios.netusage.orphan_usage", Summary: "MISSING process record 12 (deleted), after \"bh\"", Severity: &med},
		{Time: at("2023-05-10T08:00:00Z"), Module: "ios.safari_history", Desc: "safari_visit", Summary: "Safari visit https://news.example/"},
		{Time: at("2023-05-09T20:00:00Z"), Module: "ios.safari_history", Desc: "safari_visit", Summary: "Safari visit https://weather.example/"},
		{Time: at("2023-06-01T12:00:00Z"), Module: "ios.sms", Desc: "sms_sent", Summary: `SMS to +34600000001: "ok"`},
		{Time: at("2023-06-01T12:00:01Z"), Module: "ios.sms", Desc: "sms_received", Summary: `SMS from +34600000001: "thanks"`},
		{Time: at("2023-05-10T09:20:00Z"), Module: "ios.datausage", Desc: "last_usage", Summary: "com.apple.WebKit (bundle -, process 3) WWAN in 1 out 2, Wi-Fi in 3 out 4"},
	}
	return scenario{info: info, dets: dets, events: events}
}

// noneScenario found nothing: the report must not call the phone clean.
func noneScenario() scenario {
	info := baseInfo(source.AndroidQF, source.Device{Platform: "android", Model: "Pixel 7", OSVersion: "14"})
	info.Modules = []results.ModuleInfo{
		{Name: "android.aqf_packages", Status: results.StatusParsed, Records: 212},
		{Name: "android.aqf_processes", Status: results.StatusEmpty},
		{Name: "android.sms_backup", Status: results.StatusAbsent, Error: "sms.db not collected"},
	}
	events := []model.Event{
		{Time: at("2024-01-02T03:04:05Z"), Module: "android.aqf_packages", Desc: "installed", Summary: "com.example.app installed"},
		{Time: at("2024-01-03T03:04:05Z"), Module: "android.aqf_packages", Desc: "updated", Summary: "com.example.app updated"},
	}
	return scenario{info: info, events: events}
}

// failedScenario has a module that failed and an indicator file that did
// not load: the verdict must say the check is incomplete.
func failedScenario() scenario {
	info := baseInfo(source.IOSFS, source.Device{Platform: "ios", OSVersion: "17.1"})
	info.Indicators.Files = append(info.Indicators.Files, results.IndicatorFile{Path: "/iocs/broken.stix2", Name: "broken.stix2", SHA256: "cc33", Error: "not a STIX bundle"})
	info.Evidence.Notes = []string{"Manifest.db lists 3 files that are missing"}
	info.Modules = []results.ModuleInfo{
		{Name: "ios.sms", Status: results.StatusParsed, Records: 10},
		{Name: "ios.safari_history", Status: results.StatusFailed, Records: 0, Error: "History.db: database disk image is malformed"},
		{Name: "ios.tcc", Status: results.StatusAbsent},
	}
	events := []model.Event{{Time: at("2024-05-05T05:05:05Z"), Module: "ios.sms", Desc: "sms_received", Summary: "SMS from bank"}}
	return scenario{info: info, events: events}
}

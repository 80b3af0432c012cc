package outcome

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
)

func TestDecide(t *testing.T) {
	parsed := results.ModuleInfo{Name: "ios.sms", Status: results.StatusParsed, Records: 3}
	empty := results.ModuleInfo{Name: "ios.tcc", Status: results.StatusEmpty, Artifacts: []string{"TCC.db"}}
	absent := results.ModuleInfo{Name: "ios.whatsapp", Status: results.StatusAbsent}
	failed := results.ModuleInfo{Name: "ios.safari_history", Status: results.StatusFailed, Error: "database disk image is malformed"}
	failedSome := results.ModuleInfo{Name: "ios.calls", Status: results.StatusFailed, Records: 4, Error: "row 5"}
	unreadable := results.ModuleInfo{Name: "ios.profiles", Status: results.StatusUnreadable, Artifacts: []string{"p1"},
		Gaps: []coverage.Gap{{Part: "p1", Cause: coverage.Unreadable, Detail: "not a plist"}}}
	timedOut := results.ModuleInfo{Name: "ios.datausage", Status: results.StatusFailed, Error: "stopped after 1s",
		Gaps: []coverage.Gap{{Part: "ios.datausage", Cause: coverage.TimedOut}}}
	skipped := results.ModuleInfo{Name: "ios.calendar", Status: results.StatusSkipped}
	interrupted := results.ModuleInfo{Name: "ios.chrome", Status: results.StatusInterrupted, Error: "not started"}
	high := model.Detection{Kind: model.ByIndicator, Severity: model.High, Indicator: &model.IndicatorRef{Campaign: "Pegasus"}}
	critical := model.Detection{Kind: model.ByHeuristic, Severity: model.Critical}
	medium := model.Detection{Kind: model.ByHeuristic, Severity: model.Medium}
	low := model.Detection{Kind: model.ByHeuristic, Severity: model.Low}
	good := model.Detection{Kind: model.ByHeuristic, Rule: "ios.lockdown.enabled", Severity: model.Informational}
	encrypted := coverage.Gap{Part: "backup.ab", Cause: coverage.Encrypted}

	withIOCs := results.Indicators{Total: 10}
	none := results.Indicators{}
	cases := []struct {
		name        string
		mods        []results.ModuleInfo
		ind         results.Indicators
		evGaps      []coverage.Gap
		interrupted bool
		dets        []model.Detection
		level       string
		headline    string
		exit        int
		causes      []coverage.Cause
	}{
		{"clean", []results.ModuleInfo{parsed, empty, absent}, withIOCs, nil, false, nil, LevelNone, HeadlineNone, 0, nil},
		{"no indicators: incomplete, not clean", []results.ModuleInfo{parsed}, none, nil, false, nil, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.NoIndicators}},
		{"found by indicator", []results.ModuleInfo{parsed, failed}, withIOCs, nil, false, []model.Detection{high}, "high", HeadlineFoundCampaigns, 1, []coverage.Cause{coverage.Failed}},
		{"found by heuristic, no indicators", []results.ModuleInfo{parsed}, none, nil, false, []model.Detection{critical}, "critical", HeadlineFoundHigh, 1, []coverage.Cause{coverage.NoIndicators}},
		{"medium only is not found", []results.ModuleInfo{parsed}, withIOCs, nil, false, []model.Detection{medium}, LevelMedium, HeadlineFoundMedium, 0, nil},
		{"medium with a gap is incomplete", []results.ModuleInfo{parsed, failed}, withIOCs, nil, false, []model.Detection{medium}, LevelMedium, HeadlineFoundMedium, 3, []coverage.Cause{coverage.Failed}},
		{"low only", []results.ModuleInfo{parsed}, withIOCs, nil, false, []model.Detection{low}, LevelLow, HeadlineFoundLow, 0, nil},
		{"a good sign is not a finding", []results.ModuleInfo{parsed}, withIOCs, nil, false, []model.Detection{good}, LevelNone, HeadlineNone, 0, nil},
		{"a good sign beside a low finding", []results.ModuleInfo{parsed}, withIOCs, nil, false, []model.Detection{good, low}, LevelLow, HeadlineFoundLow, 0, nil},
		{"low with a gap", []results.ModuleInfo{parsed, failed}, withIOCs, nil, false, []model.Detection{low}, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.Failed}},
		{"a failed module", []results.ModuleInfo{parsed, failed}, withIOCs, nil, false, nil, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.Failed}},
		{"read some then failed counts as checked", []results.ModuleInfo{failedSome}, withIOCs, nil, false, nil, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.Failed}},
		{"one record then failed counts as checked", []results.ModuleInfo{{Name: "ios.calls", Status: results.StatusFailed, Records: 1, Error: "row 2"}}, withIOCs, nil, false, nil, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.Failed}},
		{"everything absent: nothing checked", []results.ModuleInfo{absent, absent}, withIOCs, nil, false, nil, LevelError, HeadlineNothingChecked, 2, []coverage.Cause{coverage.NothingFound}},
		{"everything failed: nothing checked", []results.ModuleInfo{failed, absent}, withIOCs, nil, false, nil, LevelError, HeadlineNothingChecked, 2, []coverage.Cause{coverage.Failed}},
		{"unreadable files are not empty", []results.ModuleInfo{parsed, unreadable}, withIOCs, nil, false, nil, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.Unreadable}},
		{"encrypted part, the rest read", []results.ModuleInfo{parsed, absent}, withIOCs, []coverage.Gap{encrypted}, false, nil, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.Encrypted}},
		{"encrypted part, nothing else", []results.ModuleInfo{absent}, withIOCs, []coverage.Gap{encrypted}, false, nil, LevelError, HeadlineNothingChecked, 2, []coverage.Cause{coverage.Encrypted}},
		{"time limit", []results.ModuleInfo{parsed, timedOut}, withIOCs, nil, false, nil, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.TimedOut}},
		{"deselected", []results.ModuleInfo{parsed, skipped}, withIOCs, nil, false, nil, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.Deselected}},
		{"interrupted", []results.ModuleInfo{parsed, interrupted}, withIOCs, nil, true, nil, LevelIncomplete, HeadlineInterrupted, 130, []coverage.Cause{coverage.Interrupted}},
		{"interrupted before any module", nil, withIOCs, nil, true, nil, LevelIncomplete, HeadlineInterrupted, 130, []coverage.Cause{coverage.Interrupted}},
		{"interrupted after a high finding", []results.ModuleInfo{parsed, interrupted}, withIOCs, nil, true, []model.Detection{high}, "high", HeadlineFoundCampaigns, 130, []coverage.Cause{coverage.Interrupted}},
		{"recheck of an interrupted run", []results.ModuleInfo{parsed, interrupted}, withIOCs, nil, false, nil, LevelIncomplete, HeadlineIncomplete, 3, []coverage.Cause{coverage.Interrupted}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info := &results.Info{Modules: c.mods, Indicators: c.ind, Interrupted: c.interrupted,
				Evidence: results.EvidenceInfo{Kind: source.IOSBackup, Path: "/cases/42", Gaps: c.evGaps}}
			o := Decide(info, c.dets)
			if o.Level != c.level || o.Headline != c.headline || o.Exit != c.exit {
				t.Errorf("got %s / %s / exit %d, want %s / %s / exit %d", o.Level, o.Headline, o.Exit, c.level, c.headline, c.exit)
			}
			var got []coverage.Cause
			for _, g := range o.NotChecked {
				got = append(got, g.Cause)
			}
			if strings.Join(causes(got), ",") != strings.Join(causes(c.causes), ",") {
				t.Errorf("not checked: %+v, want causes %v", o.NotChecked, c.causes)
			}
			for _, g := range o.NotChecked {
				if g.Part == "" || g.FixText("en") == "" {
					t.Errorf("gap without a part or a fix: %+v", g)
				}
			}
			s := Summarize(info, c.dets, 7)
			if s.ExitStatus != o.Exit || s.Level != o.Level || s.Headline != o.Headline || s.NotChecked == nil || s.Events != 7 {
				t.Errorf("summary disagrees with the outcome: %+v", s)
			}
		})
	}
}

func causes(cs []coverage.Cause) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

func TestGapsNameModules(t *testing.T) {
	var mods []results.ModuleInfo
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		mods = append(mods, results.ModuleInfo{Name: "m." + n, Status: results.StatusInterrupted})
	}
	mods = append(mods, results.ModuleInfo{Name: "ios.profiles", Status: results.StatusParsed, Records: 1,
		Gaps: []coverage.Gap{{Part: "profile-2", Cause: coverage.Unreadable, Detail: "bad"}}})
	o := Decide(&results.Info{Modules: mods, Interrupted: true, Indicators: results.Indicators{Total: 1}}, nil)
	if len(o.NotChecked) != 2 {
		t.Fatalf("%+v", o.NotChecked)
	}
	if p := o.NotChecked[0].Part; p != "m.a, m.b, m.c, m.d, m.e, m.f, m.g, m.h … (+2)" {
		t.Errorf("interrupted part %q", p)
	}
	if p := o.NotChecked[1].Part; p != "ios.profiles (profile-2)" {
		t.Errorf("module gap part %q", p)
	}
}

// In a check of several evidences of one phone, an evidence whose modules
// all found nothing to read was not checked, even when the others were:
// the verdict is incomplete and names it. An evidence that was read, or
// one that could not be opened (its own gap), adds nothing here.
func TestSeveralEvidences(t *testing.T) {
	sms := results.ModuleInfo{Name: "ios.sms", Status: results.StatusParsed, Records: 3}
	capture := results.ModuleInfo{Name: "net.capture", Status: results.StatusParsed, Records: 9}
	captureAbsent := results.ModuleInfo{Name: "net.capture", Status: results.StatusAbsent}
	dnsAbsent := results.ModuleInfo{Name: "net.dns_log", Status: results.StatusAbsent}
	backup := results.EvidenceInfo{Kind: source.IOSBackup, Path: "/cases/backup", Modules: []string{"ios.sms"}}
	network := results.EvidenceInfo{Kind: source.Network, Path: "/cases/net", Modules: []string{"net.capture", "net.dns_log"}}
	unopened := results.EvidenceInfo{Kind: results.KindUnopened, Path: "/cases/notes.txt",
		Gaps: []coverage.Gap{{Part: "/cases/notes.txt", Cause: coverage.Unreadable, Detail: "not evidence huella reads"}}}
	cases := []struct {
		name      string
		mods      []results.ModuleInfo
		evs       []results.EvidenceInfo
		exit      int
		notChecks []string
	}{
		{"both read", []results.ModuleInfo{sms, capture, dnsAbsent}, []results.EvidenceInfo{backup, network}, 0, nil},
		{"the network evidence gave nothing", []results.ModuleInfo{sms, captureAbsent, dnsAbsent}, []results.EvidenceInfo{backup, network}, 3,
			[]string{"/cases/net (network)"}},
		{"one not opened", []results.ModuleInfo{sms}, []results.EvidenceInfo{backup, unopened}, 3, []string{"/cases/notes.txt"}},
		{"one evidence alone is the check's own case", []results.ModuleInfo{sms}, []results.EvidenceInfo{backup}, 0, nil},
	}
	for _, c := range cases {
		info := &results.Info{Evidence: c.evs[0], Evidences: c.evs, Modules: c.mods, Indicators: results.Indicators{Total: 10}}
		o := Decide(info, nil)
		var parts []string
		for _, g := range o.NotChecked {
			parts = append(parts, g.Part)
		}
		if o.Exit != c.exit || strings.Join(parts, ",") != strings.Join(c.notChecks, ",") {
			t.Errorf("%s: exit %d, not checked %v; want %d, %v", c.name, o.Exit, parts, c.exit, c.notChecks)
		}
	}
}

// A custody window no dated source covers leaves the analyst's question
// unanswered: the check is incomplete, not clean. A covered window changes
// nothing.
func TestUncoveredCustodyWindow(t *testing.T) {
	w, err := custody.Parse("2026-11-20T14:00:00-06:00/PT4H")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		coverage string
		exit     int
	}{
		{"covered", custody.Covers, 0},
		{"every source ends before", custody.EndsBefore, 3},
	} {
		info := &results.Info{Indicators: results.Indicators{Total: 10},
			Modules: []results.ModuleInfo{{Name: "ios.sms", Status: results.StatusParsed, Records: 3}},
			Custody: &custody.Summary{Window: w, Sources: []custody.Source{{Module: "ios.sms", Coverage: c.coverage}}}}
		o := Decide(info, nil)
		if o.Exit != c.exit || (c.exit == 3) != (len(o.NotChecked) == 1 && o.NotChecked[0].Cause == coverage.Uncovered) {
			t.Errorf("%s: exit %d, not checked %+v", c.name, o.Exit, o.NotChecked)
		}
	}
	info := &results.Info{Indicators: results.Indicators{Total: 10},
		Modules: []results.ModuleInfo{{Name: "ios.sms", Status: results.StatusParsed, Records: 3}},
		Custody: &custody.Summary{Window: w}}
	if o := Decide(info, nil); o.Exit != 3 || !strings.Contains(o.NotChecked[0].Reason("es"), "ventana de custodia 2026-11-20 14:00") {
		t.Errorf("no dated source at all: exit %d, %+v", o.Exit, o.NotChecked)
	}
}

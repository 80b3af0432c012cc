// Package outcome decides what a run means: the verdict level, its headline,
// the exit status, and the list of what was not checked with how to fix it.
// It is the only place this is decided. The console summary, report.html (in
// every language), info.json's summary and the exit status all come from
// Decide, so they can never disagree.
//
// Inputs are what info.json records (module coverage, evidence gaps,
// indicator files, interruption) and the detections, so a saved results
// folder gives the same outcome when `huella report` reads it again.
package outcome

import (
	"fmt"
	"sort"
	"strings"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/rules"
)

// Verdict levels; the report colours by them.
const (
	LevelCritical   = "critical"
	LevelHigh       = "high"
	LevelMedium     = "medium"
	LevelLow        = "low"
	LevelNone       = "none"       // nothing found, everything checked
	LevelIncomplete = "incomplete" // nothing (high) found, but something was not checked
	LevelError      = "error"      // nothing could be checked
)

// Headline keys (internal/report/i18n holds their text in each language).
const (
	HeadlineFoundCampaigns = "verdict.found_campaigns"
	HeadlineFoundHigh      = "verdict.found_high"
	HeadlineFoundMedium    = "verdict.found_medium"
	HeadlineFoundLow       = "verdict.found_low"
	HeadlineNone           = "verdict.none"
	HeadlineIncomplete     = "verdict.none_partial"
	HeadlineNothingChecked = "verdict.nothing_checked"
	HeadlineInterrupted    = "verdict.interrupted"
)

// Outcome is the decision.
type Outcome struct {
	Level    string
	Headline string // catalogue key
	// Campaigns are the campaigns of high or critical indicator matches,
	// named in the found_campaigns headline.
	Campaigns []string
	Exit      int
	// NotChecked is every part that should have been checked and was not.
	NotChecked []coverage.Gap
	// Checked counts the modules that read something.
	Checked int
	Highest model.Severity // -1 when nothing was found
}

// maxListed bounds the module names folded into one gap's detail.
const maxListed = 8

// Decide computes the outcome of a run.
func Decide(info *results.Info, dets []model.Detection) Outcome {
	o := Outcome{Highest: -1}
	seen := map[string]bool{}
	// A good sign (Lockdown Mode on: a rule of category "good") is not a
	// finding: the report shows it apart, and it must not turn "nothing
	// found" into "minor observations".
	dets = withoutGoodSigns(dets)
	for _, d := range dets {
		o.Highest = max(o.Highest, d.Severity)
	}
	for _, d := range dets {
		if d.Severity >= model.High && d.Kind == model.ByIndicator && d.Indicator != nil {
			name := d.Indicator.Campaign
			if name == "" {
				name = d.Indicator.File
			}
			if name != "" && !seen[name] {
				seen[name] = true
				o.Campaigns = append(o.Campaigns, name)
			}
		}
	}

	gaps, explained := gapsOf(info)
	for _, m := range info.Modules {
		switch m.Status {
		case results.StatusParsed, results.StatusEmpty:
			o.Checked++
		case results.StatusFailed, results.StatusInterrupted:
			if m.Records > 0 {
				o.Checked++
			}
		}
	}
	if o.Checked == 0 && !info.Interrupted && !explained {
		part := "this " + string(info.Evidence.Kind) + " evidence"
		if info.Evidence.Path != "" {
			part = fmt.Sprintf("%s (%s)", info.Evidence.Path, info.Evidence.Kind)
		}
		gaps = append(gaps, coverage.Gap{Part: part, Cause: coverage.NothingFound,
			Detail: "none of its modules found the artifact it reads"})
	}
	gaps = append(gaps, emptyEvidences(info)...)
	o.NotChecked = gaps
	if o.NotChecked == nil {
		o.NotChecked = []coverage.Gap{}
	}

	switch {
	case o.Highest >= model.High:
		o.Level = o.Highest.String()
		o.Headline = HeadlineFoundHigh
		if len(o.Campaigns) > 0 {
			o.Headline = HeadlineFoundCampaigns
		}
	case info.Interrupted && o.Highest < model.Medium:
		o.Level, o.Headline = LevelIncomplete, HeadlineInterrupted
	case o.Checked == 0 && len(dets) == 0:
		o.Level, o.Headline = LevelError, HeadlineNothingChecked
	case o.Highest == model.Medium:
		o.Level, o.Headline = LevelMedium, HeadlineFoundMedium
	case len(gaps) > 0:
		o.Level, o.Headline = LevelIncomplete, HeadlineIncomplete
	case o.Highest >= model.Informational:
		o.Level, o.Headline = LevelLow, HeadlineFoundLow
	default:
		o.Level, o.Headline = LevelNone, HeadlineNone
	}

	switch {
	case info.Interrupted:
		o.Exit = results.ExitInterrupted
	case o.Highest >= model.High:
		o.Exit = results.ExitFound
	case o.Level == LevelError:
		o.Exit = results.ExitError
	case len(gaps) > 0:
		o.Exit = results.ExitPartial
	default:
		o.Exit = results.ExitClean
	}
	return o
}

// withoutGoodSigns drops the findings of rules in the "good" category,
// copying only when there is one to drop.
func withoutGoodSigns(dets []model.Detection) []model.Detection {
	for i := range dets {
		if GoodSign(dets[i]) {
			out := append([]model.Detection(nil), dets[:i]...)
			for _, d := range dets[i+1:] {
				if !GoodSign(d) {
					out = append(out, d)
				}
			}
			return out
		}
	}
	return dets
}

// GoodSign says whether a finding states a protection that is on (a rule of
// the registry's "good" category): the console and the report show those
// apart from the findings.
func GoodSign(d model.Detection) bool {
	r := rules.Lookup(d.Rule)
	return r != nil && r.Category == rules.Good
}

// gapsOf gathers every gap the run recorded or implies, most important
// first. explained says whether a gap other than "no indicators" accounts
// for parts that were not read.
func gapsOf(info *results.Info) (gaps []coverage.Gap, explained bool) {
	var interrupted, deselected []string
	if info.Indicators.Total == 0 {
		gaps = append(gaps, coverage.Gap{Part: "indicators", Cause: coverage.NoIndicators})
	}
	for _, ev := range info.AllEvidence() {
		for _, g := range ev.Gaps {
			gaps = append(gaps, g)
			explained = true
		}
	}
	// The analyst asked what happened in a custody window: when no dated
	// source covers it, the question was not answered, whatever else was.
	if c := info.Custody; c != nil {
		if covers, _ := c.Covering(); len(covers) == 0 {
			gaps = append(gaps, coverage.Gap{Part: c.Window.Text(), Cause: coverage.Uncovered})
		}
	}
	for _, m := range info.Modules {
		own := m.Gaps
		switch m.Status {
		case results.StatusFailed:
			if !hasCause(own, coverage.TimedOut) {
				gaps = append(gaps, coverage.Gap{Part: m.Name, Cause: coverage.Failed, Detail: m.Error})
			}
			explained = true
		case results.StatusUnreadable:
			if len(own) == 0 {
				detail := ""
				if len(m.Warnings) > 0 {
					detail = m.Warnings[0]
				}
				gaps = append(gaps, coverage.Gap{Part: m.Name, Cause: coverage.Unreadable, Detail: detail})
			}
			explained = true
		case results.StatusInterrupted:
			interrupted = append(interrupted, m.Name)
		case results.StatusSkipped:
			deselected = append(deselected, m.Name)
		}
		for _, g := range own {
			if g.Part != m.Name && !strings.HasPrefix(g.Part, m.Name+" ") {
				g.Part = m.Name + " (" + g.Part + ")"
			}
			gaps = append(gaps, g)
			explained = true
		}
	}
	switch {
	case len(interrupted) > 0:
		gaps = append([]coverage.Gap{{Part: modulesPart(interrupted), Cause: coverage.Interrupted}}, gaps...)
	case info.Interrupted:
		gaps = append([]coverage.Gap{{Part: "the check", Cause: coverage.Interrupted}}, gaps...)
	}
	if len(deselected) > 0 {
		gaps = append(gaps, coverage.Gap{Part: modulesPart(deselected), Cause: coverage.Deselected})
	}
	return gaps, explained
}

func hasCause(gs []coverage.Gap, c coverage.Cause) bool {
	for _, g := range gs {
		if g.Cause == c {
			return true
		}
	}
	return false
}

// modulesPart names a list of modules compactly and in no language:
// "ios.sms", "a, b, c", or "a, b, ... h (+32)".
func modulesPart(names []string) string {
	sort.Strings(names)
	if len(names) <= maxListed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s … (+%d)", strings.Join(names[:maxListed], ", "), len(names)-maxListed)
}

// Summarize fills info.json's summary block from the outcome.
func Summarize(info *results.Info, dets []model.Detection, events int) results.Summary {
	o := Decide(info, dets)
	s := results.Summary{Detections: len(dets), BySeverity: map[string]int{}, Events: events,
		Level: o.Level, Headline: o.Headline, NotChecked: o.NotChecked, ExitStatus: o.Exit}
	camp := map[string]bool{}
	for _, d := range dets {
		s.BySeverity[d.Severity.String()]++
		if d.Indicator != nil && d.Indicator.Campaign != "" {
			camp[d.Indicator.Campaign] = true
		}
	}
	if o.Highest >= 0 {
		s.Highest = o.Highest.String()
	}
	for c := range camp {
		s.Campaigns = append(s.Campaigns, c)
	}
	sort.Strings(s.Campaigns)
	return s
}

// emptyEvidences are the gaps of a check of several evidences where one of
// them, opened, gave nothing to any of its modules while others did (the
// whole check reading nothing is the case above): that evidence was not
// checked, and the outcome must say so.
func emptyEvidences(info *results.Info) []coverage.Gap {
	if len(info.Evidences) < 2 {
		return nil
	}
	status := map[string]results.ModuleInfo{}
	for _, m := range info.Modules {
		status[m.Name] = m
	}
	var gaps []coverage.Gap
	for _, ev := range info.Evidences {
		if len(ev.Modules) == 0 || len(ev.Gaps) > 0 {
			continue // unopened (its gap says so) or no module applies
		}
		read := false
		for _, name := range ev.Modules {
			m, ok := status[name]
			if !ok || m.Status == results.StatusParsed || m.Status == results.StatusEmpty || m.Records > 0 ||
				m.Status == results.StatusFailed || m.Status == results.StatusUnreadable || m.Status == results.StatusInterrupted || m.Status == results.StatusSkipped {
				read = true
				break
			}
		}
		if !read {
			gaps = append(gaps, coverage.Gap{Part: fmt.Sprintf("%s (%s)", ev.Path, ev.Kind), Cause: coverage.NothingFound,
				Detail: "none of its modules found the artifact it reads"})
		}
	}
	return gaps
}

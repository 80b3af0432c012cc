package report

import (
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
)

// buildVerdict states the outcome in one sentence, by the highest severity
// found. It never says the phone is clean: with no findings it says so
// and lists what was not checked, and partial failures always show.
func buildVerdict(cat *Catalogue, info *results.Info, dets []model.Detection, tl *TimelineInfo) Verdict {
	var v Verdict
	bySev := map[model.Severity]int{}
	highest := model.Severity(-1)
	seen := map[string]bool{}
	var strongCampaigns []string
	for _, d := range dets {
		bySev[d.Severity]++
		if d.Severity > highest {
			highest = d.Severity
		}
		if d.Kind == model.ByIndicator && d.Indicator != nil {
			label := campaignLabel(cat, d.Indicator.Campaign)
			if label == "" {
				label = d.Indicator.File
			}
			if label != "" && !seen[label] {
				seen[label] = true
				v.Campaigns = append(v.Campaigns, label)
				if d.Severity >= model.High {
					strongCampaigns = append(strongCampaigns, label)
				}
			}
		}
	}
	for s := model.Critical; s >= model.Informational; s-- {
		if n := bySev[s]; n > 0 {
			v.Counts = append(v.Counts, Count{Severity: s.String(), Label: cat.T("severity." + s.String()), N: n})
		}
	}

	failed, checked := 0, 0
	for _, m := range info.Modules {
		switch m.Status {
		case results.StatusFailed:
			failed++
			if m.Records > 0 {
				checked++
			}
		case results.StatusParsed, results.StatusEmpty:
			checked++
		}
		switch m.Status {
		case results.StatusAbsent, results.StatusFailed, results.StatusSkipped:
			reason := cat.T("notchecked."+m.Status, "error", m.Error)
			v.NotChecked = append(v.NotChecked, NotChecked{Module: m.Name, Status: m.Status, Reason: reason})
		}
	}

	switch {
	case highest >= model.High && len(strongCampaigns) > 0:
		v.Level = highest.String()
		v.Headline = cat.T("verdict.found_campaigns", "campaigns", joinAnd(cat, strongCampaigns))
	case highest >= model.High:
		v.Level = highest.String()
		v.Headline = cat.T("verdict.found_high")
	case highest == model.Medium:
		v.Level = "medium"
		v.Headline = cat.T("verdict.found_medium")
	case highest >= model.Informational:
		v.Level = "low"
		v.Headline = cat.T("verdict.found_low")
	case checked == 0:
		v.Level = "error"
		v.Headline = cat.T("verdict.nothing_checked")
	case failed > 0 || tl.Truncated || tl.Skipped > 0:
		v.Level = "incomplete"
		v.Headline = cat.T("verdict.none_partial")
	default:
		v.Level = "none"
		v.Headline = cat.T("verdict.none")
	}

	if failed > 0 {
		v.Notes = append(v.Notes, cat.T("verdict.partial", "n", failed))
	}
	if len(info.Evidence.Notes) > 0 {
		v.Notes = append(v.Notes, cat.T("verdict.evidence_notes"))
	}
	if info.Indicators.Total == 0 {
		v.Notes = append(v.Notes, cat.T("verdict.no_indicators"))
	}
	if n := indicatorProblems(info); n > 0 {
		v.Notes = append(v.Notes, cat.T("verdict.indicator_problems", "n", n))
	}
	if tl.Truncated {
		v.Notes = append(v.Notes, cat.T("verdict.events_truncated", "total", tl.Total, "shown", tl.Embedded))
	}
	if info.RecheckOf != "" {
		v.Notes = append(v.Notes, cat.T("verdict.recheck", "dir", info.RecheckOf))
	}
	v.Notes = append(v.Notes, cat.T("verdict.limits"))
	return v
}

func indicatorProblems(info *results.Info) int {
	n := 0
	for _, f := range info.Indicators.Files {
		if f.Error != "" {
			n++
		}
	}
	if n == 0 && info.Indicators.Problems > 0 {
		n = 1
	}
	return n
}

// joinAnd lists names in prose ("A, B and C").
func joinAnd(cat *Catalogue, names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + cat.T("list.and") + names[len(names)-1]
}

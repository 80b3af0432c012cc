package report

import (
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/outcome"
	"github.com/huella-project/huella/internal/results"
)

// buildVerdict renders the run's outcome in the catalogue's language. The
// decision itself (level, headline, what was not checked) is made by
// internal/outcome, the same call that gave the console summary and the
// exit status, so the page can never say more than the check did.
func buildVerdict(cat *Catalogue, info *results.Info, dets []model.Detection, tl *TimelineInfo) Verdict {
	o := outcome.Decide(info, dets)
	v := Verdict{Level: o.Level, Group: outcomeGroup(o.Level)}
	v.Meaning = cat.T("meaning." + v.Group)

	bySev := map[model.Severity]int{}
	seen := map[string]bool{}
	for _, d := range dets {
		if isGood(d.Rule) {
			continue // a good sign is not a finding (see buildGroups)
		}
		bySev[d.Severity]++
		if d.Kind == model.ByIndicator && d.Indicator != nil {
			label := campaignLabel(cat, d.Indicator.Campaign)
			if label == "" {
				label = d.Indicator.File
			}
			if label != "" && !seen[label] {
				seen[label] = true
				v.Campaigns = append(v.Campaigns, label)
			}
		}
	}
	for s := model.Critical; s >= model.Informational; s-- {
		if n := bySev[s]; n > 0 {
			v.Counts = append(v.Counts, Count{Severity: s.String(), Label: cat.T("severity." + s.String()), N: n})
		}
	}
	var strong []string
	for _, c := range o.Campaigns {
		strong = append(strong, campaignLabel(cat, c))
	}
	v.Headline = cat.T(o.Headline, "campaigns", joinAnd(cat, strong))

	for _, g := range o.NotChecked {
		// The reader sees module names; the ids stay in Part (a tooltip).
		part := g.Part
		g.Part = humanPart(cat, g.Part)
		v.NotChecked = append(v.NotChecked, NotChecked{Part: part, Cause: string(g.Cause),
			Reason: g.Reason(cat.Lang), Fix: g.FixText(cat.Lang)})
	}
	for _, m := range info.Modules {
		if m.Status == results.StatusAbsent {
			v.Absent = append(v.Absent, m.Name)
		}
	}

	v.Notes = append(v.Notes, scopeNotes(cat, info, tl)...)
	if len(info.Evidence.Notes) > 0 {
		v.Notes = append(v.Notes, cat.T("verdict.evidence_notes"))
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

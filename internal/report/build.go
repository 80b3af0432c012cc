package report

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // device-local times must work on machines without a zoneinfo database (Windows, minimal containers)

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
)

// Options control how a report is built.
type Options struct {
	Lang string           // catalogue language: "en", "es"; empty means English
	Now  func() time.Time // clock for the "generated" line; nil means time.Now
}

// maxRecordJSON bounds the expert "full record" shown per finding.
const maxRecordJSON = 4000

// BuildData reads a results folder (info.json, detections.json,
// timeline.jsonl) and returns what the template renders.
func BuildData(dir string, opts Options) (*Data, error) {
	cat, err := LoadCatalogue(opts.Lang)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	var info results.Info
	if err := results.ReadJSON(filepath.Join(dir, "info.json"), &info); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var dets results.Detections
	if err := results.ReadJSON(filepath.Join(dir, "detections.json"), &dets); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	results.SortDetections(dets.Detections)

	loc := info.Evidence.Device.Location()
	d := &Data{Lang: cat.Lang, cat: cat}
	d.Generated = cat.T("generated", "time", fmtUTC(now()))
	d.Timeline.TimeZone = info.Evidence.Device.TimeZone
	ev, err := readEvents(filepath.Join(dir, "timeline.jsonl"), &d.Timeline)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if loc != nil {
		ev.Zone = info.Evidence.Device.TimeZone
	}
	d.Events = ev
	d.Groups = buildGroups(cat, dets.Detections, loc)
	d.Coverage = buildCoverage(cat, info.Modules)
	d.Evidence = buildEvidence(info, loc)
	d.Provenance = buildProvenance(info)
	d.Verdict = buildVerdict(cat, &info, dets.Detections, &d.Timeline)
	if d.Verdict.Level == "critical" || d.Verdict.Level == "high" || d.Verdict.Level == "medium" {
		d.NextSteps = cat.List("next.found")
	} else {
		d.NextSteps = cat.List("next.none")
	}
	return d, nil
}

func fmtUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func fmtLocal(t time.Time, loc *time.Location) string {
	if loc == nil {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST") + " (" + loc.String() + ")"
}

func buildGroups(cat *Catalogue, dets []model.Detection, loc *time.Location) []Group {
	var groups []Group
	for i, det := range dets {
		sev := det.Severity.String()
		if len(groups) == 0 || groups[len(groups)-1].Severity != sev {
			groups = append(groups, Group{Severity: sev})
		}
		g := &groups[len(groups)-1]
		g.Findings = append(g.Findings, buildFinding(cat, i, det, loc))
	}
	for i := range groups {
		g := &groups[i]
		g.Label = cat.T("findings.group", "severity", cat.T("severity."+g.Severity), "n", len(g.Findings))
	}
	return groups
}

func buildFinding(cat *Catalogue, i int, det model.Detection, loc *time.Location) Finding {
	f := Finding{
		ID:            "finding-" + strconv.Itoa(i+1),
		Severity:      det.Severity.String(),
		SeverityLabel: cat.T("severity." + det.Severity.String()),
		Kind:          string(det.Kind),
		KindLabel:     cat.T("kind." + string(det.Kind)),
		Rule:          det.Rule,
		Module:        det.Module,
		What:          det.Reason,
		Observable:    det.Observable,
		Indicator:     det.Indicator,
		WhenUTC:       cat.T("f.when_unknown"),
	}
	t := det.Time
	if t == nil && det.Record != nil {
		t = det.Record.FirstTime()
	}
	if t != nil {
		u := t.Unix()
		f.Unix = &u
		f.WhenUTC = fmtUTC(*t)
		f.WhenLocal = fmtLocal(*t, loc)
	}
	if det.Record != nil {
		f.Source = det.Record.Source
		f.Record = det.Record.Summary
		if b, err := json.MarshalIndent(det.Record, "", "  "); err == nil {
			f.RecordJSON = clip(string(b), maxRecordJSON)
		}
	}
	if det.Indicator != nil {
		f.Campaign = campaignLabel(cat, det.Indicator.Campaign)
	}
	for _, e := range det.Related {
		f.Related = append(f.Related, RelatedEvent{WhenUTC: fmtUTC(e.Time), Module: e.Module, Desc: e.Desc, Summary: e.Summary})
	}
	f.Strength, f.Why, f.Benign = explain(cat, det, f.Campaign)
	return f
}

// campaignLabel names a campaign the way people know it ("NSO Group's
// Pegasus"), from the catalogue; unknown names are shown as published.
func campaignLabel(cat *Catalogue, name string) string {
	if name == "" {
		return ""
	}
	key := "campaign." + normalise(name)
	if cat.Has(key) {
		return cat.T(key)
	}
	return name
}

func normalise(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// observableGroup folds observable kinds that share one explanation.
func observableGroup(k model.Kind) string {
	switch k {
	case model.KindCertSHA1, model.KindCertSHA256, model.KindCertMD5:
		return "cert"
	case model.KindSHA256, model.KindSHA1, model.KindMD5:
		return "hash"
	}
	return string(k)
}

// explain picks the catalogue texts for a finding: by rule id first, then
// by what kind of value matched, then a generic text.
func explain(cat *Catalogue, det model.Detection, campaign string) (strength, why string, benign []string) {
	feed := ""
	if det.Indicator != nil {
		feed = det.Indicator.File
	}
	if campaign == "" {
		campaign = feed
	}
	obs := ""
	if det.Observable != nil {
		obs = observableGroup(det.Observable.Kind)
	}
	switch det.Kind {
	case model.ByIndicator:
		switch obs {
		case "url", "domain", "ip", "email":
			strength = cat.T("strength.moderate")
		default:
			strength = cat.T("strength.strong")
		}
	case model.ByCorrelation:
		strength = cat.T("strength.pattern")
	default:
		strength = cat.T("strength.lead")
	}

	args := []any{"feed", feed, "campaign", campaign}
	switch {
	case det.Rule != "" && cat.Has("why.rule."+det.Rule):
		why = cat.T("why.rule."+det.Rule, args...)
	case det.Kind == model.ByIndicator && cat.Has("why.indicator."+obs):
		why = cat.T("why.indicator."+obs, args...)
	case det.Kind == model.ByIndicator:
		why = cat.T("why.indicator.generic", args...)
	case det.Kind == model.ByCorrelation:
		why = cat.T("why.correlation")
	default:
		why = cat.T("why.heuristic")
	}

	if det.Rule != "" {
		benign = cat.List("benign.rule." + det.Rule)
	}
	if len(benign) == 0 && det.Kind == model.ByIndicator {
		benign = cat.List("benign.indicator." + obs)
	}
	if len(benign) == 0 && det.Kind != model.ByIndicator {
		benign = cat.List("benign.heuristic")
	}
	benign = append(benign, cat.List("benign.generic")...)
	return strength, why, benign
}

func buildCoverage(cat *Catalogue, mods []results.ModuleInfo) []Coverage {
	out := make([]Coverage, 0, len(mods))
	for _, m := range mods {
		c := Coverage{Module: m.Name, Description: m.Description, Status: m.Status, Records: m.Records,
			Detections: m.Detections, Error: m.Error, Warnings: m.Warnings, Artifacts: m.Artifacts}
		c.StatusLabel = cat.T("status."+m.Status, "n", m.Records)
		out = append(out, c)
	}
	// Failures first: they are what a reader must not miss.
	sort.SliceStable(out, func(i, j int) bool {
		return statusRank(out[i].Status) < statusRank(out[j].Status)
	})
	return out
}

func statusRank(s string) int {
	switch s {
	case results.StatusFailed, results.StatusUnreadable, results.StatusInterrupted:
		return 0
	case results.StatusParsed:
		return 1
	case results.StatusEmpty:
		return 2
	case results.StatusAbsent:
		return 3
	}
	return 4
}

func buildEvidence(info results.Info, loc *time.Location) EvidenceView {
	dev := info.Evidence.Device
	v := EvidenceView{Kind: string(info.Evidence.Kind), Path: info.Evidence.Path, ID: dev.ID,
		TimeZone: dev.TimeZone, Notes: info.Evidence.Notes, RecheckOf: info.RecheckOf}
	v.Device = joinNonEmpty(" · ", dev.Name, dev.Model)
	v.OS = joinNonEmpty(" ", platformName(dev.Platform, info.Evidence.Kind), dev.OSVersion, paren(dev.Build))
	if dev.Acquired != nil {
		v.Acquired = fmtUTC(*dev.Acquired)
		if l := fmtLocal(*dev.Acquired, loc); l != "" {
			v.Acquired += " — " + l
		}
	}
	return v
}

func platformName(p string, k source.Kind) string {
	switch {
	case p == "ios" || p == "" && k.IsIOS():
		return "iOS"
	case p == "android" || p == "" && strings.HasPrefix(string(k), "android"):
		return "Android"
	}
	return p
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

func buildProvenance(info results.Info) Provenance {
	p := Provenance{
		Tool:            joinNonEmpty(" ", info.Tool.Name, info.Tool.Version, paren(info.Tool.Commit)),
		Command:         strings.Join(info.Command, " "),
		Started:         fmtUTC(info.Started),
		Finished:        fmtUTC(info.Finished),
		IndicatorsTotal: info.Indicators.Total,
		Lock:            info.Indicators.Lock,
		Inputs:          []FileRow{},
		Indicators:      []IndicatorRow{},
	}
	for _, in := range info.Inputs {
		p.Inputs = append(p.Inputs, FileRow{Path: in.Path, Size: in.Size, SHA256: in.SHA256})
	}
	for _, f := range info.Indicators.Files {
		name := f.Name
		if name == "" {
			name = filepath.Base(f.Path)
		}
		p.Indicators = append(p.Indicators, IndicatorRow{Name: name, SHA256: f.SHA256,
			Indicators: f.Indicators, Counts: countsText(f.Counts), Error: f.Error})
	}
	return p
}

func countsText(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+strconv.Itoa(m[k]))
	}
	return strings.Join(parts, ", ")
}

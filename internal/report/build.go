package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // device-local times must work on machines without a zoneinfo database (Windows, minimal containers)

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/outcome"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/shellquote"
	"github.com/huella-project/huella/internal/source"
)

// Options control how a report is built.
type Options struct {
	Lang string           // catalogue language: "en", "es"; empty means English
	Now  func() time.Time // clock for the "generated" line; nil means time.Now
	// TempDir is where the timeline's columns spill past their memory
	// bound ("" = a private folder of their own).
	TempDir string
	// MaxEvents caps the timeline events embedded in the page (0 is
	// DefaultMaxEvents); past it they are counted and the cut announced.
	MaxEvents int
}

// maxRecordJSON bounds the expert "full record" shown per finding.
const maxRecordJSON = 4000

// BuildData reads a results folder (info.json, detections.json,
// timeline.jsonl) and returns what the template renders.
func BuildData(dir string, opts Options) (*Data, error) { return buildData(dir, opts, nil) }

// BuildDataFrom is BuildData with the timeline the check's merge pass
// handed over (tl) instead of timeline.jsonl.
func BuildDataFrom(dir string, opts Options, tl *Timeline) (*Data, error) {
	if tl == nil {
		return nil, errors.New("report: no timeline given")
	}
	return buildData(dir, opts, tl)
}

func buildData(dir string, opts Options, tl *Timeline) (*Data, error) {
	cat, err := LoadCatalogue(opts.Lang)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	info, dets, err := results.ReadRun(dir)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	results.SortDetections(dets.Detections)

	loc := info.Evidence.Device.Location()
	d := &Data{Lang: cat.Lang, cat: cat}
	d.Generated = cat.T("generated", "time", fmtUTC(now()))
	var ev *Events
	if tl != nil {
		if tl.cat.Lang != cat.Lang {
			return nil, fmt.Errorf("report: the timeline was built for %q, not %q", tl.cat.Lang, cat.Lang)
		}
		if ev, err = tl.finish(&d.Timeline); err != nil {
			return nil, err
		}
		for _, u := range tl.untranslated {
			d.noteUntranslated(u[0], u[1])
		}
	} else if ev, err = readEventsIn(filepath.Join(dir, "timeline.jsonl"), &d.Timeline, cat, eventTexts(cat, dets.Detections, d.noteUntranslated), opts.TempDir, limits{events: opts.MaxEvents}); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	d.Timeline.TimeZone = info.Evidence.Device.TimeZone
	if loc != nil {
		ev.Zone = info.Evidence.Device.TimeZone
	}
	d.Events = ev
	if loc != nil && d.Timeline.Total > 0 {
		d.Timeline.FirstLocal = fmtLocal(time.Unix(ev.first, 0), loc)
		d.Timeline.LastLocal = fmtLocal(time.Unix(ev.last, 0), loc)
	}
	d.Groups, d.GoodSigns = buildGroups(d, cat, dets.Detections, loc)
	if err := buildCustody(d, dir, &info, dets.Detections, loc); err != nil {
		return nil, fmt.Errorf("report: custody window: %w", err)
	}
	if err := buildProcesses(d, dir, dets.Detections); err != nil {
		return nil, fmt.Errorf("report: processes seen: %w", err)
	}
	d.Coverage, d.Absent = buildCoverage(cat, info.Modules)
	d.Evidence = buildEvidence(cat, info, loc)
	d.Provenance = buildProvenance(info)
	d.Verdict = buildVerdict(cat, &info, dets.Detections, &d.Timeline)
	d.NextSteps = cat.List(nextStepsKey(d.Verdict.Group))
	d.Glossary = glossary(cat)
	return d, nil
}

// eventTexts translates the summary of one timeline event. Findings are on
// the timeline as events of their own ("finding:<rule>", with the finding's
// English text); they are rendered from the registry like the finding
// itself. Record summaries go through the modules' templates.
func eventTexts(cat *Catalogue, dets []model.Detection, missed func(module, summary string)) func(module, desc, summary string) string {
	findings := map[string]string{}
	for i := range dets {
		d := &dets[i]
		if rules.Lookup(d.Rule) != nil {
			findings[d.Module+"\x00"+d.Rule+"\x00"+d.Reason] = rules.DetectionText(d, cat.Lang)
		}
	}
	return func(module, desc, summary string) string {
		if rule, ok := strings.CutPrefix(desc, "finding:"); ok {
			if s, ok := findings[module+"\x00"+rule+"\x00"+summary]; ok {
				return s
			}
		}
		segs, ok := translateSummary(module, summary, cat.Lang)
		if !ok && missed != nil {
			missed(module, summary)
		}
		return joinSegments(segs)
	}
}

func fmtUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func fmtLocal(t time.Time, loc *time.Location) string {
	if loc == nil {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST") + " (" + loc.String() + ")"
}

// buildGroups puts the findings in groups of one severity, most severe
// first (detections.json is sorted so), and sets apart the good signs: a
// protection that is on is not a finding to review.
func buildGroups(d *Data, cat *Catalogue, dets []model.Detection, loc *time.Location) (groups []Group, good []Finding) {
	for i, det := range dets {
		if isGood(det.Rule) {
			good = append(good, buildFinding(d, cat, i, det, loc))
			continue
		}
		sev := det.Severity.String()
		if len(groups) == 0 || groups[len(groups)-1].Severity != sev {
			groups = append(groups, Group{Severity: sev})
		}
		g := &groups[len(groups)-1]
		g.Findings = append(g.Findings, buildFinding(d, cat, i, det, loc))
	}
	for i := range groups {
		g := &groups[i]
		g.Label = cat.T("findings.group", "severity", cat.T("severity."+g.Severity), "n", len(g.Findings))
		sev, _ := model.ParseSeverity(g.Severity)
		g.Open = i == 0 || sev >= model.Medium
	}
	return groups, good
}

// isGood says whether a rule states a good sign (the registry's "good"
// category).
func isGood(rule string) bool { return outcome.GoodSign(model.Detection{Rule: rule}) }

func buildFinding(d *Data, cat *Catalogue, i int, det model.Detection, loc *time.Location) Finding {
	f := Finding{
		ID:            "finding-" + strconv.Itoa(i+1),
		Severity:      det.Severity.String(),
		SeverityLabel: cat.T("severity." + det.Severity.String()),
		Kind:          string(det.Kind),
		KindLabel:     cat.T("kind." + string(det.Kind)),
		Rule:          det.Rule,
		Module:        det.Module,
		ModuleName:    ModuleName(cat, det.Module),
		Observable:    det.Observable,
		Indicator:     det.Indicator,
		WhenUTC:       cat.T("f.when_unknown"),
	}
	// The title comes from the rules registry in the reader's language; a
	// finding of a rule the registry does not know (results written by an
	// older huella) keeps the English it was written with.
	if segs := rules.RenderSegments(cat.Lang, det.Rule, det.Params, det.Context); len(segs) > 0 {
		f.WhatParts = segs
	} else {
		f.WhatParts = []rules.Segment{{Text: det.Reason}}
	}
	f.What = joinSegments(f.WhatParts)
	if r := rules.Lookup(det.Rule); r != nil {
		f.Category = string(r.Category)
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
		mod := det.Record.Module
		if mod == "" {
			mod = det.Module
		}
		var ok bool
		if f.RecordParts, ok = translateSummary(mod, det.Record.Summary, cat.Lang); !ok {
			d.noteUntranslated(mod, det.Record.Summary)
		}
		f.Record = joinSegments(f.RecordParts)
		if b, err := json.MarshalIndent(det.Record, "", "  "); err == nil {
			f.RecordJSON = clip(string(b), maxRecordJSON)
		}
	}
	var campaigns []string
	for _, ref := range det.AllIndicators() {
		if c := campaignLabel(cat, ref.Campaign); c != "" && !slices.Contains(campaigns, c) {
			campaigns = append(campaigns, c)
		}
		f.Indicators = append(f.Indicators, ref)
	}
	f.Campaign = strings.Join(campaigns, ", ")
	for _, e := range det.Related {
		segs, ok := translateSummary(e.Module, e.Summary, cat.Lang)
		if !ok {
			d.noteUntranslated(e.Module, e.Summary)
		}
		f.Related = append(f.Related, RelatedEvent{WhenUTC: fmtUTC(e.Time), WhenLocal: fmtLocal(e.Time, loc),
			Module: e.Module, ModuleName: ModuleName(cat, e.Module), Desc: e.Desc,
			DescLabel: descLabel(cat, e.Desc), Summary: joinSegments(segs), SummaryParts: segs})
	}
	f.Strength, f.Why, f.Benign = explain(cat, det, f.Campaign)
	return f
}

func joinSegments(segs []rules.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

// descLabel names a timeline event ("sms_received") in the reader's
// language; an event the catalogue does not know gives "". File times in
// the MACB notation ("M-CB": modified, metadata changed, created) are
// spelt out.
func descLabel(cat *Catalogue, desc string) string {
	if k := "desc." + desc; cat.Has(k) {
		return cat.T(k)
	}
	if macbRE.MatchString(desc) && desc != "----" {
		var parts []string
		for i, c := range desc {
			if c != '-' {
				parts = append(parts, cat.T("macb."+string("macb"[i])))
			}
		}
		return cat.T("macb.file", "what", strings.Join(parts, ", "))
	}
	return ""
}

var macbRE = regexp.MustCompile(`^[M-][A-][C-][B-]$`)

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

// explain returns the strength line, why the finding matters and its
// possible harmless explanations: from the rules registry in the reader's
// language, or, for a rule it does not know (an older results folder), the
// catalogue's texts by kind of value or of finding.
func explain(cat *Catalogue, det model.Detection, campaign string) (strength, why string, benign []string) {
	obs := ""
	if det.Observable != nil {
		obs = observableGroup(det.Observable.Kind)
	}
	if r := rules.Lookup(det.Rule); r != nil {
		switch {
		case r.Category == rules.Trace && slices.Contains(det.Context, "network") && !slices.Contains(det.Context, "app_contact"):
			strength = cat.T("strength.moderate")
		case r.Category == rules.Trace:
			strength = cat.T("strength.strong")
		default:
			strength = cat.T("strength." + string(r.Category))
		}
		p := det.Params
		if r.Kind == model.ByIndicator && campaign != "" {
			// Campaigns by the names people know them, in the reader's language.
			p = maps.Clone(p)
			p["campaigns"] = campaign
		}
		why = rules.Explain(cat.Lang, det.Rule, p)
		benign = rules.Benign(cat.Lang, det.Rule, p)
		if len(benign) == 0 && (r.Category == rules.Lead || r.Category == rules.Pattern) {
			benign = cat.List("benign.heuristic")
		}
		return strength, why, benign
	}

	feed := ""
	if det.Indicator != nil {
		feed = det.Indicator.File
	}
	if campaign == "" {
		campaign = feed
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
	case det.Kind == model.ByIndicator && cat.Has("why.indicator."+obs):
		why = cat.T("why.indicator."+obs, args...)
	case det.Kind == model.ByIndicator:
		why = cat.T("why.indicator.generic", args...)
	case det.Kind == model.ByCorrelation:
		why = cat.T("why.correlation")
	default:
		why = cat.T("why.heuristic")
	}
	if det.Kind == model.ByIndicator {
		benign = cat.List("benign.indicator." + obs)
	} else {
		benign = cat.List("benign.heuristic")
	}
	benign = append(benign, cat.List("benign.generic")...)
	return strength, why, benign
}

// buildCoverage returns the modules that had something to read (failures
// first), and apart the ones whose artifact this evidence does not hold.
func buildCoverage(cat *Catalogue, mods []results.ModuleInfo) ([]Coverage, []ModuleRef) {
	out := make([]Coverage, 0, len(mods))
	var absent []ModuleRef
	for _, m := range mods {
		if m.Status == results.StatusAbsent {
			// Error names what was looked for ("Calendar.sqlitedb").
			absent = append(absent, ModuleRef{Module: m.Name, Name: ModuleName(cat, m.Name), Looked: m.Error})
			continue
		}
		desc := m.Description
		if k := "module." + m.Name; cat.Lang != DefaultLang && cat.Has(k) {
			desc = cat.T(k)
		}
		c := Coverage{Module: m.Name, Name: ModuleName(cat, m.Name), Description: desc, Status: m.Status, Records: m.Records,
			Detections: m.Detections, Error: m.Error, Warnings: m.Warnings, Artifacts: m.Artifacts}
		c.StatusLabel = cat.T("status."+m.Status, "n", m.Records)
		out = append(out, c)
	}
	// Failures first: they are what a reader must not miss.
	sort.SliceStable(out, func(i, j int) bool {
		return statusRank(out[i].Status) < statusRank(out[j].Status)
	})
	sort.SliceStable(absent, func(i, j int) bool { return absent[i].Name < absent[j].Name })
	return out, absent
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

func buildEvidence(cat *Catalogue, info results.Info, loc *time.Location) EvidenceView {
	v := evidenceView(cat, info.Evidence, loc)
	v.RecheckOf = info.RecheckOf
	if len(info.Evidences) > 1 {
		names := []string{v.KindName}
		for _, e := range info.Evidences[1:] {
			o := evidenceView(cat, e, loc)
			v.Others = append(v.Others, o)
			if !slices.Contains(names, o.KindName) && e.Kind != results.KindUnopened {
				names = append(names, o.KindName)
			}
		}
		v.AllKinds = strings.Join(names, " + ")
	}
	return v
}

// evidenceView is what the page says of one evidence.
func evidenceView(cat *Catalogue, e results.EvidenceInfo, loc *time.Location) EvidenceView {
	dev := e.Device
	v := EvidenceView{Kind: string(e.Kind), KindName: EvidenceKindName(cat, string(e.Kind)), Path: e.Path, ID: dev.ID,
		TimeZone: dev.TimeZone, Notes: e.Notes}
	v.Device = joinNonEmpty(" · ", dev.Name, dev.Model)
	v.OS = joinNonEmpty(" ", platformName(dev.Platform, e.Kind), dev.OSVersion, paren(dev.Build))
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

// MaxListedInputs bounds the input files listed in the page: a full
// file-system dump has hundreds of thousands, and info.json lists them all.
const MaxListedInputs = 200

func buildProvenance(info results.Info) Provenance {
	p := Provenance{
		Tool:            joinNonEmpty(" ", info.Tool.Name, info.Tool.Version, paren(info.Tool.Commit)),
		Command:         shellquote.Join(info.Command),
		Started:         fmtUTC(info.Started),
		Finished:        fmtUTC(info.Finished),
		IndicatorsTotal: info.Indicators.Total,
		Lock:            info.Indicators.Lock,
		Inputs:          []FileRow{},
		Indicators:      []IndicatorRow{},
	}
	all := make([]FileRow, len(info.Inputs))
	for i, in := range info.Inputs {
		all[i] = FileRow{Path: in.Path, Size: in.Size, SHA256: in.SHA256}
		p.InputsBytes += in.Size
	}
	p.InputsTotal = len(all)
	p.InputsDigest, p.DigestSingle = inputsDigest(all)
	p.Inputs = all[:min(len(all), MaxListedInputs)]
	// Folders of too many files to list: their hashes are in files beside
	// the report (one per evidence of a check of several), each SHA-256
	// standing for its evidence's files.
	lists := []*source.InputsList{info.InputsList}
	for _, e := range info.Evidences[min(1, len(info.Evidences)):] {
		lists = append(lists, e.InputsList)
	}
	for _, l := range lists {
		if l != nil {
			p.InputsTotal += l.Files
			p.InputsBytes += l.Bytes
			p.Lists = append(p.Lists, ListRow{File: l.File, Files: l.Files, SHA256: l.SHA256})
		}
	}
	if len(p.Lists) == 1 && len(all) == 0 {
		// One folder, nothing listed inline: its list's SHA-256 stands
		// for the whole evidence.
		p.InputsDigest, p.DigestSingle, p.DigestFile, p.Lists = p.Lists[0].SHA256, false, true, nil
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
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+strconv.Itoa(m[k]))
	}
	return strings.Join(parts, ", ")
}

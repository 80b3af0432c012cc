package report

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/rules"
)

// CustodyView is the report's custody section: every event in the window
// the analyst gave, the ones that mean someone handled the phone first,
// and which sources cover the window. It is computed from timeline.jsonl
// and info.json's window by internal/custody, the code the check's
// correlation rules use, so the section and the findings agree.
type CustodyView struct {
	Window  string          `json:"window"`
	Intro   string          `json:"intro"`
	Groups  []CustodyGroup  `json:"groups,omitempty"`
	Bursts  []string        `json:"bursts,omitempty"`
	Events  []RelatedEvent  `json:"events,omitempty"`
	More    string          `json:"more,omitempty"` // events of the window not listed here
	Covers  []CustodySource `json:"covers,omitempty"`
	Missing []CustodySource `json:"not_covering,omitempty"`
	// Findings are the custody findings, to link to them.
	Findings []CustodyLink `json:"findings,omitempty"`
}

// CustodyLink points at a finding of the page.
type CustodyLink struct {
	ID    string          `json:"id"`
	Text  string          `json:"text"`
	Parts []rules.Segment `json:"-"`
}

// CustodyGroup is the window's events of one kind.
type CustodyGroup struct {
	Kind    string         `json:"kind"`
	Label   string         `json:"label"`
	HandsOn bool           `json:"hands_on,omitempty"`
	N       int            `json:"n"`
	Events  []RelatedEvent `json:"events"`
}

// CustodySource is one module against the window.
type CustodySource struct {
	Module string `json:"module"`
	Name   string `json:"name"`
	Text   string `json:"text"`
}

// Bounds of the section: a busy window holds thousands of events; the
// timeline (and timeline.csv) keep them all.
const (
	maxCustodyListed = 500
	maxCustodyGroup  = 50
)

// buildCustody reads the timeline again for the window of info.json.
func buildCustody(d *Data, dir string, info *results.Info, dets []model.Detection, loc *time.Location) error {
	if info.Custody == nil || info.Custody.Window.IsZero() {
		return nil
	}
	cat := d.cat
	tr := custody.NewTracker(info.Custody.Window)
	_, err := results.ReadTimeline(filepath.Join(dir, "timeline.jsonl"), func(e model.Event) error {
		tr.Observe(e.Time, e.Module, e.Desc, e.Summary, e.Source)
		return nil
	})
	if err != nil {
		return err
	}
	sum := tr.Summary()
	covers, missing := sum.Covering()
	v := &CustodyView{Window: info.Custody.Window.Text()}
	v.Intro = cat.T("custody.intro", "n", strconv.Itoa(sum.Events), "hands", strconv.Itoa(sum.HandsOn()),
		"covers", strconv.Itoa(len(covers)), "sources", strconv.Itoa(len(sum.Sources)))
	event := func(e custody.Event) RelatedEvent {
		segs, ok := translateSummary(e.Module, e.Summary, cat.Lang)
		if !ok {
			d.noteUntranslated(e.Module, e.Summary)
		}
		return RelatedEvent{WhenUTC: fmtUTC(e.Time), WhenLocal: fmtLocal(e.Time, loc), Module: e.Module,
			ModuleName: ModuleName(cat, e.Module), Desc: e.Desc, DescLabel: descLabel(cat, e.Desc),
			Summary: joinSegments(segs), SummaryParts: segs}
	}
	byKind := map[custody.Kind]*CustodyGroup{}
	for _, e := range tr.Events {
		if len(v.Events) < maxCustodyListed {
			v.Events = append(v.Events, event(e))
		}
		if e.Kind == custody.Other {
			continue
		}
		g := byKind[e.Kind]
		if g == nil {
			g = &CustodyGroup{Kind: string(e.Kind), Label: cat.T("custody.kind." + string(e.Kind)), HandsOn: e.Kind.HandsOn()}
			byKind[e.Kind] = g
		}
		if len(g.Events) < maxCustodyGroup {
			g.Events = append(g.Events, event(e))
		}
	}
	for _, k := range custody.Kinds {
		if g := byKind[k]; g != nil {
			g.N = sum.Kinds[k]
			v.Groups = append(v.Groups, *g)
		}
	}
	if n := sum.Events - len(v.Events); n > 0 {
		v.More = cat.T("custody.more", "n", strconv.Itoa(n))
	}
	for _, b := range sum.Bursts {
		v.Bursts = append(v.Bursts, cat.T("custody.burst", "n", strconv.Itoa(b.Crashes), "from", fmtUTC(b.From), "to", fmtUTC(b.To)))
	}
	for _, s := range covers {
		v.Covers = append(v.Covers, CustodySource{Module: s.Module, Name: ModuleName(cat, s.Module),
			Text: cat.T("custody.src.covers", "n", strconv.Itoa(s.InWindow))})
	}
	for _, s := range missing {
		at := s.Last
		if s.Coverage == custody.StartsAfter {
			at = s.First
		}
		v.Missing = append(v.Missing, CustodySource{Module: s.Module, Name: ModuleName(cat, s.Module),
			Text: cat.T("custody.src."+s.Coverage, "time", fmtUTC(at))})
	}
	for i := range dets {
		if isCustodyRule(dets[i].Rule) {
			segs := rules.RenderSegments(cat.Lang, dets[i].Rule, dets[i].Params, dets[i].Context)
			v.Findings = append(v.Findings, CustodyLink{ID: "finding-" + strconv.Itoa(i+1), Text: joinSegments(segs), Parts: segs})
		}
	}
	d.Custody = v
	return nil
}

func isCustodyRule(rule string) bool { return strings.HasPrefix(rule, "correlation.custody.") }

package rules

import (
	"slices"
	"strings"

	"github.com/huella-project/huella/internal/clip"
	"github.com/huella-project/huella/internal/model"
)

// Params are the named values a rule's texts quote. Values are strings so
// a finding reads back from JSON exactly as it was written; lists are
// comma-separated (see Render).
type Params map[string]string

// Finding is what a rule's code returns: which rule, with which values, in
// which circumstances. Its severity comes from the registry. It is the one
// finding type of heuristics, correlation rules and indicator matches.
type Finding struct {
	Rule     string         `json:"rule"`
	Severity model.Severity `json:"severity"`
	Params   Params         `json:"params,omitempty"`
	Context  []string       `json:"context,omitempty"`
	dropped  bool
}

// New makes a finding of r. Context names must be declared by the rule
// (the registry test checks every name the samples produce); an unknown
// name has no effect on the severity.
func (r *Rule) New(p Params, context ...string) Finding {
	ctx := slices.Clone(context)
	slices.Sort(ctx)
	ctx = slices.Compact(ctx)
	if len(ctx) == 0 {
		ctx = nil
	}
	s, drop := r.SeverityIn(ctx)
	return Finding{Rule: r.ID, Severity: s, Params: p, Context: ctx, dropped: drop}
}

// With returns the finding with more context, its severity recomputed.
func (f Finding) With(context ...string) Finding {
	r := Lookup(f.Rule)
	if r == nil {
		return f
	}
	return r.New(f.Params, append(slices.Clone(f.Context), context...)...)
}

// Dropped says whether a context removes the finding (for example a process
// name that matches an Apple binary in its own system folder).
func (f Finding) Dropped() bool { return f.dropped }

// Has says whether the finding was made in the given context.
func (f Finding) Has(context string) bool { return slices.Contains(f.Context, context) }

// Text renders the finding's title in lang (see Render).
func (f Finding) Text(lang string) string { return Render(lang, f.Rule, f.Params, f.Context) }

// Detection turns the finding into a model.Detection about rec (which may
// be nil), with the English text as Reason.
func (f Finding) Detection(rec *model.Record) model.Detection {
	d := model.Detection{Rule: f.Rule, Severity: f.Severity, Reason: f.Text("en"), Context: f.Context, Record: rec}
	if len(f.Params) > 0 {
		d.Params = map[string]string(f.Params)
	}
	if r := Lookup(f.Rule); r != nil {
		d.Kind = r.Kind
	}
	return d
}

// DetectionText renders a detection's title in lang from the registry; a
// detection of a rule the registry does not know (results written by an
// older huella) keeps its Reason.
func DetectionText(d *model.Detection, lang string) string {
	if Lookup(d.Rule) == nil {
		return d.Reason
	}
	return Render(lang, d.Rule, d.Params, d.Context)
}

// Clip shortens evidence text quoted in a finding's parameters to at most
// n bytes (on a rune boundary, with "…") and keeps it valid UTF-8: a crafted
// message or path must not make a finding's text megabytes long, and texts
// end up in JSON and HTML.
func Clip(s string, n int) string {
	return strings.ToValidUTF8(clip.String(s, n), "\uFFFD")
}

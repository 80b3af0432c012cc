// Package rules is the registry of every rule huella applies: heuristics,
// correlation rules and the one rule for indicator matches. Each rule is
// declared once, as data, in registry.yaml (in the spirit of gitleaks' rule
// file): its id, its base severity and the circumstances that raise or lower
// it, its English and Spanish title, explanation and harmless explanations
// with named parameters, and positive and negative samples that the tests run
// through the code that implements the rule.
//
// Code never writes the words a person reads: a rule's implementation names
// its rule by a handle generated from the registry (handles_gen.go, one per
// rule: android.package.sideloaded is rules.AndroidPackageSideloaded, so a
// misspelt id is a compile error; rewrite it with go generate ./internal/rules
// after changing the registry's ids), and returns a Finding that carries the
// rule id, the parameters and the context that applies. The console, the report
// and the exports render the text from here in the reader's language.
//
// Rule ids follow one scheme, area.subject.what, in lower-case snake case:
// "link.host.brand_near", "ios.shutdown.slow_client",
// "android.package.sideloaded", "indicator.feed.match".
package rules

//go:generate go run -tags rulesgen ./gen

import (
	_ "embed"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/huella-project/huella/internal/model"
)

//go:embed registry.yaml
var registryYAML []byte

// Languages are the languages every rule text exists in; English first, the
// fallback for any text a language lacks.
var Languages = []string{"en", "es"}

// Category says what kind of statement a finding makes, which decides how a
// report introduces it: a trace of spyware is not said the same way as a
// setting that makes an attack easier.
type Category string

const (
	Trace   Category = "trace"   // a value on the phone matches a published indicator
	Lead    Category = "lead"    // a rule saw something spyware has caused before
	Pattern Category = "pattern" // several events together match a known attack
	Risk    Category = "risk"    // something that weakens the phone's protection, not a sign of infection
	Note    Category = "note"    // context for the analyst: a limit of the evidence
	Good    Category = "good"    // a protection that is on
)

// Rule is one registry entry.
type Rule struct {
	ID       string
	Kind     model.DetectionKind
	Category Category
	Severity model.Severity // before any context applies
	Context  []Context      // applied in this order when the finding names them
	Text     map[string]Text
	// Check names the code the samples run through (see the registry test).
	Check   string
	Samples Samples
}

// Context is one circumstance that changes a rule's severity. Set replaces
// the severity, Raise moves it up (or down when negative), Max caps it, and
// Drop removes the finding altogether. Text, when present, is a sentence
// added to the finding's title in each language.
type Context struct {
	When  string
	Set   *model.Severity
	Raise int
	Max   *model.Severity
	Drop  bool
	Text  map[string]string
	Doc   string // why the context changes the severity, for the registry's readers
}

// Text is what a person reads about a finding of the rule.
type Text struct {
	Title   string   // what was seen, one sentence with {param} placeholders
	Explain string   // why it matters
	Benign  []string // possible harmless explanations
}

// Samples are inputs to the rule's code: positives must produce a finding
// of the rule, negatives must not.
type Samples struct {
	Positive []Sample
	Negative []Sample
}

// Sample is one input, as named values (see the registry test for the
// names each Check understands). "severity" in a positive sample is the
// severity the finding must have.
type Sample map[string]any

var (
	loadOnce sync.Once
	registry *Registry
	loadErr  error
)

// Registry is the parsed registry.yaml.
type Registry struct {
	Rules []*Rule
	byID  map[string]*Rule
	terms map[string]map[string]string // key -> lang -> text
}

func load() (*Registry, error) {
	loadOnce.Do(func() { registry, loadErr = Parse(registryYAML) })
	return registry, loadErr
}

// Default is the registry built into huella. It panics if registry.yaml
// does not parse, which the package's tests catch before any release.
func Default() *Registry {
	r, err := load()
	if err != nil {
		panic("rules: registry.yaml: " + err.Error())
	}
	return r
}

// All returns every rule, in registry order.
func All() []*Rule { return Default().Rules }

// Lookup returns the rule with this id, or nil.
func Lookup(id string) *Rule { return Default().byID[id] }

// Must returns the rule with this id and panics when there is none. The
// generated handles (handles_gen.go) are made with it, so a handle whose
// rule left the registry stops the program at start until the handles are
// generated again.
func Must(id string) *Rule {
	r := Lookup(id)
	if r == nil {
		panic("rules: no rule " + id + " in registry.yaml (after changing the registry's ids, run go generate ./internal/rules)")
	}
	return r
}

// Term returns the text of a term (a word or phrase a parameter value
// stands for, such as a lure theme) in lang, falling back to English.
func (g *Registry) Term(key, lang string) (string, bool) {
	t, ok := g.terms[key]
	if !ok {
		return "", false
	}
	if s := t[lang]; s != "" {
		return s, true
	}
	return t["en"], t["en"] != ""
}

// Term is Default().Term.
func Term(key, lang string) (string, bool) { return Default().Term(key, lang) }

// TermKeys lists every term key, sorted (for tests).
func (g *Registry) TermKeys() []string {
	keys := slices.Sorted(maps.Keys(g.terms))
	return keys
}

// IDPattern is the one id scheme: area.subject.what.
var IDPattern = regexp.MustCompile(`^[a-z]+\.[a-z0-9_]+\.[a-z0-9_]+$`)

// yaml shapes.
type yamlRegistry struct {
	Terms map[string]map[string]string `yaml:"terms"`
	Rules []yamlRule                   `yaml:"rules"`
}

type yamlRule struct {
	ID       string                  `yaml:"id"`
	Kind     string                  `yaml:"kind"`
	Category string                  `yaml:"category"`
	Severity string                  `yaml:"severity"`
	Check    string                  `yaml:"check"`
	Context  []yamlContext           `yaml:"context"`
	Text     map[string]yamlText     `yaml:"text"`
	Samples  map[string][]yamlSample `yaml:"samples"`
}

type yamlContext struct {
	When  string            `yaml:"when"`
	Set   string            `yaml:"set"`
	Raise int               `yaml:"raise"`
	Max   string            `yaml:"max"`
	Drop  bool              `yaml:"drop"`
	Doc   string            `yaml:"doc"`
	Text  map[string]string `yaml:"text"`
}

type yamlText struct {
	Title   string   `yaml:"title"`
	Explain string   `yaml:"explain"`
	Benign  []string `yaml:"benign"`
}

type yamlSample = map[string]any

// Parse reads a registry and checks what the code relies on: one rule per
// id, ids in the scheme, known kinds, categories and severities. The
// registry test checks the rest (texts, parameters, samples).
func Parse(data []byte) (*Registry, error) {
	var y yamlRegistry
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&y); err != nil {
		return nil, err
	}
	g := &Registry{byID: map[string]*Rule{}, terms: y.Terms}
	if g.terms == nil {
		g.terms = map[string]map[string]string{}
	}
	sev := func(id, s string) (*model.Severity, error) {
		if s == "" {
			return nil, nil
		}
		v, ok := model.ParseSeverity(s)
		if !ok {
			return nil, fmt.Errorf("rule %s: unknown severity %q", id, s)
		}
		return &v, nil
	}
	for _, yr := range y.Rules {
		if !IDPattern.MatchString(yr.ID) {
			return nil, fmt.Errorf("rule id %q is not area.subject.what in lower-case snake case", yr.ID)
		}
		if _, dup := g.byID[yr.ID]; dup {
			return nil, fmt.Errorf("rule %s is declared twice", yr.ID)
		}
		r := &Rule{ID: yr.ID, Kind: model.DetectionKind(yr.Kind), Category: Category(yr.Category), Check: yr.Check, Text: map[string]Text{}}
		switch r.Kind {
		case model.ByIndicator, model.ByHeuristic, model.ByCorrelation:
		default:
			return nil, fmt.Errorf("rule %s: unknown kind %q", yr.ID, yr.Kind)
		}
		switch r.Category {
		case Trace, Lead, Pattern, Risk, Note, Good:
		default:
			return nil, fmt.Errorf("rule %s: unknown category %q", yr.ID, yr.Category)
		}
		base, err := sev(yr.ID, yr.Severity)
		if err != nil {
			return nil, err
		}
		if base == nil {
			return nil, fmt.Errorf("rule %s: no severity", yr.ID)
		}
		r.Severity = *base
		for _, yc := range yr.Context {
			c := Context{When: yc.When, Raise: yc.Raise, Drop: yc.Drop, Doc: yc.Doc, Text: yc.Text}
			if c.When == "" {
				return nil, fmt.Errorf("rule %s: a context without 'when'", yr.ID)
			}
			if c.Set, err = sev(yr.ID, yc.Set); err != nil {
				return nil, err
			}
			if c.Max, err = sev(yr.ID, yc.Max); err != nil {
				return nil, err
			}
			r.Context = append(r.Context, c)
		}
		for lang, t := range yr.Text {
			r.Text[lang] = Text{Title: strings.TrimSpace(t.Title), Explain: strings.TrimSpace(t.Explain), Benign: t.Benign}
		}
		for k, list := range yr.Samples {
			var out []Sample
			for _, s := range list {
				out = append(out, Sample(s))
			}
			switch k {
			case "positive":
				r.Samples.Positive = out
			case "negative":
				r.Samples.Negative = out
			default:
				return nil, fmt.Errorf("rule %s: samples %q: want positive or negative", yr.ID, k)
			}
		}
		g.Rules = append(g.Rules, r)
		g.byID[r.ID] = r
	}
	return g, nil
}

// ContextNames lists the contexts a rule knows, in order.
func (r *Rule) ContextNames() []string {
	out := make([]string, 0, len(r.Context))
	for _, c := range r.Context {
		out = append(out, c.When)
	}
	return out
}

// HasContext says whether the rule declares the context.
func (r *Rule) HasContext(when string) bool { return slices.Contains(r.ContextNames(), when) }

// SeverityIn computes the severity under the given contexts, and whether a
// context drops the finding.
func (r *Rule) SeverityIn(context []string) (model.Severity, bool) {
	s := r.Severity
	for _, c := range r.Context {
		if !slices.Contains(context, c.When) {
			continue
		}
		if c.Drop {
			return s, true
		}
		if c.Set != nil {
			s = *c.Set
		}
		s += model.Severity(c.Raise)
		if c.Max != nil && s > *c.Max {
			s = *c.Max
		}
		s = min(max(s, model.Informational), model.Critical)
	}
	return s, false
}

package report

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/huella-project/huella/internal/rules"
)

// Record summaries are written by modules in English (they are also what
// timeline.jsonl and the CSV carry). A report in another language reads a
// summary back with its module's English template (i18n/summaries.yaml) and
// writes the same values in the reader's language. Modules need no
// per-language code, and results folders written before a translation
// existed are translated too.

//go:embed i18n/summaries.yaml
var summariesYAML []byte

type summaryFile struct {
	Words     map[string]string            `yaml:"words"`
	Summaries map[string][]summaryTemplate `yaml:"summaries"`
}

type summaryTemplate struct {
	EN   string           `yaml:"en"`
	ES   string           `yaml:"es"`
	Then []summaryOptPart `yaml:"then"`
}

type summaryOptPart struct {
	EN string `yaml:"en"`
	ES string `yaml:"es"`
}

// compiledSummary is one template: its English form as a regular
// expression, and the parts to write per language.
type compiledSummary struct {
	re    *regexp.Regexp
	names []string            // capture group order: placeholder names
	out   map[string][]string // lang -> base template, then the optional parts
}

type summaryCatalogue struct {
	words   map[string]string
	modules map[string][]compiledSummary
}

var (
	summariesOnce sync.Once
	summaries     *summaryCatalogue
	summariesErr  error
)

func loadSummaries() (*summaryCatalogue, error) {
	summariesOnce.Do(func() { summaries, summariesErr = parseSummaries(summariesYAML) })
	return summaries, summariesErr
}

func parseSummaries(data []byte) (*summaryCatalogue, error) {
	var f summaryFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("i18n/summaries.yaml: %w", err)
	}
	c := &summaryCatalogue{words: f.Words, modules: map[string][]compiledSummary{}}
	for mod, list := range f.Summaries {
		for _, t := range list {
			cs, err := compileSummary(t)
			if err != nil {
				return nil, fmt.Errorf("i18n/summaries.yaml: %s: %w", mod, err)
			}
			c.modules[mod] = append(c.modules[mod], cs)
		}
	}
	return c, nil
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)(?::word)?\}`)

// compileSummary turns "Receiver {receiver} listens for {intent}" into
// ^Receiver (.*?) listens for (.*?)$, with each optional ending a
// non-capturing optional group in order.
func compileSummary(t summaryTemplate) (compiledSummary, error) {
	cs := compiledSummary{out: map[string][]string{"en": {t.EN}, "es": {t.ES}}}
	var re strings.Builder
	re.WriteString("^")
	add := func(tmpl string) {
		last := 0
		for _, m := range placeholder.FindAllStringSubmatchIndex(tmpl, -1) {
			re.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
			re.WriteString("(.*?)")
			cs.names = append(cs.names, tmpl[m[2]:m[3]])
			last = m[1]
		}
		re.WriteString(regexp.QuoteMeta(tmpl[last:]))
	}
	add(t.EN)
	for i, p := range t.Then {
		// A capturing group around each optional ending tells whether the
		// line had it, values or not.
		re.WriteString("(")
		cs.names = append(cs.names, optName(i+1))
		add(p.EN)
		re.WriteString(")?")
		cs.out["en"] = append(cs.out["en"], p.EN)
		cs.out["es"] = append(cs.out["es"], p.ES)
	}
	re.WriteString("$")
	var err error
	cs.re, err = regexp.Compile(re.String())
	if err != nil {
		return cs, err
	}
	if placeholderSet(t.EN+joinThen(t.Then, "en")) != placeholderSet(t.ES+joinThen(t.Then, "es")) {
		return cs, fmt.Errorf("%q and %q use different values", t.EN, t.ES)
	}
	return cs, nil
}

func joinThen(parts []summaryOptPart, lang string) string {
	var b strings.Builder
	for _, p := range parts {
		if lang == "en" {
			b.WriteString(p.EN)
		} else {
			b.WriteString(p.ES)
		}
	}
	return b.String()
}

func placeholderSet(s string) string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return strings.Join(sortedCopy(names), ",")
}

// translateSummary renders a module's English summary in lang, cut into
// segments with the values apart. ok is false when no template of the
// module matches: the summary is then returned as written.
func translateSummary(module, summary, lang string) (segs []rules.Segment, ok bool) {
	c, err := loadSummaries()
	if err != nil || summary == "" {
		return []rules.Segment{{Text: summary}}, summary == ""
	}
	for _, cs := range c.modules[module] {
		m := cs.re.FindStringSubmatchIndex(summary)
		if m == nil {
			continue
		}
		vals := map[string]string{}
		present := map[string]bool{}
		for i, name := range cs.names {
			if m[2+2*i] >= 0 {
				vals[name] = summary[m[2+2*i]:m[3+2*i]]
				present[name] = true
			}
		}
		parts := cs.out[lang]
		if parts == nil || parts[0] == "" {
			parts = cs.out["en"]
		}
		var out []rules.Segment
		emit := func(text string, value bool) { out = rules.AppendSegment(out, text, value) }
		for i, tmpl := range parts {
			if i > 0 && !present[optName(i)] {
				continue
			}
			c.render(tmpl, vals, lang, emit)
		}
		return out, true
	}
	return []rules.Segment{{Text: summary}}, false
}

// optName names the capture group of the i-th optional ending.
func optName(i int) string { return fmt.Sprintf("\x00then%d", i) }

func (c *summaryCatalogue) render(tmpl string, vals map[string]string, lang string, emit func(string, bool)) {
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(tmpl, -1) {
		emit(tmpl[last:m[0]], false)
		name := tmpl[m[2]:m[3]]
		v := vals[name]
		if strings.HasSuffix(tmpl[m[0]:m[1]], ":word}") && lang != "en" {
			emit(c.wordList(v), false)
		} else {
			emit(v, true)
		}
		last = m[1]
	}
	emit(tmpl[last:], false)
}

// wordList translates a value written as English words: one word or a
// comma-separated list of them; anything not in the vocabulary is kept.
func (c *summaryCatalogue) wordList(v string) string {
	if w, ok := c.words[v]; ok {
		return w
	}
	parts := strings.Split(v, ", ")
	if len(parts) == 1 {
		return v
	}
	for i, p := range parts {
		if w, ok := c.words[p]; ok {
			parts[i] = w
		}
	}
	return strings.Join(parts, ", ")
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

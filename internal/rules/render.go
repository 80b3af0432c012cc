package rules

import (
	"slices"
	"strings"
)

// Lang normalises a language tag: "es-MX" and "ES" are "es"; "" is
// English.
func Lang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i > 0 {
		tag = tag[:i]
	}
	if tag == "" {
		return "en"
	}
	return tag
}

// TextIn returns the rule's texts in lang, with English filling what the
// language lacks.
func (r *Rule) TextIn(lang string) Text {
	lang = Lang(lang)
	en := r.Text["en"]
	t, ok := r.Text[lang]
	if !ok {
		return en
	}
	if t.Title == "" {
		t.Title = en.Title
	}
	if t.Explain == "" {
		t.Explain = en.Explain
	}
	if t.Benign == nil {
		t.Benign = en.Benign
	}
	return t
}

// Render returns the title of a finding of rule id in lang: the rule's
// title with its parameters filled, followed by the sentence of every
// context that applies and has one. An unknown rule gives "".
func Render(lang, id string, p map[string]string, context []string) string {
	var b strings.Builder
	for _, seg := range RenderSegments(lang, id, p, context) {
		b.WriteString(seg.Text)
	}
	return b.String()
}

// Segment is a piece of rendered text; Value marks a parameter's value as
// written in the evidence (a link, a path, a name), which a page shows
// apart from the words around it and never translates.
type Segment struct {
	Text  string
	Value bool
}

// AppendSegment adds text to segs, joining it to the last segment when both
// are values or both are words, so a rendered line has as few segments as
// it can; empty text adds nothing.
func AppendSegment(segs []Segment, text string, value bool) []Segment {
	if text == "" {
		return segs
	}
	if n := len(segs); n > 0 && segs[n-1].Value == value {
		segs[n-1].Text += text
		return segs
	}
	return append(segs, Segment{Text: text, Value: value})
}

// RenderSegments is Render cut into segments, values apart.
func RenderSegments(lang, id string, p map[string]string, context []string) []Segment {
	lang = Lang(lang)
	r := Lookup(id)
	if r == nil {
		return nil
	}
	var out []Segment
	emit := func(text string, value bool) { out = AppendSegment(out, text, value) }
	fill(lang, r.TextIn(lang).Title, p, true, emit)
	for _, c := range r.Context {
		if !slices.Contains(context, c.When) || len(c.Text) == 0 {
			continue
		}
		t := c.Text[lang]
		if t == "" {
			t = c.Text["en"]
		}
		emit(" ", false)
		fill(lang, t, p, true, emit)
	}
	return out
}

// Explain returns why findings of rule id matter, in lang, with the
// parameters filled (an explanation may depend on a parameter, such as the
// kind of value an indicator matched).
func Explain(lang, id string, p map[string]string) string {
	lang = Lang(lang)
	r := Lookup(id)
	if r == nil {
		return ""
	}
	return Fill(lang, r.TextIn(lang).Explain, p)
}

// Benign returns the possible harmless explanations of rule id in lang.
// An entry that renders empty (a term a parameter value has no text for)
// is left out.
func Benign(lang, id string, p map[string]string) []string {
	lang = Lang(lang)
	r := Lookup(id)
	if r == nil {
		return nil
	}
	var out []string
	for _, b := range r.TextIn(lang).Benign {
		if s := strings.TrimSpace(Fill(lang, b, p)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// listSep joins the items of a list parameter rendered through terms.
var listSep = map[string]string{"en": "; ", "es": "; "}

// Fill replaces placeholders in one pass, so a value that itself contains
// braces is never read as a placeholder:
//
//	{name}         the parameter's value as it is (evidence, numbers)
//	{name:prefix}  each comma-separated value v looked up as the term
//	               "prefix.v" in lang and joined; a value without a term is
//	               kept as it is
//	{name:prefix?} the same, but a value without a term renders as nothing
//
// A term's own text may quote parameters ({feeds}); they are filled too,
// but a term never expands further terms. A placeholder whose parameter is
// missing renders as nothing.
func Fill(lang, tmpl string, p map[string]string) string {
	lang = Lang(lang)
	var b strings.Builder
	fill(lang, tmpl, p, true, func(text string, _ bool) { b.WriteString(text) })
	return b.String()
}

func fill(lang, tmpl string, p map[string]string, terms bool, emit func(string, bool)) {
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			emit(tmpl, false)
			return
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			emit(tmpl, false)
			return
		}
		emit(tmpl[:i], false)
		name, prefix, isTerm := strings.Cut(tmpl[i+1:i+j], ":")
		v := p[name]
		if isTerm && terms && v != "" {
			sep := listSep[lang]
			if sep == "" {
				sep = "; "
			}
			// "prefix?" is an optional term: a value without one renders
			// as nothing instead of as itself.
			prefix, optional := strings.CutSuffix(prefix, "?")
			for k, part := range strings.Split(v, ",") {
				part = strings.TrimSpace(part)
				t, ok := Term(prefix+"."+part, lang)
				if !ok && optional {
					continue
				}
				if k > 0 {
					emit(sep, false)
				}
				if ok {
					fill(lang, t, p, false, emit)
				} else {
					emit(part, true)
				}
			}
		} else {
			emit(v, true)
		}
		tmpl = tmpl[i+j+1:]
	}
}

// Placeholders lists the parameter names a template uses, with the term
// prefix of each ("" for plain values).
func Placeholders(tmpl string) map[string]string {
	out := map[string]string{}
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return out
		}
		name, prefix, _ := strings.Cut(tmpl[i+1:i+j], ":")
		out[name] = prefix
		tmpl = tmpl[i+j+1:]
	}
}

package report

import (
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/outcome"
)

// This file holds what turns the tool's words into a reader's: module names
// instead of module ids, the verdict's meaning and next steps per outcome,
// abbreviations explained where they appear.

// ModuleName is a module's name in the reader's language ("Safari
// history"), from the catalogue's name.<module> keys; every module of
// internal/module/all has one (TestEveryModuleHasAName). An unknown id (a
// module newer than this catalogue) is shown as written.
func ModuleName(cat *Catalogue, id string) string {
	if k := "name." + id; cat.Has(k) {
		return cat.T(k)
	}
	return id
}

// EvidenceKindName names an evidence type ("iPhone backup").
func EvidenceKindName(cat *Catalogue, kind string) string {
	if k := "evidence." + kind; cat.Has(k) {
		return cat.T(k)
	}
	return kind
}

// humanPart rewrites a gap's part (internal/outcome writes module ids, lists
// of them, "the check" or "this <kind> evidence") in the reader's words.
// A part that is none of these (a file inside the evidence) is a value and
// stays as written.
func humanPart(cat *Catalogue, part string) string {
	switch {
	case part == "the check":
		return cat.T("part.check")
	case strings.HasPrefix(part, "this ") && strings.HasSuffix(part, " evidence"):
		kind := strings.TrimSuffix(strings.TrimPrefix(part, "this "), " evidence")
		return cat.T("part.evidence", "kind", EvidenceKindName(cat, kind))
	}
	list, more := part, ""
	if i := strings.Index(part, " … (+"); i >= 0 {
		list, more = part[:i], part[i:]
	}
	names := strings.Split(list, ", ")
	for i, n := range names {
		id, rest, _ := strings.Cut(n, " (")
		if !cat.Has("name." + id) {
			return part
		}
		names[i] = ModuleName(cat, id)
		if rest != "" {
			names[i] += " (" + rest
		}
	}
	return strings.Join(names, ", ") + more
}

// outcomeGroup folds the verdict levels into the four situations a reader
// is told apart: what it means and what to do next differ for each.
func outcomeGroup(level string) string {
	switch level {
	case outcome.LevelCritical, outcome.LevelHigh:
		return "found"
	case outcome.LevelMedium:
		return "review"
	case outcome.LevelIncomplete:
		return "incomplete"
	case outcome.LevelError:
		return "error"
	}
	return "none"
}

// nextStepsKey is the catalogue list of next steps for a group: an
// evidence that could not be checked at all calls for the same steps as an
// incomplete one (fix what was not checked, run again).
func nextStepsKey(group string) string {
	if group == "error" {
		return "next.incomplete"
	}
	return "next." + group
}

// inputsDigest is one SHA-256 that stands for every input file: the file's
// own hash when there is one input, else the SHA-256 of the list that
// sha256sum would print for the inputs in info.json's order ("<hash>  <path>"
// lines), so a reader can recompute it from info.json.
func inputsDigest(rows []FileRow) (digest string, single bool) {
	if len(rows) == 1 {
		return rows[0].SHA256, true
	}
	if len(rows) == 0 {
		return "", false
	}
	h := sha256.New()
	for _, r := range rows {
		h.Write([]byte(r.SHA256 + "  " + r.Path + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)), false
}

// Abbreviations explained in the page: each has a glossary entry
// (gloss.<abbr>) in every catalogue, and the page wraps every occurrence in
// reader-facing text in <abbr title>.
var abbreviations = []string{"UTC", "SHA-256", "SMS", "MMS", "URL", "IP", "DNS", "VPN", "MDM", "TCC", "LID", "adb", "USB", "APK", "STIX", "MACB", "WWAN"}

// abbrRE matches an abbreviation as a whole word (an "s" plural
// included), or a date (2024-02-20) or a flag (--module-timeout), which
// must not be cut at their hyphens.
var abbrRE = func() *regexp.Regexp {
	alts := make([]string, len(abbreviations))
	for i, a := range abbreviations {
		alts[i] = regexp.QuoteMeta(a)
	}
	return regexp.MustCompile(`(` + strings.Join(alts, "|") + `)s?|\d{4}-\d\d-\d\d|--[a-z][a-z-]*[a-z]`)
}()

// Abbr escapes text for HTML and wraps each abbreviation in
// <abbr title="...">, and each date in a span that does not wrap. Only
// catalogue and registry words, and times, go through it; evidence values
// are escaped as they are, never annotated.
func (c *Catalogue) Abbr(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range abbrRE.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[0], m[1]
		if !wordEdge(text, start, true) || !wordEdge(text, end, false) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[last:start]))
		if m[2] < 0 { // a date or a flag
			b.WriteString(`<span class="nw">` + text[start:end] + `</span>`)
			last = end
			continue
		}
		b.WriteString(`<abbr title="`)
		b.WriteString(template.HTMLEscapeString(c.T("gloss." + text[m[2]:m[3]])))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(text[start:end]))
		b.WriteString(`</abbr>`)
		last = end
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}

// wordEdge reports whether position i of s is a word boundary: no letter
// or digit before it (before=true) or after it.
func wordEdge(s string, i int, before bool) bool {
	var r rune
	if before {
		if i == 0 {
			return true
		}
		r, _ = utf8.DecodeLastRuneInString(s[:i])
	} else {
		if i == len(s) {
			return true
		}
		r, _ = utf8.DecodeRuneInString(s[i:])
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_'
}

// GlossEntry is one line of the glossary.
type GlossEntry struct {
	Term string `json:"term"`
	Text string `json:"text"`
}

// glossary lists the abbreviations and the few terms the page uses.
func glossary(cat *Catalogue) []GlossEntry {
	var out []GlossEntry
	for _, t := range []string{"term.indicator", "term.finding"} {
		out = append(out, GlossEntry{Term: cat.T(t), Text: cat.T(t + ".text")})
	}
	for _, a := range abbreviations {
		out = append(out, GlossEntry{Term: a, Text: cat.T("gloss." + a)})
	}
	return out
}

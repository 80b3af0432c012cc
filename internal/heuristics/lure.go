package heuristics

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/model"
)

// Message is what ScoreMessage needs from one SMS, iMessage, WhatsApp or
// e-mail message.
type Message struct {
	Text        string
	Links       []string // links the parser extracted; when empty, http(s) links are taken from Text
	SenderKnown bool     // sender is in the contacts
	FromMe      bool     // sent by the phone's owner
}

const (
	maxTextLen      = 16 << 10 // lures are a few lines; the rest of a huge body adds nothing
	maxLinksPerText = 32
)

// LureThemes lists the bait themes the text uses (ids such as "death",
// "visa", "mentioned"), in a stable order, in English, Spanish and some
// Portuguese and French, ignoring case and accents.
func LureThemes(text string) []string {
	norm := normalizeText(text)
	var out []string
	for i := range lureThemes {
		if lureThemes[i].matches(norm) {
			out = append(out, lureThemes[i].id)
		}
	}
	return out
}

// ScoreMessage checks every link in the message and weighs the message as a
// whole: a link with any finding, from someone not in the contacts, in a
// text that uses a known bait is how Pegasus and Predator lures looked.
func ScoreMessage(m Message) []Finding {
	text := m.Text
	if len(text) > maxTextLen {
		text = text[:maxTextLen]
	}
	links := m.Links
	if len(links) == 0 {
		links = linksInText(text)
	}
	links = uniqueLinks(links)

	var out []Finding
	if !m.FromMe {
		if f := ThreatNotification(text, ""); f != nil {
			out = append(out, *f)
		}
	}
	var linkFindings []Finding
	suspiciousLink := ""
	for _, l := range links {
		fs := CheckLink(l)
		if len(fs) > 0 && suspiciousLink == "" {
			suspiciousLink = l
		}
		linkFindings = append(linkFindings, fs...)
	}

	// Themes only weigh a message that carries a link from a stranger, and
	// normalising every message's text is the costliest step, so skip it
	// otherwise. Threat notifications are recognised above, without themes.
	var themes []string
	if !m.FromMe && !m.SenderKnown && len(links) > 0 {
		themes = LureThemes(text)
	}
	if len(themes) > 0 {
		bait := describeThemes(themes)
		if suspiciousLink != "" {
			for i := range linkFindings {
				if linkFindings[i].Severity < model.High {
					linkFindings[i].Severity++
				}
				linkFindings[i].Reason += " Raised because the sender is not in the contacts and the message uses a common bait (" + bait + ")."
			}
			out = append(out, Finding{Rule: RuleLureLink, Severity: model.High,
				Reason: "A message from someone not in the contacts uses a bait common in spyware attacks (" + bait + ") and carries a suspicious link (" + clip(suspiciousLink, 120) + "). This is how Pegasus and Predator infection attempts looked. Do not open the link; keep the message as evidence."})
		} else {
			out = append(out, Finding{Rule: RuleLureText, Severity: model.Low,
				Reason: "A message from someone not in the contacts uses a bait common in spyware attacks (" + bait + ") and carries a link. The link shows no known warning sign, but it cannot be checked offline."})
		}
	}
	out = append(out, linkFindings...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	return out
}

// clip shortens evidence text quoted in a reason and keeps it valid UTF-8,
// since reasons end up in JSON and HTML reports.
func clip(s string, n int) string {
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func uniqueLinks(links []string) []string {
	if len(links) > maxLinksPerText {
		links = links[:maxLinksPerText]
	}
	seen := make(map[string]struct{}, len(links))
	out := links[:0:0]
	for _, l := range links {
		if _, ok := seen[l]; ok {
			continue
		}
		seen[l] = struct{}{}
		out = append(out, l)
	}
	return out
}

// linksInText is a fallback for callers that did not extract links: it
// takes http:// and https:// runs up to the next space. It scans the
// original bytes, since lower-casing can change byte offsets.
func linksInText(text string) []string {
	var out []string
	for i := 0; i < len(text) && len(out) < maxLinksPerText; i++ {
		if text[i] != 'h' && text[i] != 'H' {
			continue
		}
		rest := text[i:]
		if !hasPrefixFold(rest, "http://") && !hasPrefixFold(rest, "https://") {
			continue
		}
		end := i
		for end < len(text) && !isSpace(text[end]) {
			end++
		}
		out = append(out, text[i:end])
		i = end
	}
	return out
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// normalizeText folds case and accents and reduces the text to its words,
// each surrounded by single spaces, so keywords match whole words only
// ("visa" must not match "televisa" or "revisa").
func normalizeText(text string) string {
	if len(text) > maxTextLen {
		text = text[:maxTextLen]
	}
	var b strings.Builder
	b.Grow(len(text) + 2)
	b.WriteByte(' ')
	space := true
	for _, r := range text {
		if isCombiningMark(r) {
			continue
		}
		r = foldRune(r)
		if isWordRune(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 0x80 && r != '\u00a0' && r != '\u2026' && !(r >= 0x2000 && r <= 0x206f) && r != 0xfffd
}

// describeThemes turns theme ids into words for a reason.
func describeThemes(ids []string) string {
	words := make([]string, 0, len(ids))
	for _, id := range ids {
		for i := range lureThemes {
			if lureThemes[i].id == id {
				words = append(words, lureThemes[i].desc)
			}
		}
	}
	return strings.Join(words, "; ")
}

package messages

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/heuristics/links"
	"github.com/huella-project/huella/internal/heuristics/textfold"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

// Message is what ScoreMessage needs from one SMS, iMessage, WhatsApp or
// e-mail message.
type Message struct {
	Text  string
	Links []string // links the parser extracted; when empty, http(s) links are taken from Text
	// Sender says who sent it, as far as the evidence tells.
	Sender Sender
	// IndicatorLinks are links of this message that matched an indicator:
	// they count as suspicious links, so a message's verdict never says
	// "no warning sign" about a link its own line calls a Pegasus domain.
	IndicatorLinks []string
}

// Sender is what the evidence says about who sent a message.
type Sender int

const (
	// SenderUnknowable: nothing tells (pasted text, no contact list). Texts
	// never claim the sender is a stranger.
	SenderUnknowable Sender = iota
	SenderStranger          // not in the contacts
	SenderContact           // in the contacts
	SenderMe                // sent by the phone's owner
)

// SenderFromContacts maps a parser's view (known: nil when the contacts
// could not be read) to a Sender.
func SenderFromContacts(known *bool, fromMe bool) Sender {
	switch {
	case fromMe:
		return SenderMe
	case known == nil:
		return SenderUnknowable
	case *known:
		return SenderContact
	}
	return SenderStranger
}

const (
	maxTextLen      = 16 << 10 // lures are a few lines; the rest of a huge body adds nothing
	maxLinksPerText = 32
)

// LureThemes lists the bait themes the text uses (ids such as "death",
// "visa", "mentioned"), in a stable order, in English, Spanish and some
// Portuguese and French, ignoring case, accents and inflection.
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
// whole: a suspicious link (a link rule fired, or an indicator matched) in a
// text that uses a known bait, from someone not in the contacts, is how
// Pegasus and Predator lures looked.
func ScoreMessage(m Message) []rules.Finding {
	text := m.Text
	if len(text) > maxTextLen {
		text = text[:maxTextLen]
	}
	urls := m.Links
	if len(urls) == 0 {
		urls = linksInText(text)
	}
	urls = uniqueLinks(urls)

	var out []rules.Finding
	if m.Sender != SenderMe {
		if f := ThreatNotification(text, ""); f != nil {
			out = append(out, *f)
		}
	}
	var linkFindings []rules.Finding
	suspiciousLink, plainLink := "", ""
	for _, l := range urls {
		fs := links.CheckLink(l)
		if suspiciousLink == "" && (len(fs) > 0 || slices.Contains(m.IndicatorLinks, l)) {
			suspiciousLink = l
		}
		if plainLink == "" && len(fs) == 0 && links.IsLink(l) {
			plainLink = l
		}
		linkFindings = append(linkFindings, fs...)
	}

	// Themes only weigh a message that carries a link and does not come from
	// a contact or the owner, and normalising the text is the costliest
	// step, so it is skipped otherwise. Threat notifications are recognised
	// above, without themes.
	var themes []string
	if (m.Sender == SenderStranger || m.Sender == SenderUnknowable) && len(urls) > 0 {
		themes = LureThemes(text)
	}
	if len(themes) > 0 {
		ctx := links.CtxLure
		if m.Sender == SenderStranger {
			ctx = links.CtxLureStranger
		}
		bait := strings.Join(themes, ",")
		for i := range linkFindings {
			f := linkFindings[i]
			p := rules.Params{}
			for k, v := range f.Params {
				p[k] = v
			}
			p["themes"] = bait
			f.Params = p
			linkFindings[i] = f.With(ctx)
		}
		var senderCtx []string
		if m.Sender == SenderStranger {
			senderCtx = append(senderCtx, "stranger")
		}
		if suspiciousLink != "" {
			out = append(out, rules.MessageLureSuspiciousLink.New(rules.Params{"themes": bait, "link": rules.Clip(suspiciousLink, 120)}, senderCtx...))
		} else {
			l := plainLink
			if l == "" {
				l = urls[0]
			}
			ctx := senderCtx
			if d := links.LureDomain(l); d != "" {
				ctx = append(ctx, "lure_domain")
			}
			out = append(out, rules.MessageLurePlainLink.New(rules.Params{"themes": bait, "link": rules.Clip(l, 120), "domain": links.Domain(l)}, ctx...))
		}
	}
	out = append(out, linkFindings...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	return out
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
// each surrounded by single spaces and stemmed (see stem), so keywords match
// whole words in any number ("visa" matches "visas" but never "televisa" or
// "revisa"; "periodista" matches "periodistas").
func normalizeText(text string) string {
	if len(text) > maxTextLen {
		text = text[:maxTextLen]
	}
	b := make([]byte, 1, len(text)+2)
	b[0] = ' '
	wordStart := -1
	endWord := func() {
		if wordStart < 0 {
			return
		}
		b = append(b[:wordStart+stemLen(b[wordStart:])], ' ')
		wordStart = -1
	}
	for _, r := range text {
		if textfold.IsCombiningMark(r) {
			continue
		}
		r = textfold.FoldRune(r)
		if isWordRune(r) {
			if wordStart < 0 {
				wordStart = len(b)
			}
			b = utf8.AppendRune(b, r)
		} else {
			endWord()
		}
	}
	endWord()
	return string(b)
}

// stemLen is the length of a folded word without its plural, in Spanish and English alike:
// "funerales" → "funeral", "periodistas" → "periodista", "accidents" →
// "accident". It is applied to the keywords and to the text the same way,
// so it only has to be consistent, not linguistically exact; genders are
// left alone, since folding a/o would make "cuenta" (account) and "cuento"
// (story) one word.
func stemLen(w []byte) int {
	n := len(w)
	switch {
	case n > 4 && w[n-1] == 's' && w[n-2] == 'e' && strings.IndexByte("lrndzj", w[n-3]) >= 0:
		return n - 2
	case n > 3 && w[n-1] == 's' && strings.IndexByte("siu", w[n-2]) < 0:
		return n - 1
	}
	return n
}

func isWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 0x80 && r != '\u00a0' && r != '\u2026' && !(r >= 0x2000 && r <= 0x206f) && r != 0xfffd
}

// RuleLurePlain is the id of the lure rule for a message whose link shows
// no warning sign; see LureLinkMatched.
const RuleLurePlain = "message.lure.plain_link"

// LureLinkMatched is the message finding once an indicator matched a link
// of the same message: the lure's link is then a suspicious link, so the
// message's verdict agrees with its link's. Modules score messages without
// indicators (they never match any); the pipeline calls this when it knows
// both. d must be a RuleLurePlain finding; link is the matched value.
func LureLinkMatched(d model.Detection, link string) model.Detection {
	var ctx []string
	if slices.Contains(d.Context, "stranger") {
		ctx = append(ctx, "stranger")
	}
	nd := rules.MessageLureSuspiciousLink.New(rules.Params{"themes": d.Params["themes"], "link": rules.Clip(link, 120)}, ctx...).Detection(d.Record)
	nd.Module, nd.Time, nd.Observable = d.Module, d.Time, d.Observable
	return nd
}

package links

import (
	"strings"
	"unicode"

	"golang.org/x/net/idna"

	"github.com/huella-project/huella/internal/heuristics/textfold"
	"github.com/huella-project/huella/internal/rules"
)

// lookalike returns the strongest sign that the link's domain imitates a
// brand or a shortener, or nil. The look-alike rules (link.host.brand_*)
// were calibrated on the 5,000 most popular domains (see the precision
// test): the name of a brand only counts where it leads a label or a
// hyphen-separated part, a near spelling alone is medium (high only in a
// lure message), and brands' complete official domains never match.
func lookalike(p *parsedLink) *rules.Finding {
	if p.registered == "" {
		return nil
	}
	if _, ok := officialDomains[p.registered]; ok {
		return nil
	}
	if _, ok := shortenerSet[p.registered]; ok {
		return nil
	}
	if f := officialInSubdomain(p); f != nil {
		return f
	}
	label := p.label
	if strings.HasPrefix(label, "xn--") {
		if uni, err := idna.Punycode.ToUnicode(label); err == nil {
			label = uni
		}
	}
	if _, ok := nearBrandWords[label]; ok {
		return nil
	}
	params := func(b *brand) rules.Params {
		return rules.Params{"host": p.display, "brand": b.name, "official": b.domains[0], "ending": p.tld}
	}
	_, odd := oddTLDs[p.tld]
	// Global brands use their name on country endings everywhere (google.cf
	// is Google's): only generic odd endings count against them.
	oddFor := func(b *brand) bool { return odd && !(b.global && len(p.tld) == 2) }

	var best *rules.Finding
	consider := func(f rules.Finding) {
		if best == nil || f.Severity > best.Severity {
			best = &f
		}
	}
	compact := strings.ReplaceAll(label, "-", "")
	skel := textfold.Skeleton(compact)
	for _, i := range targetBySkel[skel] {
		t := &brandTargets[i]
		switch {
		case compact == t.token && label != t.token:
			consider(rules.LinkHostBrandSplit.New(params(t.b)))
		case label != t.token:
			consider(rules.LinkHostBrandHomoglyph.New(params(t.b)))
		case oddFor(t.b):
			consider(rules.LinkHostBrandOddEnding.New(params(t.b)))
		case !t.b.global && !t.b.word && len(p.tld) > 2:
			// Country endings are left alone: many countries have their own
			// El País or El Tiempo, unrelated to the one listed.
			consider(rules.LinkHostBrandUnofficial.New(params(t.b)))
		}
	}
	if len(targetBySkel[skel]) > 0 {
		return best // the name itself, used where that brand may: not a near miss
	}
	if f := brandWithWords(p, label, params, oddFor); f != nil {
		return f
	}
	if b := nearSpelling(skel); b != nil {
		f := rules.LinkHostBrandNear.New(params(b))
		return &f
	}
	return nil
}

// brandWithWords finds a brand name leading a hyphen-separated part
// (whatsapp-verify, bancomer-seguridad) or, for distinctive names, leading
// the label (whatsappverify). A name inside a word (sssinstagram,
// myhuaweicloud) is not a claim to be that brand. Short names (fb, att,
// bbc) only count next to a lure word or on an odd ending, since they are
// also ordinary abbreviations.
func brandWithWords(p *parsedLink, label string, params func(*brand) rules.Params, oddFor func(*brand) bool) *rules.Finding {
	parts := strings.Split(label, "-")
	try := func(b *brand, rest string) *rules.Finding {
		var ctx []string
		if hasLureWord(rest) {
			ctx = append(ctx, "lure_word")
		}
		if oddFor(b) {
			ctx = append(ctx, "odd_ending")
		}
		short := true
		for _, tok := range b.tokens {
			if len(tok) >= 4 {
				short = false
			}
		}
		if short && len(ctx) == 0 {
			return nil
		}
		f := rules.LinkHostBrandWords.New(params(b), ctx...)
		return &f
	}
	if len(parts) > 1 {
		for i, part := range parts {
			if len(part) < 2 {
				continue
			}
			for _, j := range targetBySkel[textfold.Skeleton(part)] {
				t := &brandTargets[j]
				if t.b.word {
					continue
				}
				rest := strings.Join(append(append([]string{}, parts[:i]...), parts[i+1:]...), "-")
				if f := try(t.b, rest); f != nil {
					return f
				}
			}
		}
	}
	compact := strings.ReplaceAll(label, "-", "")
	for i := range brandTargets {
		t := &brandTargets[i]
		if !t.b.contain || len(compact) <= len(t.token) {
			continue
		}
		if skel := textfold.Skeleton(compact); strings.HasPrefix(skel, t.skel) {
			if f := try(t.b, compact[len(t.token):]); f != nil {
				return f
			}
		}
	}
	return nil
}

// nearSpelling finds a brand one or two slips away (bbitly, bityl,
// lnkedin, almasryelyuom). The first letter must agree: real typosquats
// keep it, while most ordinary names at a small distance (hicloud, qcloud,
// tmall) differ there. A name that only adds or drops a whole leading or
// trailing part (tiempo for eltiempo) is another name, not a misspelling.
func nearSpelling(skel string) *brand {
	if skel == "" {
		return nil
	}
	for i := range brandTargets {
		t := &brandTargets[i]
		if t.b.word || t.skel == "" || skel[0] != t.skel[0] {
			continue
		}
		d := maxEditDistance(len(t.skel))
		if d == 0 || textfold.EditDistance(skel, t.skel, d) > d {
			continue
		}
		if diff := len(skel) - len(t.skel); (diff >= 2 || diff <= -2) &&
			(strings.HasPrefix(skel, t.skel) || strings.HasSuffix(skel, t.skel) || strings.HasPrefix(t.skel, skel) || strings.HasSuffix(t.skel, skel)) {
			continue
		}
		return t.b
	}
	return nil
}

// officialInSubdomain catches apple.com.security-check.top: an official
// domain placed at the front of a host that really belongs to someone else.
func officialInSubdomain(p *parsedLink) *rules.Finding {
	if p.sub == "" {
		return nil
	}
	labels := strings.Split(p.sub, ".")
	if len(labels) > 16 {
		labels = labels[len(labels)-16:]
	}
	for i := range labels {
		for n := 2; n <= 3 && i+n <= len(labels); n++ {
			d := strings.Join(labels[i:i+n], ".")
			if b, ok := officialDomains[d]; ok {
				f := rules.LinkHostBrandSubdomain.New(rules.Params{"host": p.display, "brand": b.name, "official": d, "registered": p.registered})
				return &f
			}
		}
	}
	return nil
}

// brandNamed finds the brand whose token or official domain is s, as used in
// a user-info trick (https://apple@evil.example/).
func brandNamed(s string) *brand {
	s = strings.ToLower(s)
	if b, ok := officialDomains[s]; ok {
		return b
	}
	if idx := targetBySkel[textfold.Skeleton(s)]; len(idx) > 0 {
		return brandTargets[idx[0]].b
	}
	return nil
}

// confusableLabel says why an internationalised host deserves a look, or
// "": a label that mixes scripts (Latin with Cyrillic: "аpple"), a label
// written entirely in letters that read as Latin ones (all-Cyrillic "аррӏе"),
// or a Latin label using a look-alike letter (ɡ, ı). A name written in one
// script, Thai, Arabic or accented Latin, is how millions of people write
// their addresses and says nothing by itself.
func confusableLabel(display string) string {
	for _, label := range strings.Split(display, ".") {
		scripts := map[string]bool{}
		allConfusable, letters, oddLatin := true, 0, false
		for _, r := range label {
			if r < 0x80 {
				if unicode.IsLetter(r) {
					scripts["Latin"] = true
					letters++
				}
				continue
			}
			if !unicode.IsLetter(r) {
				continue
			}
			letters++
			s := scriptOf(r)
			scripts[s] = true
			conf := textfold.IsConfusable(r)
			if !conf {
				allConfusable = false
			} else if s == "Latin" {
				oddLatin = true
			}
		}
		switch {
		case len(scripts) > 1:
			return "mixed"
		case letters > 0 && allConfusable && !scripts["Latin"]:
			return "whole"
		case oddLatin:
			return "latin"
		}
	}
	return ""
}

var scriptTables = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek}, {"Armenian", unicode.Armenian},
	{"Arabic", unicode.Arabic}, {"Hebrew", unicode.Hebrew}, {"Thai", unicode.Thai}, {"Han", unicode.Han},
	{"Hiragana", unicode.Hiragana}, {"Katakana", unicode.Katakana}, {"Hangul", unicode.Hangul}, {"Devanagari", unicode.Devanagari},
	{"Georgian", unicode.Georgian}, {"Cherokee", unicode.Cherokee},
}

func scriptOf(r rune) string {
	for _, s := range scriptTables {
		if unicode.Is(s.table, r) {
			switch s.name {
			case "Hiragana", "Katakana", "Han":
				return "Japanese/Chinese" // written together in one name
			}
			return s.name
		}
	}
	return "other"
}

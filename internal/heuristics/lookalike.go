package heuristics

import (
	"strings"

	"golang.org/x/net/idna"

	"github.com/huella-project/huella/internal/model"
)

// lookalike returns the strongest sign that the link's domain imitates a
// brand or a shortener, or nil. Official domains never match.
func lookalike(p *parsedLink) *Finding {
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
	_, odd := oddTLDs[p.tld]
	var best *Finding
	consider := func(f *Finding) {
		if f != nil && (best == nil || f.Severity > best.Severity) {
			best = f
		}
	}
	compact := strings.ReplaceAll(label, "-", "")
	skel := skeleton(compact)
	for _, i := range targetBySkel[skel] {
		t := &brandTargets[i]
		switch {
		case compact == t.token && label != t.token:
			consider(impostor(p, t.b, "splits the name of "+t.b.name+" with a hyphen"))
		case label != t.token:
			consider(impostor(p, t.b, "spells the name of "+t.b.name+" with look-alike characters"))
		case odd:
			consider(impostor(p, t.b, "uses the name of "+t.b.name+" on an ending ("+"."+p.tld+") it does not use"))
		case !t.b.global && !t.b.word && len(p.tld) > 2:
			// Country endings are left alone: many countries have their own
			// El País or El Tiempo, unrelated to the one listed.
			consider(&Finding{Rule: RuleLookalike, Severity: model.Medium, Reason: "The address " + p.display + " uses the name of " + t.b.name + " but is not its official address (" + t.b.domains[0] + "); check it was expected."})
		}
	}
	if len(targetBySkel[skel]) > 0 {
		return best // the name itself, used where that brand may: not a near miss
	}
	if strings.Contains(label, "-") {
		for part := range strings.SplitSeq(label, "-") {
			for _, i := range targetBySkel[skeleton(part)] {
				t := &brandTargets[i]
				if !t.b.word && (len(part) > 1) {
					return impostor(p, t.b, "joins the name of "+t.b.name+" to other words with a hyphen")
				}
			}
		}
	}
	for i := range brandTargets {
		t := &brandTargets[i]
		if t.b.word {
			continue
		}
		if d := maxEditDistance(len(t.skel)); d > 0 && editDistance(skel, t.skel, d) <= d {
			return impostor(p, t.b, "is one or two letters away from the name of "+t.b.name)
		}
	}
	for i := range brandTargets {
		t := &brandTargets[i]
		if t.b.contain && len(skel) > len(t.skel) && strings.Contains(skel, t.skel) {
			return &Finding{Rule: RuleLookalike, Severity: model.Medium, Reason: "The address " + p.display + " contains the name of " + t.b.name + " but is not its official address (" + t.b.domains[0] + ")."}
		}
	}
	return nil
}

func impostor(p *parsedLink, b *brand, how string) *Finding {
	return &Finding{Rule: RuleLookalike, Severity: model.High,
		Reason: "The address " + p.display + " " + how + " but is not its official address (" + b.domains[0] + "). Attackers register names like this to make a lure link look trustworthy."}
}

// officialInSubdomain catches apple.com.security-check.top: an official
// domain placed at the front of a host that really belongs to someone else.
func officialInSubdomain(p *parsedLink) *Finding {
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
				return &Finding{Rule: RuleLookalike, Severity: model.High,
					Reason: "The address " + p.display + " starts with " + d + " (" + b.name + ") but really belongs to " + p.registered + ". Attackers build addresses like this to look trustworthy."}
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
	if idx := targetBySkel[skeleton(s)]; len(idx) > 0 {
		return brandTargets[idx[0]].b
	}
	return nil
}

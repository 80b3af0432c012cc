// Package links judges a link without the network (it never resolves,
// expands or opens one): shorteners, look-alike and lure-shaped domains,
// Pegasus-shaped paths, IP hosts, mixed scripts. It is one of the
// heuristics, the rules that need no indicator, split by domain (links,
// messages, ios, android). Each function returns rules.Finding values;
// their words and severities live in the rules registry
// (internal/rules/registry.yaml), with the samples that test them.
//
// The shapes come from public reporting on Pegasus (2016-2021), Predator
// (2021-2025) and later campaigns; see research/intel.md §4 beside the repo.
package links

import (
	"net/netip"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/urlx"
)

// Contexts a link finding can carry. The lure contexts are added by
// messages.ScoreMessage when the link came in a bait-themed message; they raise every
// link finding by one level, never above high.
const (
	CtxLureStranger = "lure_stranger" // from someone not in the contacts
	CtxLure         = "lure"          // the sender cannot be known (pasted text)
)

// maxLinkLen bounds the work on one link; real lure links are short and a
// longer string is cut rather than refused so its host is still judged.
const maxLinkLen = 4096

type parsedLink struct {
	raw        string
	scheme     string
	host       string // lower-case ASCII (punycode) form, no trailing dot
	display    string // host as a person would see it (IDN decoded)
	port       string
	user       *url.Userinfo
	path       string
	ip         bool
	idn        bool   // host has internationalised labels
	registered string // eTLD+1, empty for IPs and bare suffixes
	label      string // registered minus its public suffix
	tld        string // last label of the public suffix
	sub        string // labels left of registered
}

// IsLink says whether CheckLink can judge raw as a link at all (it has a
// host), so a caller can tell "not a link" from "nothing known".
func IsLink(raw string) bool {
	_, ok := parseLink(raw)
	return ok
}

// CheckLink runs every offline link rule on raw. A string that is not a link
// gives no findings. Findings come most severe first.
func CheckLink(raw string) []rules.Finding {
	p, ok := parseLink(raw)
	if !ok {
		return nil
	}
	var out []rules.Finding
	link := rules.Clip(p.raw, 200)

	if seg := pegasusSegment(p.path); seg != "" {
		out = append(out, rules.LinkPathPegasusShape.New(rules.Params{"link": link, "segment": seg}))
	}
	if p.user != nil {
		name := rules.Clip(p.user.Username(), 64)
		var ctx []string
		if strings.Contains(name, ".") || brandNamed(name) != nil {
			ctx = append(ctx, "disguise")
		}
		out = append(out, rules.LinkURLUserinfo.New(rules.Params{"user": name, "host": p.display}, ctx...))
	}
	look := lookalike(p)
	if look != nil {
		out = append(out, *look)
	}
	if s := shortenerOf(p.host, p.path); s != "" {
		out = append(out, rules.LinkURLShortened.New(rules.Params{"link": link, "shortener": s}))
	}
	if p.idn {
		if how := confusableLabel(p.display); how != "" {
			var ctx []string
			if look != nil {
				ctx = append(ctx, "lookalike")
			}
			out = append(out, rules.LinkHostMixedScript.New(rules.Params{"host": p.host, "display": p.display, "how": how}, ctx...))
		}
	}
	if p.ip {
		out = append(out, rules.LinkHostIPLiteral.New(rules.Params{"host": p.host}))
	}
	randomSub := 0
	for _, l := range strings.Split(p.sub, ".") {
		if looksRandom(l) {
			randomSub++
		}
	}
	nonDefaultPort := p.port != "" && p.port != defaultPort(p.scheme)
	switch {
	case randomSub >= 2 && nonDefaultPort:
		out = append(out, rules.LinkHostInjectionShape.New(rules.Params{"host": p.display, "port": p.port}))
	case !p.ip && p.tld != "" && isCheap(p.tld) && (looksRandom(p.label) || randomSub > 0):
		out = append(out, rules.LinkHostRandomCheap.New(rules.Params{"host": p.display, "ending": p.tld}))
	}
	if nonDefaultPort {
		out = append(out, rules.LinkURLUnusualPort.New(rules.Params{"port": p.port}))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	return out
}

func isCheap(tld string) bool { _, ok := cheapTLDs[tld]; return ok }

func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	case "ftp":
		return "21"
	}
	return ""
}

func parseLink(raw string) (*parsedLink, bool) {
	if len(raw) > maxLinkLen {
		raw = raw[:maxLinkLen]
	}
	// Analysts share links defanged (hxxps://evil[.]com) so nobody opens
	// them by accident; they are the same link.
	raw = urlx.Refang(strings.TrimSpace(raw))
	raw = strings.TrimLeft(raw, "<(\"'[")
	raw = strings.TrimRight(raw, ".,;:!?)]}>\"'")
	if raw == "" {
		return nil, false
	}
	orig := raw
	if !strings.Contains(raw, "://") {
		if hasOpaqueScheme(raw) {
			return nil, false // mailto:, tel:, sms: carry no web host
		}
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return nil, false
	}
	p := &parsedLink{raw: orig, scheme: strings.ToLower(u.Scheme), port: u.Port(), user: u.User, path: u.Path}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" || len(host) > 253 {
		return nil, false
	}
	if a, err := netip.ParseAddr(host); err == nil && a.IsValid() || isNumericHost(host) {
		p.host, p.display, p.ip = host, host, true
		return p, true
	}
	p.display = rules.Clip(host, 253)
	if !isASCII(host) {
		ascii, err := idna.Punycode.ToASCII(host)
		if err != nil {
			return nil, false
		}
		p.host, p.idn = ascii, true
	} else {
		p.host = host
		if strings.HasPrefix(host, "xn--") || strings.Contains(host, ".xn--") {
			p.idn = true
			if uni, err := idna.Punycode.ToUnicode(host); err == nil {
				p.display = rules.Clip(uni, 253)
			}
		}
	}
	suffix, _ := publicsuffix.PublicSuffix(p.host)
	p.tld = suffix[strings.LastIndexByte(suffix, '.')+1:]
	if reg, err := publicsuffix.EffectiveTLDPlusOne(p.host); err == nil {
		p.registered = reg
		p.label = strings.TrimSuffix(reg, "."+suffix)
		p.sub = strings.TrimSuffix(strings.TrimSuffix(p.host, reg), ".")
	}
	return p, true
}

// hasOpaqueScheme tells "mailto:a@b.example" from "example.com:8080/x":
// a scheme comes before any dot or slash and is not followed by a port.
func hasOpaqueScheme(s string) bool {
	i := strings.IndexAny(s, ":/.?#")
	if i <= 0 || s[i] != ':' {
		return false
	}
	rest := s[i+1:]
	return rest == "" || rest[0] < '0' || rest[0] > '9'
}

// isNumericHost catches IPv4 addresses written the ways browsers still
// accept but people do not recognise: one decimal or hex number
// (3232235777, 0xC0A80001) or dotted parts in octal or hex.
func isNumericHost(h string) bool {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return false
	}
	for _, part := range parts {
		if part == "" {
			return false
		}
		digits := part
		if strings.HasPrefix(part, "0x") {
			digits = part[2:]
			if digits == "" {
				return false
			}
			for i := 0; i < len(digits); i++ {
				if !isHex(digits[i]) {
					return false
				}
			}
			continue
		}
		for i := 0; i < len(digits); i++ {
			if digits[i] < '0' || digits[i] > '9' {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// pegasusSegment returns the first path segment shaped like the 2016-2017
// Pegasus links (/3589003s/): seven digits then one lower-case letter.
func pegasusSegment(path string) string {
	for seg := range strings.SplitSeq(path, "/") {
		if len(seg) != 8 || seg[7] < 'a' || seg[7] > 'z' {
			continue
		}
		ok := true
		for i := 0; i < 7; i++ {
			if seg[i] < '0' || seg[i] > '9' {
				ok = false
				break
			}
		}
		if ok {
			return seg
		}
	}
	return ""
}

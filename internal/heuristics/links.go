// Package heuristics flags lure-shaped links and messages without any
// indicator and without the network: it never resolves, expands or opens a
// link. Every finding carries a reason a helpline worker can read aloud.
//
// The shapes come from public reporting on Pegasus (2016-2021), Predator
// (2021-2025) and later campaigns; see research/intel.md §4 beside the repo.
package heuristics

import (
	"net/netip"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/huella-project/huella/internal/model"
)

// Rule ids are stable: reports, allowlists and tests refer to them.
const (
	RuleShortener    = "link.shortener"
	RuleLookalike    = "link.lookalike"
	RulePegasusPath  = "link.pegasus_path"
	RuleIPHost       = "link.ip_host"
	RulePunycode     = "link.punycode"
	RuleRandomLabel  = "link.random_label"
	RuleUserinfo     = "link.userinfo"
	RulePort         = "link.port"
	RuleLureLink     = "message.lure_link"
	RuleLureText     = "message.lure_text"
	RuleAppleWarning = "message.apple_threat_notification"
)

// Finding is one heuristic hit.
type Finding struct {
	Rule     string
	Severity model.Severity
	Reason   string
}

// maxLinkLen bounds the work on one link; real lure links are short and a
// longer string is cut rather than refused so its host is still judged.
const maxLinkLen = 4096

type parsedLink struct {
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

// CheckLink runs every offline link rule on raw. A string that is not a link
// gives no findings. Findings come most severe first.
func CheckLink(raw string) []Finding {
	p, ok := parseLink(raw)
	if !ok {
		return nil
	}
	var out []Finding
	add := func(rule string, sev model.Severity, reason string) {
		out = append(out, Finding{Rule: rule, Severity: sev, Reason: reason})
	}

	if seg := pegasusSegment(p.path); seg != "" {
		add(RulePegasusPath, model.High, "The link's path /"+seg+"/ has the shape of the Pegasus infection links sent in 2016-2017 (seven digits followed by one letter).")
	}
	if p.user != nil {
		name := clip(p.user.Username(), 64)
		if strings.Contains(name, ".") || brandNamed(name) != nil {
			add(RuleUserinfo, model.High, "The link is disguised: the part before '@' ("+name+") is ignored by the phone, which really opens "+p.display+".")
		} else {
			add(RuleUserinfo, model.Medium, "The link carries a user name before '@', a trick used to disguise where a link really goes ("+p.display+").")
		}
	}
	look := lookalike(p)
	if look != nil {
		out = append(out, *look)
	}
	if s := shortenerOf(p.host, p.path); s != "" {
		add(RuleShortener, model.Medium, "This is a shortened link ("+s+"): its real destination is hidden and huella never opens links, so it cannot be checked offline. Spyware lures often use shortened links; expand it only in a safe environment.")
	}
	if p.idn {
		sev := model.Medium
		reason := "The address " + p.host + " is written with non-Latin letters and displays as " + p.display + "; such addresses can look identical to a well-known name."
		if look != nil {
			sev = model.High
			reason += " Here it imitates a known name."
		}
		add(RulePunycode, sev, reason)
	}
	if p.ip {
		add(RuleIPHost, model.Medium, "The link points to a bare internet address ("+p.host+") instead of a name; legitimate services rarely send links like this.")
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
		add(RuleRandomLabel, model.High, "The address "+p.display+" has machine-generated names and an unusual port, the shape of the network-injection links used to install Pegasus in 2019-2020.")
	case !p.ip && p.tld != "" && isCheap(p.tld) && (looksRandom(p.label) || randomSub > 0):
		add(RuleRandomLabel, model.Medium, "The address "+p.display+" looks machine-generated and uses a cheap domain ending (."+p.tld+"), a pattern of throwaway attack domains.")
	}
	if nonDefaultPort {
		add(RulePort, model.Medium, "The link uses an unusual network port (:"+p.port+"), which ordinary websites rarely do.")
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
	raw = strings.TrimSpace(raw)
	raw = strings.TrimLeft(raw, "<(\"'[")
	raw = strings.TrimRight(raw, ".,;:!?)]}>\"'")
	if raw == "" {
		return nil, false
	}
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
	p := &parsedLink{scheme: strings.ToLower(u.Scheme), port: u.Port(), user: u.User, path: u.Path}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" || len(host) > 253 {
		return nil, false
	}
	if a, err := netip.ParseAddr(host); err == nil && a.IsValid() || isNumericHost(host) {
		p.host, p.display, p.ip = host, host, true
		return p, true
	}
	p.display = clip(host, 253)
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
				p.display = clip(uni, 253)
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

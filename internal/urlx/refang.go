package urlx

import (
	"regexp"
	"strings"
)

// Analysts, helplines and threat reports "defang" links so nobody opens one
// by accident: hxxps://evil[.]com/x, evil(.)com, evil[dot]com, hxxp[:]//.
// Refang undoes the common spellings so the link can be judged and matched;
// it is the same link. Text without any of them is returned unchanged, at
// the cost of a few substring searches.
func Refang(s string) string {
	if !mayBeDefanged(s) {
		return s
	}
	s = defangedScheme.ReplaceAllStringFunc(s, func(m string) string {
		m = strings.ReplaceAll(m, "[:]", ":")
		i := strings.IndexByte(m, ':')
		scheme := strings.ToLower(m[:i])
		switch {
		case strings.HasPrefix(scheme, "h") && strings.HasSuffix(scheme, "ps"):
			scheme = "https"
		case strings.HasPrefix(scheme, "h"):
			scheme = "http"
		case strings.HasPrefix(scheme, "f"):
			scheme = "ftp"
		}
		return scheme + m[i:]
	})
	return defangedMark.Replace(s)
}

func mayBeDefanged(s string) bool {
	for _, m := range defangMarks {
		if strings.Contains(s, m) {
			return true
		}
	}
	return hasFoldPrefixAnywhere(s, "hxxp") || hasFoldPrefixAnywhere(s, "fxp") ||
		strings.Contains(s, "h**p") || strings.Contains(s, "h__p")
}

// defangedScheme matches hxxp, hxxps, hXXp, h**p(s), fxp and the like,
// followed by ":" or "[:]".
var defangedScheme = regexp.MustCompile(`(?i)\b(?:h(?:xx|\*\*|__)ps?|fxp)(?::|\[:\])`)

var defangMarks = []string{"[.]", "(.)", "{.}", "[dot]", "(dot)", "[:]", "[://]", "[/]", "[@]"}

var defangedMark = strings.NewReplacer(
	"[.]", ".", "(.)", ".", "{.}", ".", "[dot]", ".", "(dot)", ".",
	"[://]", "://", "[:]", ":", "[/]", "/", "[@]", "@",
)

func hasFoldPrefixAnywhere(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		c := s[i] | 0x20
		if c == sub[0] && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

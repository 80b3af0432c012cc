package urlx

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// MaxLinks bounds how many links one text yields, so a hostile message body
// cannot make the caller hold millions of strings.
const MaxLinks = 10000

// ExtractLinks returns every link in free text, in order of appearance, each
// a substring of Refang(text): defanged links (hxxps://evil[.]com/x) are
// links too. Links with a scheme ("https://…", and any other "scheme://")
// are found anywhere, including inside another link's query string, because
// redirectors hide the real target there. Links without a scheme must start
// a word, end in a top-level domain from the Public Suffix List, and look
// like a link rather than two words run together: they start with "www.",
// carry a path, query or port ("bit.ly/x", "evil.com/path",
// "1.2.3.4:8080/"), or end in a known ending (see KnownEnding), which keeps
// "e.g.", "3.14", "file.txt" and "days.so" out. Trailing punctuation and
// unbalanced closing brackets are trimmed. Nothing is resolved.
func ExtractLinks(text string) []string {
	text = Refang(text)
	var out []string
	for i := 0; i < len(text) && len(out) < MaxLinks; {
		start, end := nextRun(text, i)
		if start >= len(text) {
			break
		}
		out = linksInRun(text[start:end], out)
		i = end
	}
	return out
}

// nextRun finds the next stretch of characters that can belong to a link.
func nextRun(text string, from int) (start, end int) {
	start = from
	for start < len(text) {
		r, n := utf8.DecodeRuneInString(text[start:])
		if linkRune(r) {
			break
		}
		start += n
	}
	end = start
	for end < len(text) {
		r, n := utf8.DecodeRuneInString(text[end:])
		if !linkRune(r) {
			break
		}
		end += n
	}
	return start, end
}

// linkRune says whether r can appear inside a link as people paste them.
// Quotes and angle brackets delimit links in HTML, JSON and mail.
func linkRune(r rune) bool {
	if r < utf8.RuneSelf {
		if r <= ' ' || r == 0x7f {
			return false
		}
		switch r {
		case '"', '<', '>', '`', '{', '}', '|', '^':
			return false
		}
		return true
	}
	if r == utf8.RuneError {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func linksInRun(run string, out []string) []string {
	coveredTo := 0 // end of the furthest link found; schemeless links never start inside one
	scanned := 0   // schemeless search has covered run[:scanned]
	for i := 0; len(out) < MaxLinks; {
		j := strings.Index(run[i:], "://")
		if j < 0 {
			break
		}
		k := i + j
		i = k + 3
		s := schemeStartBefore(run, k)
		if s < 0 {
			continue
		}
		if s > scanned && s >= coveredTo {
			out = schemeless(run[:s], max(scanned, coveredTo), out)
			scanned = s
		}
		link := trimLink(run[s:])
		if len(link) <= k-s+3 {
			continue
		}
		if _, ok := Parse(link); ok {
			out = append(out, link)
			coveredTo = max(coveredTo, s+len(link))
		}
	}
	if len(out) < MaxLinks {
		out = schemeless(run, max(scanned, coveredTo), out)
	}
	return out
}

// schemeStartBefore walks back from the "://" at k over scheme characters;
// it returns -1 when they do not form a scheme.
func schemeStartBefore(run string, k int) int {
	s := k
	for s > 0 {
		c := run[s-1]
		if isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.' {
			s--
			continue
		}
		break
	}
	for s < k && !isAlpha(run[s]) {
		s++
	}
	if s == k || k-s > 32 {
		return -1
	}
	return s
}

// schemeless scans run[from:] for links without a scheme.
func schemeless(run string, from int, out []string) []string {
	for i := from; i < len(run) && len(out) < MaxLinks; {
		if i > 0 && !wordStart(run[i-1]) {
			i++
			continue
		}
		hostEnd := i
		for hostEnd < len(run) {
			r, n := utf8.DecodeRuneInString(run[hostEnd:])
			if !hostRune(r) {
				break
			}
			hostEnd += n
		}
		if hostEnd == i {
			_, n := utf8.DecodeRuneInString(run[i:])
			i += n
			continue
		}
		if hostEnd < len(run) && run[hostEnd] == '@' {
			// An e-mail address or userinfo: not a link by itself.
			i = hostEnd + 1
			for i < len(run) && hostRuneByte(run[i]) {
				i++
			}
			continue
		}
		host := strings.TrimRight(run[i:hostEnd], ".")
		if !plausibleHost(host) {
			i = hostEnd
			continue
		}
		end := hostEnd
		if end < len(run) && run[end] == ':' {
			p := end + 1
			for p < len(run) && isDigit(run[p]) {
				p++
			}
			if p > end+1 && p-end-1 <= 5 {
				end = p
			}
		}
		if end < len(run) && (run[end] == '/' || run[end] == '?' || run[end] == '#') {
			end = len(run)
		}
		link := trimLink(run[i:end])
		linkish := len(link) > len(host) || hasPrefixFold(host, "www.") || KnownEnding(host)
		if len(link) >= len(host) && linkish {
			out = append(out, link)
		}
		i = max(end, i+1)
	}
	return out
}

// wordStart says whether a schemeless link may begin right after c.
func wordStart(c byte) bool {
	switch c {
	case '(', '[', '\'', ',', ';', '!', '*', '=', ':', '&':
		return true
	}
	return false
}

func hostRune(r rune) bool {
	if r < utf8.RuneSelf {
		return hostRuneByte(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func hostRuneByte(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_'
}

// plausibleHost accepts dotted quads and names with at least two labels whose
// last label is a top-level domain the Public Suffix List knows.
func plausibleHost(h string) bool {
	if len(h) > 253 || strings.Contains(h, "..") || strings.HasPrefix(h, ".") || strings.HasPrefix(h, "-") {
		return false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Is4()
	}
	dot := strings.LastIndexByte(h, '.')
	if dot <= 0 {
		return false
	}
	tld := NormalizeHost(h[dot+1:])
	if tld == "" || isDigit(tld[0]) || strings.IndexByte(tld, '_') >= 0 {
		return false
	}
	_, icann := publicsuffix.PublicSuffix(tld)
	return icann
}

// trimLink drops what sentences put after a link: punctuation, and closing
// brackets or quotes that have no opening partner inside the link.
func trimLink(s string) string {
	// Counted once: recounting per trimmed byte would make a hostile run of
	// ")))…" quadratic.
	openParen, closeParen := strings.Count(s, "("), strings.Count(s, ")")
	openBrack, closeBrack := strings.Count(s, "["), strings.Count(s, "]")
	for len(s) > 0 {
		c := s[len(s)-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'', '*', '&':
			s = s[:len(s)-1]
			continue
		case ')':
			if openParen < closeParen {
				closeParen--
				s = s[:len(s)-1]
				continue
			}
		case ']':
			if openBrack < closeBrack {
				closeBrack--
				s = s[:len(s)-1]
				continue
			}
		}
		break
	}
	return s
}

// genericCountryEndings are two-letter country endings used worldwide as
// generic ones (t.co, bit.ly, x.io): a bare name on them is read as a link.
// Other country endings need "www.", a path or a port, since "days.so" or
// "bueno.es" in a sentence are far more often two words missing a space.
var genericCountryEndings = map[string]bool{
	"co": true, "io": true, "ly": true, "tv": true, "cc": true, "ws": true, "ai": true, "gd": true, "gl": true,
}

// KnownEnding says whether a bare host name (no scheme, no path) ends in a
// domain ending people recognise as one: a generic ending of three or more
// letters (.com, .org, .online), a two-level country ending (.com.mx,
// .co.uk) or a country ending used as a generic one (.co, .io, .ly). IP
// addresses count too.
func KnownEnding(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if a, err := netip.ParseAddr(host); err == nil && a.Is4() {
		return true
	}
	suffix, icann := publicsuffix.PublicSuffix(host)
	if !icann || suffix == host {
		return false
	}
	if strings.Contains(suffix, ".") {
		return true
	}
	return len(suffix) > 2 || genericCountryEndings[suffix]
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

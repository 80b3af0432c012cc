// Package urlx parses the links found on phone evidence and normalises their
// hosts so they can be compared with indicators. It is lenient where
// net/url is strict (links without a scheme, hosts with underscores, Unicode
// hosts) and strict where a matcher must be exact (the host is the real host,
// never the userinfo; IP literals are recognised as such). It never resolves
// or fetches anything.
package urlx

import (
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// MaxLen bounds the input Parse accepts; longer strings are not links anyone
// clicked and would only cost time.
const MaxLen = 64 << 10

// URL is a parsed link. Host is normalised (see NormalizeHost); every other
// field is a substring of Raw, so parsing a lower-case link allocates nothing.
type URL struct {
	Scheme   string // lower case; empty when the link had none
	User     string // userinfo before '@', if any
	Host     string // ASCII, lower case, no port, no brackets, no trailing dot
	Port     string // digits only; empty when absent
	Path     string // from the first '/' (backslash counts, as in browsers); may be empty
	Query    string // after '?', without it
	Fragment string // after '#', without it
	Raw      string // the input, trimmed of surrounding space
	IsIP     bool   // Host is an IPv4 or IPv6 literal
}

// noAuthority lists schemes whose text after ':' is not a host; a link such
// as "mailto:a@b.com" must not be read as host "b.com" with user "mailto:a".
var noAuthority = map[string]bool{
	"mailto": true, "tel": true, "sms": true, "data": true, "javascript": true,
	"about": true, "blob": true, "urn": true, "news": true, "geo": true,
	"facetime": true, "facetime-audio": true, "imessage": true,
}

// Parse splits a link. A missing scheme is accepted ("bit.ly/x"); ok is false
// when no plausible host can be found.
func Parse(raw string) (u URL, ok bool) {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > MaxLen {
		return URL{}, false
	}
	u.Raw = s
	rest := s
	if i := schemeEnd(s); i > 0 {
		scheme := lowerASCII(s[:i])
		after := s[i+1:]
		switch {
		case strings.HasPrefix(after, "//"), strings.HasPrefix(after, `\\`):
			rest = after[2:]
		case noAuthority[scheme]:
			return URL{}, false
		case isSchemeWithoutSlashes(scheme):
			// "http:example.com" is read by browsers as a host; keep that.
			rest = after
		default:
			// "host:8080/x" looks like scheme "host": fall through and treat
			// the whole string as an authority.
			scheme = ""
		}
		u.Scheme = scheme
	} else if strings.HasPrefix(s, "//") {
		rest = s[2:]
	}

	end := strings.IndexAny(rest, `/\?#`)
	authority := rest
	tail := ""
	if end >= 0 {
		authority, tail = rest[:end], rest[end:]
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		u.User, authority = authority[:at], authority[at+1:]
	}
	host, port, ok := splitHostPort(authority)
	if !ok {
		return URL{}, false
	}
	u.Port = port
	if tail != "" {
		tail, u.Fragment, _ = strings.Cut(tail, "#")
		u.Path, u.Query, _ = strings.Cut(tail, "?")
	}
	if strings.IndexByte(host, '%') >= 0 {
		// Browsers decode "%65vil.com" to "evil.com"; so must we, or the
		// escape hides the host from the matcher.
		h, err := url.PathUnescape(host)
		if err != nil {
			return URL{}, false
		}
		host = h
	}
	if !validHost(host) {
		return URL{}, false
	}
	u.Host = NormalizeHost(host)
	if u.Host == "" {
		return URL{}, false
	}
	// The key must parse back to the same host: punycode can push a host
	// past the length bound, and unescaping or trimming an IPv6 zone
	// ("::1%7000", "::%.") can leave a ':' outside any valid literal.
	if !validHost(u.Host) {
		return URL{}, false
	}
	if strings.IndexByte(u.Host, ':') >= 0 {
		if _, ok := ParseIP(u.Host); !ok {
			return URL{}, false
		}
	}
	if a, ok := ParseIP(u.Host); ok && a.Zone() == "" {
		u.IsIP = true
	}
	return u, true
}

// isSchemeWithoutSlashes is for the few schemes browsers still open when the
// slashes are missing.
func isSchemeWithoutSlashes(s string) bool { return s == "http" || s == "https" }

// schemeEnd returns the index of the ':' ending a scheme, or -1.
func schemeEnd(s string) int {
	for i := 0; i < len(s) && i < 32; i++ {
		c := s[i]
		switch {
		case isAlpha(c):
		case i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'):
		case c == ':' && i > 0:
			return i
		default:
			return -1
		}
	}
	return -1
}

func splitHostPort(a string) (host, port string, ok bool) {
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", "", false
		}
		host, rest := a[1:end], a[end+1:]
		if rest != "" {
			if rest[0] != ':' || !allDigits(rest[1:]) {
				return "", "", false
			}
			port = rest[1:]
		}
		if _, err := netip.ParseAddr(host); err != nil {
			return "", "", false
		}
		return host, port, true
	}
	if strings.Count(a, ":") > 1 {
		// A bare IPv6 literal without brackets: only whole-string form.
		if _, err := netip.ParseAddr(a); err == nil {
			return a, "", true
		}
		return "", "", false
	}
	if host, port, ok := strings.Cut(a, ":"); ok {
		if !allDigits(port) || len(port) > 5 {
			return "", "", false
		}
		return host, port, true
	}
	return a, "", true
}

// validHost rejects hosts containing characters no resolver would accept, so
// free text such as "a b" or "<x>" is never taken for a host.
func validHost(h string) bool {
	if h == "" || len(h) > 1024 {
		return false
	}
	for i := 0; i < len(h); {
		c := h[i]
		if c < utf8.RuneSelf {
			if !(isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == ':' || c == '%') {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(h[i:])
		if r == utf8.RuneError && n == 1 {
			return false
		}
		i += n
	}
	return true
}

// NormalizeHost returns the form hosts are compared in: ASCII (punycode for
// IDNs), lower case, without surrounding brackets or a trailing dot. It is
// lenient: a host IDNA rejects (underscores are common in real DNS) is kept
// lower-cased rather than dropped. Already-normal hosts are returned without
// allocating.
func NormalizeHost(h string) string {
	h = strings.TrimSpace(h)
	if len(h) >= 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	h = strings.TrimRight(h, ".")
	if h == "" {
		return ""
	}
	ascii := true
	for i := 0; i < len(h); i++ {
		if h[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		if strings.IndexByte(h, ':') >= 0 {
			if a, err := netip.ParseAddr(h); err == nil {
				return canonicalIP(a, h)
			}
		}
		return lowerASCII(h)
	}
	lower := strings.ToLower(h)
	if a, err := idna.Lookup.ToASCII(lower); err == nil && a != "" {
		return strings.TrimRight(a, ".")
	}
	if a, err := idna.Punycode.ToASCII(lower); err == nil && a != "" {
		return strings.TrimRight(lowerASCII(a), ".")
	}
	return lower
}

// canonicalIP writes IPv6 in its RFC 5952 form so "0:0::1" and "::1" compare
// equal; it keeps the input when it is already canonical to avoid allocating.
func canonicalIP(a netip.Addr, in string) string {
	if a.Is4In6() {
		a = a.Unmap()
	}
	if s := a.String(); s != in {
		return s
	}
	return in
}

// NormalizeURL returns the comparison key of a link, or false when it is not
// one. Two links that reach the same resource on the same server get the same
// key:
//   - the host is normalised (NormalizeHost);
//   - http, https and a missing scheme are the same: feeds and messages write
//     the same phishing link with either, and the scheme is dropped from the
//     key; any other scheme is kept, lower-cased, as "scheme://";
//   - a default port (80, 443; 21 for ftp) is dropped;
//   - an empty path and "/" are the same (a server cannot tell them apart);
//     any other trailing slash is kept, as servers route "/a" and "/a/" apart;
//   - the path and query keep their case; the fragment is dropped, as it never
//     reaches the server.
func NormalizeURL(raw string) (string, bool) {
	u, ok := Parse(raw)
	if !ok {
		return "", false
	}
	return u.Key(), true
}

// Key is NormalizeURL for an already parsed link.
func (u URL) Key() string {
	var b strings.Builder
	b.Grow(len(u.Host) + len(u.Path) + len(u.Query) + 16)
	if !webScheme(u.Scheme) {
		b.WriteString(u.Scheme)
		b.WriteString("://")
	}
	if strings.IndexByte(u.Host, ':') >= 0 {
		b.WriteByte('[')
		b.WriteString(u.Host)
		b.WriteByte(']')
	} else {
		b.WriteString(u.Host)
	}
	if p := strings.TrimLeft(u.Port, "0"); p != "" && !defaultPort(u.Scheme, p) {
		b.WriteByte(':')
		b.WriteString(p)
	}
	path := strings.ReplaceAll(u.Path, `\`, "/")
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	if u.Query != "" {
		b.WriteByte('?')
		b.WriteString(u.Query)
	}
	return b.String()
}

func webScheme(s string) bool { return s == "" || s == "http" || s == "https" }

func defaultPort(scheme, port string) bool {
	switch scheme {
	case "", "http", "https":
		return port == "80" || port == "443"
	case "ftp":
		return port == "21"
	}
	return false
}

// RegisteredDomain is the host's eTLD+1 under the Public Suffix List with its
// private section, so "x.appspot.com" stays "x.appspot.com" rather than
// collapsing into Google's shared domain. IPs, single labels and anything the
// list rejects come back as the normalised host.
func RegisteredDomain(host string) string {
	h := NormalizeHost(host)
	if h == "" {
		return ""
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return h
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(h); err == nil {
		return d
	}
	return h
}

// ParseIP is netip.ParseAddr without the cost of building an error for the
// common case of a host name, which keeps matching allocation-free.
func ParseIP(h string) (netip.Addr, bool) {
	if h == "" {
		return netip.Addr{}, false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(isDigit(c) || c == '.' || c == ':' || c == '%' || (c|0x20 >= 'a' && c|0x20 <= 'f')) {
			if c != '%' && strings.IndexByte(h[:i], '%') < 0 {
				return netip.Addr{}, false
			}
		}
	}
	a, err := netip.ParseAddr(h)
	return a, err == nil
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

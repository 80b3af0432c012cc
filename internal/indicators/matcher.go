package indicators

import (
	"net/netip"
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/urlx"
)

type refs = []model.IndicatorRef

// ref is an indicator's provenance, before its type and value are known.
type ref struct{ Campaign, File, FileSHA256, ID string }

// matcher holds one map per way of comparing. Keys are normalised at build
// time so lookups do no more than normalise the observable once.
type matcher struct {
	distinct   map[alternative]struct{} // (type, normalised value)
	domains    map[string]refs          // ASCII lower-case host, matched with its parents
	ips        map[netip.Addr]refs
	ipNets     []netRefs                  // CIDR indicators, rare enough for a scan
	urls       map[string]refs            // urlx key
	urlHosts   map[string]struct{}        // hosts that have a URL indicator: the key is only built for them
	processes  map[string]refs            // exact, case-sensitive
	procPrefix map[string]refs            // first 15 and 16 bytes of longer names, for truncated observations
	fileNames  map[string]refs            // exact base name
	filePaths  map[string]refs            // absolute, "/private" folded, no trailing slash: covers itself and what is below it
	relPaths   map[string]refs            // relative paths, matched as a suffix on a '/' boundary
	fold       map[string]map[string]refs // case-insensitive sets by type: emails, ids, hashes...
}

type netRefs struct {
	prefix netip.Prefix
	refs   refs
}

// foldKinds says which case-insensitive set an observable kind looks in.
var foldKinds = map[model.Kind]string{
	model.KindEmail:           "email",
	model.KindAppID:           "app",
	model.KindProfileID:       "profile",
	model.KindAndroidProperty: "property",
	model.KindSHA256:          "hash",
	model.KindSHA1:            "hash",
	model.KindMD5:             "hash",
	model.KindCertSHA1:        "cert",
	model.KindCertSHA256:      "cert",
	model.KindCertMD5:         "cert",
}

// foldTypes is the same for indicator types. Hashes share one set whatever
// the label says: feeds have mislabelled SHA-1 certificates as MD5, and the
// length of the hex already tells the algorithms apart.
var foldTypes = map[string]string{
	TypeEmail:           "email",
	TypeAppID:           "app",
	TypeProfileID:       "profile",
	TypeAndroidProperty: "property",
	TypeMD5:             "hash",
	TypeSHA1:            "hash",
	TypeSHA256:          "hash",
	TypeCertMD5:         "cert",
	TypeCertSHA1:        "cert",
	TypeCertSHA256:      "cert",
}

type builder struct {
	files    []FileInfo
	problems []Problem
	m        *matcher
}

func newBuilder() *builder {
	m := &matcher{
		distinct:   map[alternative]struct{}{},
		domains:    map[string]refs{},
		ips:        map[netip.Addr]refs{},
		urls:       map[string]refs{},
		urlHosts:   map[string]struct{}{},
		processes:  map[string]refs{},
		procPrefix: map[string]refs{},
		fileNames:  map[string]refs{},
		filePaths:  map[string]refs{},
		relPaths:   map[string]refs{},
		fold:       map[string]map[string]refs{},
	}
	for _, set := range foldTypes {
		m.fold[set] = map[string]refs{}
	}
	return &builder{m: m}
}

func (b *builder) finish() *Set {
	return &Set{Files: b.files, Problems: b.problems, m: b.m}
}

// put appends r to m[key] unless the same indicator object is already there
// (feeds repeat objects, and one feed can be loaded from two paths).
func put[K comparable](m map[K]refs, key K, r model.IndicatorRef) {
	for _, old := range m[key] {
		if old.ID == r.ID && old.File == r.File && old.Type == r.Type && old.Value == r.Value {
			return
		}
	}
	m[key] = append(m[key], r)
}

// add compiles one alternative; a value that cannot be compiled is reported.
func (b *builder) add(a alternative, p ref) {
	m := b.m
	v := strings.TrimSpace(a.Value)
	r := model.IndicatorRef{Type: a.Type, Value: a.Value, Campaign: p.Campaign, File: p.File, FileSHA256: p.FileSHA256, ID: p.ID}
	bad := func(why string) {
		b.problems = append(b.problems, Problem{File: p.File, ID: p.ID, Pattern: a.Type + " = '" + clip(a.Value) + "'", Reason: why})
	}
	distinct := func(key string) { m.distinct[alternative{a.Type, key}] = struct{}{} }

	switch a.Type {
	case TypeDomain:
		host := strings.TrimPrefix(v, "*.")
		if strings.ContainsAny(host, "/?#") {
			// A "domain" with a path (seen in Coruna): the path is the point.
			if !b.addURL(host, r, distinct) {
				bad("domain with a path is not a parsable link")
			}
			return
		}
		if ip, ok := parseIPValue(host); ok {
			distinct(ip.String())
			put(m.ips, ip, r)
			return
		}
		if strings.IndexByte(host, ':') >= 0 {
			if u, ok := urlx.Parse(host); ok {
				host = u.Host
			}
		}
		h := urlx.NormalizeHost(host)
		if h == "" {
			bad("empty domain")
			return
		}
		distinct(h)
		put(m.domains, h, r)
	case TypeURL:
		if !b.addURL(v, r, distinct) {
			bad("URL has no host huella can parse")
		}
	case TypeIPv4, TypeIPv6:
		if ip, ok := parseIPValue(v); ok {
			distinct(ip.String())
			put(m.ips, ip, r)
			return
		}
		if pfx, err := netip.ParsePrefix(v); err == nil {
			pfx = pfx.Masked()
			distinct(pfx.String())
			for i := range m.ipNets {
				if m.ipNets[i].prefix == pfx {
					m.ipNets[i].refs = append(m.ipNets[i].refs, r)
					return
				}
			}
			m.ipNets = append(m.ipNets, netRefs{prefix: pfx, refs: refs{r}})
			return
		}
		bad("not an IP address or CIDR prefix")
	case TypeProcess:
		distinct(v)
		put(m.processes, v, r)
		for _, n := range []int{15, 16} {
			if len(v) > n {
				put(m.procPrefix, v[:n], r)
			}
		}
	case TypeFileName:
		distinct(v)
		put(m.fileNames, v, r)
	case TypeFilePath:
		distinct(v)
		p := foldPrivate(v)
		switch {
		case strings.HasPrefix(p, "/") && len(strings.TrimRight(p, "/")) > 0:
			// A path names a file or a folder, and an implant's folder
			// (Predator's /private/var/tmp/hooker) holds its files: the
			// indicator covers what is below it, at a '/' boundary only.
			put(m.filePaths, strings.TrimRight(p, "/"), r)
		case strings.HasPrefix(p, "/"):
			bad("file path is only slashes")
		default:
			put(m.relPaths, strings.TrimPrefix(p, "./"), r)
		}
	default:
		set, ok := foldTypes[a.Type]
		if !ok {
			bad("type has no matcher")
			return
		}
		key := foldValue(set, v)
		distinct(key)
		put(m.fold[set], key, r)
	}
}

func (b *builder) addURL(v string, r model.IndicatorRef, distinct func(string)) bool {
	u, ok := urlx.Parse(v)
	if !ok {
		return false
	}
	key := u.Key()
	distinct(key)
	put(b.m.urls, key, r)
	b.m.urlHosts[u.Host] = struct{}{}
	return true
}

func parseIPValue(s string) (netip.Addr, bool) {
	a, ok := urlx.ParseIP(strings.Trim(s, "[]"))
	if !ok || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// foldPrivate maps iOS's /private/var, /private/tmp and /private/etc to the
// /var, /tmp and /etc symlinks, so an indicator written one way matches a
// path recorded the other way.
func foldPrivate(p string) string {
	if strings.HasPrefix(p, "/private/") {
		rest := p[len("/private"):]
		if strings.HasPrefix(rest, "/var/") || strings.HasPrefix(rest, "/tmp/") || strings.HasPrefix(rest, "/etc/") ||
			rest == "/var" || rest == "/tmp" || rest == "/etc" {
			return rest
		}
	}
	return p
}

// foldValue is the build-time key for a case-insensitive set.
func foldValue(set, v string) string {
	v = strings.ToLower(v)
	switch set {
	case "email":
		v = strings.TrimPrefix(v, "mailto:")
	case "cert":
		v = strings.ReplaceAll(v, ":", "")
	}
	return v
}

// Match returns every indicator the observable matches. It allocates only
// when something matches (or the value needs case or IDNA folding) and is
// safe for concurrent use.
func (s *Set) Match(o model.Observable) []model.IndicatorRef {
	if s == nil || s.m == nil || o.Value == "" {
		return nil
	}
	m := s.m
	v := o.Value
	switch o.Kind {
	case model.KindURL:
		return m.matchURL(v, nil)
	case model.KindDomain:
		return m.matchHost(v, nil)
	case model.KindIP:
		if ip, ok := parseIPValue(strings.TrimSpace(v)); ok {
			return m.matchIP(ip, nil)
		}
		return nil
	case model.KindProcess:
		return m.matchProcess(v, nil)
	case model.KindFilePath:
		return m.matchPath(v, nil)
	}
	if set, ok := foldKinds[o.Kind]; ok {
		return m.matchFold(set, v, nil)
	}
	return nil
}

func (m *matcher) matchURL(v string, out refs) refs {
	u, ok := urlx.Parse(v)
	if !ok {
		return out
	}
	if _, ok := m.urlHosts[u.Host]; ok {
		key := u.Key()
		out = append(out, m.urls[key]...)
		if u.Query != "" || u.Fragment != "" {
			// An indicator without a query names the resource; tracking
			// parameters added to it must not hide it.
			u.Query, u.Fragment = "", ""
			if k2 := u.Key(); k2 != key {
				out = append(out, m.urls[k2]...)
			}
		}
	}
	if u.IsIP {
		if ip, ok := parseIPValue(u.Host); ok {
			return m.matchIP(ip, out)
		}
		return out
	}
	return m.walkDomain(u.Host, out)
}

func (m *matcher) matchHost(v string, out refs) refs {
	v = strings.TrimSpace(v)
	if strings.ContainsAny(v, "/?#@") {
		return m.matchURL(v, out)
	}
	if ip, ok := parseIPValue(v); ok {
		return m.matchIP(ip, out)
	}
	if strings.IndexByte(v, ':') >= 0 {
		return m.matchURL(v, out) // host:port
	}
	return m.walkDomain(urlx.NormalizeHost(v), out)
}

// walkDomain tries the host and each parent: "a.b.evil.com", "b.evil.com",
// "evil.com", "com". A map lookup per label gives sub-domain semantics
// without ever matching "notevil.com" or "evil.com.example.net".
func (m *matcher) walkDomain(h string, out refs) refs {
	for h != "" {
		if r := m.domains[h]; len(r) > 0 {
			out = append(out, r...)
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return out
}

func (m *matcher) matchIP(ip netip.Addr, out refs) refs {
	out = append(out, m.ips[ip]...)
	for _, n := range m.ipNets {
		if n.prefix.Contains(ip) {
			out = append(out, n.refs...)
		}
	}
	return out
}

// matchProcess compares the name (the base name when given a path) exactly.
// iOS stores some process names cut to 15 or 16 bytes (the kernel's
// MAXCOMLEN and the DB columns derived from it), so a name of exactly that
// length also matches indicators it is the start of.
func (m *matcher) matchProcess(v string, out refs) refs {
	if i := strings.LastIndexByte(v, '/'); i >= 0 && i < len(v)-1 {
		v = v[i+1:]
	}
	out = append(out, m.processes[v]...)
	if len(v) == 15 || len(v) == 16 {
		out = append(out, m.procPrefix[v]...)
	}
	return out
}

// matchPath checks a file path against file:name (its base name) and
// file:path: the path itself or any folder above it ("/private/var/tmp/hooker"
// covers "/private/var/tmp/hooker/libhook.dylib" but "/private/var/tmp/stop"
// never covers "/private/var/tmp/stopwatchd"), or a relative indicator it
// ends with on a '/' boundary.
func (m *matcher) matchPath(v string, out refs) refs {
	base := v
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		base = v[i+1:]
	}
	if base != "" {
		out = append(out, m.fileNames[base]...)
	}
	p := foldPrivate(v)
	if len(m.filePaths) > 0 {
		trimmed := strings.TrimRight(p, "/")
		for i := len(trimmed); i > 0; {
			out = append(out, m.filePaths[trimmed[:i]]...)
			i = strings.LastIndexByte(trimmed[:i], '/')
		}
	}
	if len(m.relPaths) > 0 {
		for rest := p; rest != ""; {
			out = append(out, m.relPaths[rest]...)
			i := strings.IndexByte(rest, '/')
			if i < 0 {
				break
			}
			rest = rest[i+1:]
		}
	}
	return out
}

// foldForm is v as a case-insensitive set compares it, before case folding:
// trimmed, an e-mail without "mailto:", a fingerprint without colons. The
// matcher and the case store's lookup keys both go through it, so a stored
// key is the one the matcher would use. Nothing is copied when nothing
// changes.
func foldForm(set, v string) string {
	v = strings.TrimSpace(v)
	switch set {
	case "email":
		if len(v) > 7 && strings.EqualFold(v[:7], "mailto:") {
			v = v[7:]
		}
	case "cert":
		if strings.IndexByte(v, ':') >= 0 {
			v = strings.ReplaceAll(v, ":", "")
		}
	}
	return v
}

// matchFold looks v up in a case-insensitive set, lower-casing into a stack
// buffer so a miss costs no allocation.
func (m *matcher) matchFold(set, v string, out refs) refs {
	v = foldForm(set, v)
	var buf [256]byte
	if len(v) > len(buf) {
		return append(out, m.fold[set][strings.ToLower(v)]...)
	}
	b := buf[:len(v)]
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return append(out, m.fold[set][string(b)]...)
}

// Search finds a value among indicators of any type, for `iocs search`:
// hosts with domain semantics (a sub-domain finds its parent), links by
// their host and URL, everything else exactly or case-insensitively as its
// type is compared.
func (s *Set) Search(value string) []model.IndicatorRef {
	if s == nil || s.m == nil {
		return nil
	}
	v := strings.TrimSpace(value)
	if v == "" {
		return nil
	}
	m := s.m
	var out refs
	switch {
	case strings.Contains(v, "://") || strings.ContainsAny(v, "/?#"):
		out = m.matchURL(v, out)
	case strings.IndexByte(v, '@') >= 0:
		// An address: its domain is not the thing searched for.
	default:
		out = m.matchHost(v, out)
	}
	out = m.matchProcess(v, out)
	out = m.matchPath(v, out)
	for _, set := range []string{"email", "app", "profile", "property", "hash", "cert"} {
		out = m.matchFold(set, v, out)
	}
	return dedupe(out)
}

func dedupe(in refs) refs {
	if len(in) < 2 {
		return in
	}
	seen := make(map[model.IndicatorRef]bool, len(in))
	out := in[:0]
	for _, r := range in {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

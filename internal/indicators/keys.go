package indicators

import (
	"net/netip"
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/urlx"
)

// Lookup keys let a case store find, among millions of stored observables,
// the few that could match an indicator, without running the matcher over
// all of them. They mirror the matcher exactly: ObservableKeys lists every
// map key Match would look an observable up by, and Set.Keys lists every
// map key the compiled indicators sit under. An observable can only match
// an indicator when the two lists share a key (or, for CIDR indicators, the
// observable's address falls in the prefix), so a store that indexes the
// first and queries with the second finds a superset of the matches; the
// matcher itself then decides, so a hunt gives exactly the findings a check
// gives. Keep this file in step with matcher.go: TestKeysCoverMatches fails
// when they drift apart.

// Key spaces. Spaces keep "evil.com" the domain apart from "evil.com" the
// file name; within a space, keys of the matcher's different maps that are
// compared the same way share one space (file names, paths, folders and
// relative paths are all "path"), which only adds candidates, never drops one.
const (
	SpaceDomain   = "domain"
	SpaceURL      = "url"
	SpaceIP       = "ip"
	SpaceProcess  = "process"
	SpacePath     = "path"
	SpaceEmail    = "email"
	SpaceApp      = "app"
	SpaceProfile  = "profile"
	SpaceProperty = "property"
	SpaceHash     = "hash"
	SpaceCert     = "cert"
)

// LookupKey is one key of one space. IP keys carry Prefix (a single address
// is a full-length prefix) and Text is the address or prefix in text.
type LookupKey struct {
	Space  string
	Text   string
	Prefix netip.Prefix
}

// IsRange reports an IP key that covers more than one address (a CIDR
// indicator): a store answers it with a range scan, not a point lookup.
func (k LookupKey) IsRange() bool {
	return k.Space == SpaceIP && k.Prefix.IsValid() && k.Prefix.Bits() < k.Prefix.Addr().BitLen()
}

func textKey(space, text string) LookupKey { return LookupKey{Space: space, Text: text} }

func ipKey(a netip.Addr) LookupKey {
	return LookupKey{Space: SpaceIP, Text: a.String(), Prefix: netip.PrefixFrom(a, a.BitLen())}
}

// ObservableKeys returns the lookup keys of one observable, without
// duplicates. The first key, when there is one, is the observable's own
// normalised value (its host, link key, address, name, path or folded
// value): stores use it as the value's canonical form.
func ObservableKeys(o model.Observable) []LookupKey {
	var ks keySet
	v := o.Value
	if v == "" {
		return nil
	}
	switch o.Kind {
	case model.KindURL:
		ks.url(v)
	case model.KindDomain:
		ks.host(v)
	case model.KindIP:
		if ip, ok := parseIPValue(strings.TrimSpace(v)); ok {
			ks.add(ipKey(ip))
		}
	case model.KindProcess:
		ks.process(v)
	case model.KindFilePath:
		ks.path(v)
	default:
		if set, ok := foldKinds[o.Kind]; ok {
			ks.fold(set, v)
		}
	}
	return ks.keys
}

type keySet struct {
	keys []LookupKey
}

func (s *keySet) add(k LookupKey) {
	for _, x := range s.keys {
		if x.Space == k.Space && x.Text == k.Text {
			return
		}
	}
	s.keys = append(s.keys, k)
}

// url mirrors matchURL: the link key, the key without query and fragment,
// then the address or the host and its parents.
func (s *keySet) url(v string) {
	u, ok := urlx.Parse(v)
	if !ok {
		return
	}
	s.add(textKey(SpaceURL, u.Key()))
	if u.Query != "" || u.Fragment != "" {
		u.Query, u.Fragment = "", ""
		s.add(textKey(SpaceURL, u.Key()))
	}
	if u.IsIP {
		if ip, ok := parseIPValue(u.Host); ok {
			s.add(ipKey(ip))
		}
		return
	}
	s.domain(u.Host)
}

// host mirrors matchHost.
func (s *keySet) host(v string) {
	v = strings.TrimSpace(v)
	if strings.ContainsAny(v, "/?#@") {
		s.url(v)
		return
	}
	if ip, ok := parseIPValue(v); ok {
		s.add(ipKey(ip))
		return
	}
	if strings.IndexByte(v, ':') >= 0 {
		s.url(v)
		return
	}
	s.domain(urlx.NormalizeHost(v))
}

// domain mirrors walkDomain: the host and every parent.
func (s *keySet) domain(h string) {
	for h != "" {
		s.add(textKey(SpaceDomain, h))
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
}

// process mirrors matchProcess; the 15/16-byte prefixes of long indicator
// names are in the same space, so a truncated name is its own key.
func (s *keySet) process(v string) {
	if i := strings.LastIndexByte(v, '/'); i >= 0 && i < len(v)-1 {
		v = v[i+1:]
	}
	s.add(textKey(SpaceProcess, v))
}

// path mirrors matchPath: the path (with /private folded) and every folder
// above it, every suffix on a '/' boundary, and the base name.
func (s *keySet) path(v string) {
	p := foldPrivate(v)
	s.add(textKey(SpacePath, p))
	trimmed := strings.TrimRight(p, "/")
	for i := len(trimmed); i > 0; {
		s.add(textKey(SpacePath, trimmed[:i]))
		i = strings.LastIndexByte(trimmed[:i], '/')
	}
	for rest := p; rest != ""; {
		s.add(textKey(SpacePath, rest))
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	base := v
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		base = v[i+1:]
	}
	if base != "" {
		s.add(textKey(SpacePath, base))
	}
}

// fold mirrors matchFold.
func (s *keySet) fold(set, v string) {
	v = foldForm(set, v)
	// The matcher folds short values byte by byte (ASCII only) and long
	// ones with strings.ToLower; do the same so the key is the one it uses.
	if len(v) > 256 {
		v = strings.ToLower(v)
	} else {
		b := []byte(v)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		v = string(b)
	}
	s.add(textKey(foldSpace(set), v))
}

// foldSpace names the key space of a case-insensitive set.
func foldSpace(set string) string {
	switch set {
	case "email":
		return SpaceEmail
	case "app":
		return SpaceApp
	case "profile":
		return SpaceProfile
	case "property":
		return SpaceProperty
	case "hash":
		return SpaceHash
	case "cert":
		return SpaceCert
	}
	return set
}

// Keys returns every key the compiled indicators sit under, each with the
// indicators reachable through it. CIDR indicators come back as range keys.
func (s *Set) Keys() []IndicatorKey {
	if s == nil || s.m == nil {
		return nil
	}
	m := s.m
	var out []IndicatorKey
	text := func(space string, mp map[string]refs) {
		for k, r := range mp {
			if len(r) > 0 {
				out = append(out, IndicatorKey{Key: textKey(space, k), Refs: r})
			}
		}
	}
	text(SpaceDomain, m.domains)
	text(SpaceURL, m.urls)
	text(SpaceProcess, m.processes)
	text(SpaceProcess, m.procPrefix)
	text(SpacePath, m.fileNames)
	text(SpacePath, m.filePaths)
	text(SpacePath, m.relPaths)
	for set, mp := range m.fold {
		text(foldSpace(set), mp)
	}
	for a, r := range m.ips {
		if len(r) > 0 {
			out = append(out, IndicatorKey{Key: ipKey(a), Refs: r})
		}
	}
	for _, n := range m.ipNets {
		k := LookupKey{Space: SpaceIP, Text: n.prefix.String(), Prefix: n.prefix}
		out = append(out, IndicatorKey{Key: k, Refs: n.refs})
	}
	return out
}

// IndicatorKey is one key of a compiled set and the indicators under it.
type IndicatorKey struct {
	Key  LookupKey
	Refs []model.IndicatorRef
}

// Refs lists every distinct indicator of the set (one per type and value
// of each indicator object), in no particular order.
func (s *Set) Refs() []model.IndicatorRef {
	if s == nil || s.m == nil {
		return nil
	}
	seen := map[model.IndicatorRef]bool{}
	var out []model.IndicatorRef
	for _, k := range s.Keys() {
		for _, r := range k.Refs {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// Compile builds a set from indicators already loaded (for example the
// subset of a feed that is new since a case was last hunted). Each ref is
// compiled exactly as the loader compiled it, so matching with the result
// is matching with those indicators of the original set.
func Compile(refs []model.IndicatorRef) *Set {
	b := newBuilder()
	for _, r := range refs {
		b.add(alternative{Type: r.Type, Value: r.Value}, ref{Campaign: r.Campaign, File: r.File, FileSHA256: r.FileSHA256, ID: r.ID})
	}
	return b.finish()
}

// Package warninglists answers "is this well-known infrastructure?" for the
// network rules, from a few MISP warning lists vendored unchanged in lists/
// (see README.md there for their source, version and licence): the address
// ranges of Apple, Google Cloud, Microsoft Azure, Amazon AWS, Cloudflare,
// Akamai and Fastly, Google's and Microsoft's domains, public DNS resolvers
// (addresses and host names) and dynamic-DNS providers.
//
// A phone talks to these all day; a rule that fires on them (an address
// contacted without a DNS answer, an encrypted DNS resolver) would scare
// every owner of a clean phone. The lists only ever lower a finding: being
// on one never hides an indicator match, which the matcher decides alone.
//
// Everything is embedded and parsed once, on first use; nothing is looked
// up on the network.
package warninglists

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
)

//go:embed lists/*.json
var files embed.FS

// Group is what a list says about a value.
type Group string

const (
	// Infrastructure: the networks and domains of the large platforms and
	// content networks every phone uses.
	Infrastructure Group = "infrastructure"
	// PublicDNS: public DNS resolvers, by address or name.
	PublicDNS Group = "public_dns"
	// DynamicDNS: providers that hand out names under their domains to
	// anyone, for free (duckdns.org, no-ip's ddns.net...).
	DynamicDNS Group = "dynamic_dns"
)

// sources maps each vendored list to its group. The file name is the
// list's folder name upstream.
var sources = []struct {
	file  string
	group Group
}{
	{"apple", Infrastructure},
	{"google", Infrastructure},
	{"google-gcp", Infrastructure},
	{"microsoft", Infrastructure},
	{"microsoft-azure", Infrastructure},
	{"amazon-aws", Infrastructure},
	{"cloudflare", Infrastructure},
	{"akamai", Infrastructure},
	{"fastly", Infrastructure},
	{"public-dns-v4", PublicDNS},
	{"public-dns-v6", PublicDNS},
	{"public-dns-hostname", PublicDNS},
	{"dynamic-dns", DynamicDNS},
}

// List describes one vendored list.
type List struct {
	File    string // folder name upstream, e.g. "apple"
	Name    string // the list's own title
	Version string
	Type    string // cidr, string, hostname
	Entries int
	Group   Group
}

// Match is a value found on a list.
type Match struct {
	List  string // file name of the list, e.g. "apple"
	Name  string // the list's title, e.g. "List of known Apple IP ranges"
	Entry string // the entry that matched: a range, a domain
	Group Group
}

type prefixSet struct {
	bits map[int]map[netip.Prefix]int // prefix length -> masked prefix -> list index
	lens []int                        // the lengths present, longest first
}

type index struct {
	lists   []List
	domains map[Group]map[string]int // ASCII lower-case domain -> list index
	nets    map[Group]*prefixSet
}

var (
	once   sync.Once
	loaded *index
	errIdx error
)

func load() (*index, error) {
	once.Do(func() { loaded, errIdx = build() })
	return loaded, errIdx
}

type rawList struct {
	Name    string          `json:"name"`
	Version json.RawMessage `json:"version"`
	Type    string          `json:"type"`
	List    []string        `json:"list"`
}

func build() (*index, error) {
	ix := &index{domains: map[Group]map[string]int{}, nets: map[Group]*prefixSet{}}
	for _, s := range sources {
		b, err := files.ReadFile("lists/" + s.file + ".json")
		if err != nil {
			return nil, err
		}
		var r rawList
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("warning list %s: %w", s.file, err)
		}
		li := len(ix.lists)
		ix.lists = append(ix.lists, List{File: s.file, Name: r.Name, Version: strings.Trim(string(r.Version), `"`),
			Type: r.Type, Entries: len(r.List), Group: s.group})
		for _, e := range r.List {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			if r.Type == "cidr" {
				p, ok := parsePrefix(e)
				if !ok {
					continue
				}
				ps := ix.nets[s.group]
				if ps == nil {
					ps = &prefixSet{bits: map[int]map[netip.Prefix]int{}}
					ix.nets[s.group] = ps
				}
				m := ps.bits[p.Bits()]
				if m == nil {
					m = map[netip.Prefix]int{}
					ps.bits[p.Bits()] = m
					ps.lens = append(ps.lens, p.Bits())
				}
				if _, dup := m[p]; !dup {
					m[p] = li
				}
				continue
			}
			// Domain lists (string and hostname types): an entry names a
			// domain and everything below it; a leading dot says so
			// explicitly in some lists.
			d := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(e, "."), "."))
			if d == "" {
				continue
			}
			m := ix.domains[s.group]
			if m == nil {
				m = map[string]int{}
				ix.domains[s.group] = m
			}
			if _, dup := m[d]; !dup {
				m[d] = li
			}
		}
	}
	for _, ps := range ix.nets {
		sort.Sort(sort.Reverse(sort.IntSlice(ps.lens)))
	}
	return ix, nil
}

// parsePrefix reads an address or a CIDR range (lists mix both and write
// IPv6 in upper case).
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(strings.ToLower(s))
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(strings.ToLower(s))
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// Lists describes the vendored lists, for the README test and the
// analyst's provenance.
func Lists() []List {
	ix, err := load()
	if err != nil {
		return nil
	}
	return append([]List(nil), ix.lists...)
}

// Domain looks host up in the domain lists of group g: the host or one of
// its parent domains must be listed, except for public DNS resolvers, whose
// list names resolver hosts one by one (it lists example.com: a resolver
// there does not make www.example.com one). Host is compared lower-cased,
// without a trailing dot.
func Domain(g Group, host string) (Match, bool) {
	ix, err := load()
	if err != nil {
		return Match{}, false
	}
	m := ix.domains[g]
	if m == nil {
		return Match{}, false
	}
	h := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	for h != "" {
		if li, ok := m[h]; ok {
			return ix.match(li, h), true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 || g == PublicDNS {
			break
		}
		h = h[i+1:]
	}
	return Match{}, false
}

// IP looks a up in the address lists of group g.
func IP(g Group, a netip.Addr) (Match, bool) {
	ix, err := load()
	if err != nil || !a.IsValid() {
		return Match{}, false
	}
	ps := ix.nets[g]
	if ps == nil {
		return Match{}, false
	}
	a = a.Unmap()
	for _, bits := range ps.lens {
		if bits > a.BitLen() {
			continue
		}
		p, err := a.Prefix(bits)
		if err != nil {
			continue
		}
		if li, ok := ps.bits[bits][p]; ok {
			return ix.match(li, p.String()), true
		}
	}
	return Match{}, false
}

func (ix *index) match(li int, entry string) Match {
	l := ix.lists[li]
	return Match{List: l.File, Name: l.Name, Entry: entry, Group: l.Group}
}

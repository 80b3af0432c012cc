package indicators

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
)

// keysCover reports the indicators o matches that the lookup keys would not
// find: an index of ObservableKeys queried with Set.Keys must find every
// match, or a hunt would miss what a check finds.
func keysCover(s *Set, o model.Observable) []model.IndicatorRef {
	matched := s.Match(o)
	if len(matched) == 0 {
		return nil
	}
	okeys := ObservableKeys(o)
	reach := map[model.IndicatorRef]bool{}
	for _, ik := range s.Keys() {
		for _, ok := range okeys {
			hit := ik.Key.Space == ok.Space && ik.Key.Text == ok.Text
			if ik.Key.IsRange() && ok.Space == SpaceIP && ok.Prefix.IsValid() {
				hit = ik.Key.Prefix.Contains(ok.Prefix.Addr())
			}
			if hit {
				for _, r := range ik.Refs {
					reach[r] = true
				}
			}
		}
	}
	var missed []model.IndicatorRef
	for _, r := range matched {
		if !reach[r] {
			missed = append(missed, r)
		}
	}
	return missed
}

func compileOne(t testing.TB, typ, value string) *Set {
	t.Helper()
	return Compile([]model.IndicatorRef{{Type: typ, Value: value, ID: "indicator--1", Campaign: "C", File: "f"}})
}

func TestKeysCoverMatches(t *testing.T) {
	tests := []struct {
		typ, value string
		obs        model.Observable
	}{
		{TypeDomain, "evil.com", model.Observable{Kind: model.KindDomain, Value: "A.B.Evil.COM."}},
		{TypeDomain, "evil.com", model.Observable{Kind: model.KindURL, Value: "https://x.evil.com:8443/a?b#c"}},
		{TypeDomain, "evil.com", model.Observable{Kind: model.KindDomain, Value: "x.evil.com/path"}},
		{TypeDomain, "evil.com", model.Observable{Kind: model.KindDomain, Value: "x.evil.com:443"}},
		{TypeDomain, "*.evil.com", model.Observable{Kind: model.KindURL, Value: "evil.com/x"}},
		{TypeDomain, "bücher.example", model.Observable{Kind: model.KindURL, Value: "http://xn--bcher-kva.example/"}},
		{TypeDomain, "evil.com/landing", model.Observable{Kind: model.KindURL, Value: "https://evil.com/landing?utm=1"}},
		{TypeDomain, "198.51.100.7", model.Observable{Kind: model.KindURL, Value: "http://198.51.100.7/x"}},
		{TypeURL, "http://evil.com/a", model.Observable{Kind: model.KindURL, Value: "HTTPS://EVIL.com:443/a?track=1#f"}},
		{TypeURL, "http://evil.com/a", model.Observable{Kind: model.KindDomain, Value: "evil.com/a"}},
		{TypeIPv4, "198.51.100.0/24", model.Observable{Kind: model.KindIP, Value: "198.51.100.200"}},
		{TypeIPv4, "198.51.100.0/24", model.Observable{Kind: model.KindURL, Value: "http://198.51.100.9:8080/"}},
		{TypeIPv4, "198.51.100.1", model.Observable{Kind: model.KindIP, Value: "::ffff:198.51.100.1"}},
		{TypeIPv6, "2001:db8::/32", model.Observable{Kind: model.KindIP, Value: "2001:db8:0:0:1::1"}},
		{TypeIPv6, "2001:db8::1", model.Observable{Kind: model.KindDomain, Value: "[2001:db8::1]"}},
		{TypeProcess, "verylongprocessname", model.Observable{Kind: model.KindProcess, Value: "verylongprocess"}},
		{TypeProcess, "verylongprocessname", model.Observable{Kind: model.KindProcess, Value: "verylongprocessn"}},
		{TypeProcess, "bh", model.Observable{Kind: model.KindProcess, Value: "/usr/libexec/bh"}},
		{TypeFileName, "x.plist", model.Observable{Kind: model.KindFilePath, Value: "/private/var/db/x.plist"}},
		{TypeFilePath, "/private/var/tmp/l/", model.Observable{Kind: model.KindFilePath, Value: "/var/tmp/l/a/b"}},
		{TypeFilePath, "/var/db/x", model.Observable{Kind: model.KindFilePath, Value: "/private/var/db/x"}},
		{TypeFilePath, "Library/Caches/x", model.Observable{Kind: model.KindFilePath, Value: "/var/mobile/Library/Caches/x"}},
		{TypeFilePath, "./Caches/x", model.Observable{Kind: model.KindFilePath, Value: "/var/mobile/Library/Caches/x"}},
		{TypeEmail, "Bad@Example.org", model.Observable{Kind: model.KindEmail, Value: "MAILTO:bad@example.ORG"}},
		{TypeAppID, "com.Spy.app", model.Observable{Kind: model.KindAppID, Value: "COM.spy.APP"}},
		{TypeSHA256, "AB" + strings.Repeat("0", 62), model.Observable{Kind: model.KindSHA256, Value: "ab" + strings.Repeat("0", 62)}},
		{TypeMD5, strings.Repeat("a", 40), model.Observable{Kind: model.KindSHA1, Value: strings.Repeat("A", 40)}},
		{TypeCertSHA1, "AA:BB:CC", model.Observable{Kind: model.KindCertSHA1, Value: "aabbcc"}},
		{TypeCertSHA1, "aabbcc", model.Observable{Kind: model.KindCertSHA1, Value: "AA:BB:CC"}},
		{TypeProfileID, "76DAB334", model.Observable{Kind: model.KindProfileID, Value: " 76dab334 "}},
		{TypeAndroidProperty, "sys.Foo", model.Observable{Kind: model.KindAndroidProperty, Value: "SYS.foo"}},
		{TypeEmail, strings.Repeat("É", 200) + "@x.org", model.Observable{Kind: model.KindEmail, Value: strings.Repeat("é", 200) + "@X.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"="+tt.value, func(t *testing.T) {
			s := compileOne(t, tt.typ, tt.value)
			if len(s.Match(tt.obs)) == 0 {
				t.Fatalf("the matcher does not match %+v: the case is wrong", tt.obs)
			}
			if missed := keysCover(s, tt.obs); len(missed) > 0 {
				t.Errorf("keys of %+v miss %v; observable keys %v", tt.obs, missed, ObservableKeys(tt.obs))
			}
		})
	}
}

// TestKeysCoverRandom draws observables and indicators from small alphabets,
// so they collide often, and checks that every match is reachable by key.
func TestKeysCoverRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	labels := []string{"a", "b", "evil", "com", "x-y", "Xn--bcher-kva", "198", "51"}
	segs := []string{"private", "var", "tmp", "a", "b", "Library", "x.plist", ""}
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	join := func(xs []string, n int, sep string) string {
		var p []string
		for i := 0; i < n; i++ {
			p = append(p, pick(xs))
		}
		return strings.Join(p, sep)
	}
	host := func() string { return join(labels, 1+r.IntN(4), ".") }
	value := func(k model.Kind) string {
		switch k {
		case model.KindURL:
			return pick([]string{"http://", "https://", "", "HTTP://"}) + host() + pick([]string{"", ":80", ":8080"}) + "/" + join(segs, r.IntN(3), "/") + pick([]string{"", "?q=1", "#f"})
		case model.KindDomain:
			return host() + pick([]string{"", ".", ":443", "/p"})
		case model.KindIP:
			return fmt.Sprintf("198.51.%d.%d", r.IntN(2)+100, r.IntN(3))
		case model.KindProcess:
			return pick([]string{"", "/usr/bin/"}) + pick([]string{"bh", "verylongprocessname", "verylongprocess", "verylongprocessn"})
		case model.KindFilePath:
			return pick([]string{"/", "", "./"}) + join(segs, 1+r.IntN(4), "/")
		default:
			return pick([]string{"AB", "ab", "a@b.com", "MAILTO:A@B.com", "aa:bb", "aabb"})
		}
	}
	kinds := []model.Kind{model.KindURL, model.KindDomain, model.KindIP, model.KindProcess, model.KindFilePath, model.KindEmail, model.KindSHA1, model.KindCertSHA1, model.KindAppID}
	types := map[model.Kind][]string{
		model.KindURL: {TypeURL, TypeDomain}, model.KindDomain: {TypeDomain}, model.KindIP: {TypeIPv4},
		model.KindProcess: {TypeProcess}, model.KindFilePath: {TypeFilePath, TypeFileName},
		model.KindEmail: {TypeEmail}, model.KindSHA1: {TypeSHA1, TypeMD5}, model.KindCertSHA1: {TypeCertSHA1}, model.KindAppID: {TypeAppID},
	}
	var refs []model.IndicatorRef
	for i := 0; i < 400; i++ {
		k := kinds[r.IntN(len(kinds))]
		typ := pick(types[k])
		v := value(k)
		switch {
		case typ == TypeDomain:
			v = pick([]string{"", "*."}) + host()
		case typ == TypeIPv4 && r.IntN(3) == 0:
			v = fmt.Sprintf("198.51.%d.0/%d", 100+r.IntN(2), 23+r.IntN(3))
		case typ == TypeFileName:
			v = pick(segs)
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		refs = append(refs, model.IndicatorRef{Type: typ, Value: v, ID: fmt.Sprintf("indicator--%d", i), File: "f"})
	}
	s := Compile(refs)
	matches := 0
	for i := 0; i < 20000; i++ {
		k := kinds[r.IntN(len(kinds))]
		o := model.Observable{Kind: k, Value: value(k)}
		if len(s.Match(o)) > 0 {
			matches++
		}
		if missed := keysCover(s, o); len(missed) > 0 {
			t.Fatalf("keys of %+v miss %v; keys %v", o, missed, ObservableKeys(o))
		}
	}
	if matches < 1000 {
		t.Fatalf("only %d observables matched: the generator no longer exercises the matcher", matches)
	}
}

func TestCompileMatchesLikeTheLoadedSet(t *testing.T) {
	s := loadBundle(t, mvtTestBundle())
	c := Compile(s.Refs())
	if c.Len() != s.Len() {
		t.Fatalf("compiled %d indicators, loaded %d", c.Len(), s.Len())
	}
	for _, o := range []model.Observable{
		{Kind: model.KindURL, Value: "https://sub.example.org/x"},
		{Kind: model.KindIP, Value: "198.51.100.1"},
		{Kind: model.KindProcess, Value: "Launch"},
		{Kind: model.KindEmail, Value: "FOOBAR@example.org"},
		{Kind: model.KindURL, Value: "http://example.com/thisisbad"},
	} {
		a, b := values(s.Match(o)), values(c.Match(o))
		if strings.Join(a, ",") != strings.Join(b, ",") || len(a) == 0 {
			t.Errorf("%+v: loaded %v, compiled %v", o, a, b)
		}
	}
}

func TestObservableKeysFirstIsCanonical(t *testing.T) {
	tests := []struct {
		o    model.Observable
		want LookupKey
	}{
		{model.Observable{Kind: model.KindDomain, Value: "A.Evil.COM."}, LookupKey{Space: SpaceDomain, Text: "a.evil.com"}},
		{model.Observable{Kind: model.KindURL, Value: "HTTPS://Evil.com:443/A?b"}, LookupKey{Space: SpaceURL, Text: "evil.com/A?b"}},
		{model.Observable{Kind: model.KindEmail, Value: "mailto:A@B.org"}, LookupKey{Space: SpaceEmail, Text: "a@b.org"}},
		{model.Observable{Kind: model.KindFilePath, Value: "/private/var/x"}, LookupKey{Space: SpacePath, Text: "/var/x"}},
		{model.Observable{Kind: model.KindProcess, Value: "/usr/bin/bh"}, LookupKey{Space: SpaceProcess, Text: "bh"}},
	}
	for _, tt := range tests {
		ks := ObservableKeys(tt.o)
		if len(ks) == 0 || ks[0].Space != tt.want.Space || ks[0].Text != tt.want.Text {
			t.Errorf("%+v: first key %+v, want %+v", tt.o, ks, tt.want)
		}
	}
	if ks := ObservableKeys(model.Observable{Kind: model.KindURL, Value: "not a link"}); len(ks) != 0 {
		t.Errorf("an unparsable link has keys %v", ks)
	}
}

// FuzzKeysCoverMatches: for any indicator and observable, a match is
// reachable through the keys.
func FuzzKeysCoverMatches(f *testing.F) {
	f.Add(0, "evil.com", 0, "https://a.evil.com/x")
	f.Add(3, "198.51.100.0/24", 2, "198.51.100.9")
	f.Add(7, "Library/x/", 4, "/private/var/mobile/Library/x/y")
	f.Add(5, "verylongprocessname", 3, "verylongprocess")
	f.Add(9, "AA:BB", 7, "aabb")
	types := []string{TypeDomain, TypeURL, TypeIPv4, TypeIPv4, TypeIPv6, TypeProcess, TypeFileName, TypeFilePath, TypeEmail, TypeCertSHA1, TypeSHA256, TypeAppID}
	kinds := []model.Kind{model.KindURL, model.KindDomain, model.KindIP, model.KindProcess, model.KindFilePath, model.KindEmail, model.KindSHA256, model.KindCertSHA1, model.KindAppID}
	f.Fuzz(func(t *testing.T, ti int, iv string, ki int, ov string) {
		if ti < 0 || ki < 0 || strings.TrimSpace(iv) == "" {
			return
		}
		s := compileOne(t, types[ti%len(types)], iv)
		o := model.Observable{Kind: kinds[ki%len(kinds)], Value: ov}
		if missed := keysCover(s, o); len(missed) > 0 {
			t.Fatalf("keys of %+v miss %v; keys %v", o, missed, ObservableKeys(o))
		}
	})
}

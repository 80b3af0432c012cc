package urlx

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"http://example.com/thisisbad",
	"https://user:pw@[::1]:8080/p?q#f",
	"bit.ly/x e.g. 3.14 www.x.com/.. (http://a.b/c))",
	"mailto:a@b.c foo@bar.com пример.рф/путь",
	"http://a.com/r?u=http://b.net/x&y=https://c.org",
	"://::// http:// [::1 1.2.3.4:99999/",
	`https:\\evil.com\x`,
	"\xff\xfe http://x\x00y.com",
	"hxxps://1minto-start[.]com/x evil(.)com/a hXXp[:]//b[dot]net",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, ok := Parse(s)
		if !ok {
			return
		}
		if u.Host == "" {
			t.Fatalf("Parse(%q) ok with empty host", s)
		}
		if u.Host != strings.ToLower(u.Host) && utf8.ValidString(u.Host) && !strings.Contains(u.Host, "%") {
			t.Fatalf("Parse(%q) host %q not lower case", s, u.Host)
		}
		if !allDigits(u.Port) {
			t.Fatalf("Parse(%q) port %q", s, u.Port)
		}
		k := u.Key()
		// The key is itself a link that parses to the same key: the
		// normalisation is idempotent, which the matcher relies on when it
		// compares a feed's URL with an observed one.
		u2, ok := Parse(k)
		if !ok {
			t.Fatalf("key %q of %q does not parse", k, s)
		}
		if u2.Host != u.Host {
			t.Fatalf("key %q of %q changes host %q -> %q", k, s, u.Host, u2.Host)
		}
		_ = RegisteredDomain(u.Host)
	})
}

func FuzzExtractLinks(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		links := ExtractLinks(s)
		if len(links) > MaxLinks {
			t.Fatalf("%d links", len(links))
		}
		for _, l := range links {
			if l == "" {
				t.Fatalf("empty link from %q", s)
			}
			if !strings.Contains(Refang(s), l) {
				t.Fatalf("link %q is not a substring of %q refanged", l, s)
			}
			if _, ok := Parse(l); !ok {
				t.Fatalf("extracted link %q does not parse (from %q)", l, s)
			}
		}
	})
}

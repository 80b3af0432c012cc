package urlx

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want URL // Raw is filled from in
	}{
		{"http://example.com/thisisbad", true, URL{Scheme: "http", Host: "example.com", Path: "/thisisbad"}},
		{"HTTPS://WWW.Example.ORG./Foo?A=B#Frag", true, URL{Scheme: "https", Host: "www.example.org", Path: "/Foo", Query: "A=B", Fragment: "Frag"}},
		{"http://user:pw@evil.com:8080/x", true, URL{Scheme: "http", User: "user:pw", Host: "evil.com", Port: "8080", Path: "/x"}},
		{"http://good.com@evil.com/", true, URL{Scheme: "http", User: "good.com", Host: "evil.com", Path: "/"}},
		{"http://[::1]:8080/", true, URL{Scheme: "http", Host: "::1", Port: "8080", Path: "/", IsIP: true}},
		{"http://[2001:DB8:0::1]/", true, URL{Scheme: "http", Host: "2001:db8::1", Path: "/", IsIP: true}},
		{"https://198.51.100.1:8080/", true, URL{Scheme: "https", Host: "198.51.100.1", Port: "8080", Path: "/", IsIP: true}},
		{"bit.ly/x", true, URL{Host: "bit.ly", Path: "/x"}},
		{"evil.com:8443/a", true, URL{Host: "evil.com", Port: "8443", Path: "/a"}},
		{"//cdn.example.net/lib.js", true, URL{Host: "cdn.example.net", Path: "/lib.js"}},
		{`https:\\evil.com\x`, true, URL{Scheme: "https", Host: "evil.com", Path: `\x`}},
		{"http:evil.com/a", true, URL{Scheme: "http", Host: "evil.com", Path: "/a"}},
		{"https://bücher.example/", true, URL{Scheme: "https", Host: "xn--bcher-kva.example", Path: "/"}},
		{"https://under_score.example.com", true, URL{Scheme: "https", Host: "under_score.example.com"}},
		{"  example.org  ", true, URL{Host: "example.org"}},
		{"mailto:a@b.com", false, URL{}},
		{"tel:+123456", false, URL{}},
		{"", false, URL{}},
		{"http://", false, URL{}},
		{"http://a b/", false, URL{}},
		{"http://[::1/", false, URL{}},
		{"http://host:port/", false, URL{}},
		{"file:///etc/passwd", false, URL{}},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.in)
		if ok != tt.ok {
			t.Errorf("Parse(%q) ok = %v, want %v (%+v)", tt.in, ok, tt.ok, got)
			continue
		}
		if !ok {
			continue
		}
		tt.want.Raw = strings.TrimSpace(tt.in)
		if got != tt.want {
			t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Example.COM.", "example.com"},
		{"[::1]", "::1"},
		{"[0:0::1]", "::1"},
		{"::ffff:1.2.3.4", "1.2.3.4"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"BÜCHER.example", "xn--bcher-kva.example"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example"},
		{"a_b.example.com", "a_b.example.com"},
		{"", ""},
		{".", ""},
	}
	for _, tt := range tests {
		if got := NormalizeHost(tt.in); got != tt.want {
			t.Errorf("NormalizeHost(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"http://example.com/thisisbad", "example.com/thisisbad", true},
		{"HTTPS://EXAMPLE.com:443/thisisbad", "example.com/thisisbad", true},
		{"example.com/thisisbad", "example.com/thisisbad", true},
		{"http://example.com:80", "example.com/", true},
		{"http://example.com/", "example.com/", true},
		{"http://example.com/a/", "example.com/a/", true},
		{"http://example.com/CaSe?Q=1#frag", "example.com/CaSe?Q=1", true},
		{"http://example.org:8080/toto", "example.org:8080/toto", true},
		{"ftp://files.example.com:21/x", "ftp://files.example.com/x", true},
		{"ftp://files.example.com:2121/x", "ftp://files.example.com:2121/x", true},
		{"http://[::1]:8080/", "[::1]:8080/", true},
		{"mailto:x@y.z", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeURL(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRegisteredDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a.b.example.co.uk", "example.co.uk"},
		{"WWW.Example.com.", "example.com"},
		{"x.appspot.com", "x.appspot.com"},
		{"deep.x.appspot.com", "x.appspot.com"},
		{"198.51.100.1", "198.51.100.1"},
		{"localhost", "localhost"},
		{"com", "com"},
	}
	for _, tt := range tests {
		if got := RegisteredDomain(tt.in); got != tt.want {
			t.Errorf("RegisteredDomain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExtractLinks(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"see https://example.com/a?b=c.", []string{"https://example.com/a?b=c"}},
		{"(http://example.com/path_(x)) and [https://a.io/]", []string{"http://example.com/path_(x)", "https://a.io/"}},
		{"go to bit.ly/x now", []string{"bit.ly/x"}},
		{"www.x.com/.. or evil.com/path, thanks", []string{"www.x.com/", "evil.com/path"}},
		{"visit evil.com!", []string{"evil.com"}},
		{"e.g. pi is 3.14 and i.e. nothing", nil},
		{"mail foo@evil.com please", nil},
		{"<a href=\"https://x.org/p\">link</a>", []string{"https://x.org/p"}},
		{"redirect http://a.com/r?u=http://b.net/x", []string{"http://a.com/r?u=http://b.net/x", "http://b.net/x"}},
		{"ip 198.51.100.1:8080/x and 1.1.1.1", []string{"198.51.100.1:8080/x", "1.1.1.1"}},
		{"https://[::1]:8080/ v6", []string{"https://[::1]:8080/"}},
		{"Ссылка: пример.рф/путь", []string{"пример.рф/путь"}},
		{"'https://quoted.example/'", []string{"https://quoted.example/"}},
		{"version 1.2.3 file.txt", nil},
		{"://broken and http://ok.com", []string{"http://ok.com"}},
		{"", nil},
		// A bare name on a country ending is two words missing a space
		// unless it looks like a link (www., a path, a port).
		{"it rained for days.so we stayed", nil},
		{"bueno.es la verdad", nil},
		{"see www.days.so or days.so/x", []string{"www.days.so", "days.so/x"}},
		{"go to ideas-telcel.com.mx now", []string{"ideas-telcel.com.mx"}},
		{"link t.co and x.io", []string{"t.co", "x.io"}},
		// Defanged links are links.
		{"do not open hxxps://1minto-start[.]com/x please", []string{"https://1minto-start.com/x"}},
		{"domain evil(.)com/a and hXXp[:]//b[dot]net/p", []string{"evil.com/a", "http://b.net/p"}},
	}
	for _, tt := range tests {
		got := ExtractLinks(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ExtractLinks(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		for _, l := range got {
			if !strings.Contains(Refang(tt.in), l) {
				t.Errorf("link %q is not a substring of %q refanged", l, tt.in)
			}
		}
	}
}

func TestParseAllocs(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		if _, ok := Parse("https://www.example.org/some/path?q=1"); !ok {
			t.Fatal("no parse")
		}
	})
	if n != 0 {
		t.Errorf("Parse of a lower-case link allocates %v times", n)
	}
}

func TestParsePercentHost(t *testing.T) {
	u, ok := Parse("http://%65vil.com/x")
	if !ok || u.Host != "evil.com" {
		t.Fatalf("got %+v %v", u, ok)
	}
}

func BenchmarkExtractLinks(b *testing.B) {
	text := strings.Repeat("Hi! Check https://www.example.com/a?b=c (or bit.ly/x), e.g. 3.14 and mail me at a@b.org. ", 20)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if len(ExtractLinks(text)) == 0 {
			b.Fatal("no links")
		}
	}
}

func TestExtractLinksHostileRunIsLinear(t *testing.T) {
	text := "http://a.com/" + strings.Repeat(")", 1<<20) + " " + strings.Repeat("a.", 1<<18)
	links := ExtractLinks(text)
	if len(links) != 1 || links[0] != "http://a.com/" {
		t.Errorf("got %d links", len(links))
	}
}

func TestRefang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hxxps://1minto-start[.]com/x", "https://1minto-start.com/x"},
		{"HXXP://a(.)b{.}c[dot]d(dot)e/", "http://a.b.c.d.e/"},
		{"hxxp[:]//x[.]com[/]a", "http://x.com/a"},
		{"fxp://files[.]example", "ftp://files.example"},
		{"h**ps://x[.]org", "https://x.org"},
		{"user[@]mail[.]com", "user@mail.com"},
		{"an ordinary sentence (with brackets) [1].", "an ordinary sentence (with brackets) [1]."},
		{"shxxp: not a scheme", "shxxp: not a scheme"},
	}
	for _, tt := range tests {
		if got := Refang(tt.in); got != tt.want {
			t.Errorf("Refang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKnownEnding(t *testing.T) {
	for h, want := range map[string]bool{
		"evil.com": true, "ideas-telcel.com.mx": true, "bit.ly": true, "efsyn.online": true, "1.2.3.4": true,
		"days.so": false, "bueno.es": false, "file.txt": false, "localhost": false, "com": false,
	} {
		if got := KnownEnding(h); got != want {
			t.Errorf("KnownEnding(%q) = %v, want %v", h, got, want)
		}
	}
}

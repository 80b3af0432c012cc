package heuristics

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
)

// hasRule reports the severity of the first finding with rule, or -1.
func hasRule(fs []Finding, rule string) model.Severity {
	for _, f := range fs {
		if f.Rule == rule {
			return f.Severity
		}
	}
	return -1
}

// Every rule has true-positive and false-positive samples. Real domains from
// published reports are only used where they are the shape itself (Predator
// shortener typosquats); the Pegasus paths are synthetic.
func TestCheckLinkRules(t *testing.T) {
	tests := []struct {
		rule string
		link string
		want model.Severity // -1: the rule must not fire
	}{
		// Shorteners.
		{RuleShortener, "https://bit.ly/3abcDEF", model.Medium},
		{RuleShortener, "tinyurl.com/y7abc", model.Medium},
		{RuleShortener, "http://t.co/xyz", model.Medium},
		{RuleShortener, "https://goo.gl/abcd", model.Medium},
		{RuleShortener, "https://cutt.ly/abc", model.Medium},
		{RuleShortener, "HTTPS://BIT.LY/ABC", model.Medium},
		{RuleShortener, "https://maps.app.goo.gl/abc", -1},
		{RuleShortener, "https://goo.gl/maps/abc", -1},
		{RuleShortener, "https://www.apple.com/", -1},
		{RuleShortener, "https://youtu.be/dQw4w9WgXcQ", -1},
		{RuleShortener, "https://bitly.live/x", -1}, // a typosquat, reported as a look-alike instead

		// Look-alikes: homoglyphs, near spellings, hyphens, odd endings.
		{RuleLookalike, "https://apple-support.com/id", model.High},
		{RuleLookalike, "whatsapp-verify.net", model.High},
		{RuleLookalike, "https://y0utube.example.mx", -1}, // example.mx is the registered domain
		{RuleLookalike, "https://y0utube.com.mx/watch", model.High},
		{RuleLookalike, "https://twiitter.com.mx/", model.High},
		{RuleLookalike, "https://llinkedin.net/in/x", model.High},
		{RuleLookalike, "https://paypa1.com/", model.High},
		{RuleLookalike, "https://rnicrosoft.com/", model.High},
		{RuleLookalike, "https://ideas-telcel.com.mx/", model.High},
		{RuleLookalike, "https://bit-ly.link/a", model.High},
		{RuleLookalike, "https://bit-li.ws/a", model.High},
		{RuleLookalike, "https://bbitly.com/a", model.High},
		{RuleLookalike, "https://bityl.me/a", model.High},
		{RuleLookalike, "https://bitly.live/a", model.High},
		{RuleLookalike, "https://kathimerini.news/a", model.High},
		{RuleLookalike, "https://unotv.live/nota", model.High},
		{RuleLookalike, "https://aristeguinoticias.site/nota", model.High},
		{RuleLookalike, "https://aristeguinoticia.com/nota", model.High},
		{RuleLookalike, "https://bancomer-seguridad.com/", model.High},
		{RuleLookalike, "https://xn--pple-43d.com/", model.High}, // Cyrillic а
		{RuleLookalike, "https://аpple.com/", model.High},        // same, typed raw
		{RuleLookalike, "https://www.apple.com.secure-id.top/", model.High},
		{RuleLookalike, "https://unotv.net/", model.Medium},
		{RuleLookalike, "https://whatsappweb-login.xyz/", model.Medium},
		{RuleLookalike, "https://www.apple.com/", -1},
		{RuleLookalike, "https://support.apple.com/en-us/102174", -1},
		{RuleLookalike, "https://github.com/x", -1},
		{RuleLookalike, "https://elpais.com/mexico/2024-01-01/nota.html", -1},
		{RuleLookalike, "https://elpais.com.uy/", -1},
		{RuleLookalike, "https://www.google.com.mx/search?q=a", -1},
		{RuleLookalike, "https://amazon.de/", -1},
		{RuleLookalike, "https://mercadolibre.com.ar/", -1},
		{RuleLookalike, "https://apply.com/", -1},
		{RuleLookalike, "https://mail.ru/", -1},
		{RuleLookalike, "https://email.com/", -1},
		{RuleLookalike, "https://www.proceso.com.mx/nacional/", -1},
		{RuleLookalike, "https://procesos-civiles.org/", -1}, // "proceso" is a word: only homoglyphs count
		{RuleLookalike, "https://claro.com.co/", -1},
		{RuleLookalike, "https://www.bbva.mx/", -1},
		{RuleLookalike, "https://web.whatsapp.com/", -1},
		{RuleLookalike, "https://bancomext.com/", -1},
		{RuleLookalike, "https://signal.org/download/", -1},
		{RuleLookalike, "https://signalling-theory.org/", -1},

		// Pegasus 2016-2017 path shape.
		{RulePegasusPath, "http://sms-noticias.example/4821093s/", model.High},
		{RulePegasusPath, "https://example.com.mx/7730018t", model.High},
		{RulePegasusPath, "https://example.net/a/1234567s/b", model.High},
		{RulePegasusPath, "https://example.com/12345678/", -1},
		{RulePegasusPath, "https://example.com/123456s/", -1},
		{RulePegasusPath, "https://example.com/1234567S/", -1},
		{RulePegasusPath, "https://example.com/1234567st/", -1},
		{RulePegasusPath, "https://example.com/?id=1234567s", -1},

		// IP literals, including numeric forms browsers accept.
		{RuleIPHost, "http://203.0.113.7/x", model.Medium},
		{RuleIPHost, "http://[2001:db8::1]/x", model.Medium},
		{RuleIPHost, "http://3405803783/", model.Medium},
		{RuleIPHost, "http://0xcb007107/", model.Medium},
		{RuleIPHost, "http://203.0.113.7.example.com/", -1},
		{RuleIPHost, "https://1password.com/", -1},

		// Internationalised names.
		{RulePunycode, "https://xn--pple-43d.com/", model.High},
		{RulePunycode, "https://xn--80ak6aa92e.com/", model.High}, // аррӏе.com, all Cyrillic
		{RulePunycode, "https://пример.рф/", model.Medium},
		{RulePunycode, "https://xn--e1afmkfd.xn--p1ai/", model.Medium},
		{RulePunycode, "https://café.example/", model.Medium},
		{RulePunycode, "https://example.com/xn--path", -1},
		{RulePunycode, "https://www.apple.com/", -1},

		// Machine-generated labels on cheap endings.
		{RuleRandomLabel, "https://gdvynopz3pa0tik.xyz/", model.Medium},
		{RuleRandomLabel, "https://q8xk2vbn7tplm4.top/a", model.Medium},
		{RuleRandomLabel, "http://bun54l2b67.get1tn0w.example.com:30495/szevtxt", model.High},
		// Pegasus's injection links had two machine-made labels and a port; one
		// odd label with a port is not that shape.
		{RuleRandomLabel, "http://bun54l2b67.www.example.com:30495/szevtxt", -1},
		{RuleRandomLabel, "https://summerfestival.online/", -1},
		{RuleRandomLabel, "https://cheapflights.top/", -1},
		{RuleRandomLabel, "https://lightstream.xyz/", -1},
		{RuleRandomLabel, "https://shop2024.store/", -1},
		{RuleRandomLabel, "https://gdvynopz3pa0tik.com/", -1}, // not a cheap ending
		{RuleRandomLabel, "https://abc.xyz/", -1},

		// User-info tricks.
		{RuleUserinfo, "https://apple.com@evil.example/", model.High},
		{RuleUserinfo, "https://www.bbva.mx:login@198.51.100.2/", model.High},
		{RuleUserinfo, "https://whatsapp@evil.example/", model.High},
		{RuleUserinfo, "ftp://anonymous@ftp.example.org/", model.Medium},
		{RuleUserinfo, "https://example.com/@user", -1},
		{RuleUserinfo, "https://mastodon.social/@someone", -1},

		// Ports.
		{RulePort, "https://example.com:8443/", model.Medium},
		{RulePort, "http://example.com:80/", -1},
		{RulePort, "https://example.com:443/", -1},
		{RulePort, "https://example.com/", -1},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+tt.link, func(t *testing.T) {
			fs := CheckLink(tt.link)
			if got := hasRule(fs, tt.rule); got != tt.want {
				t.Errorf("CheckLink(%q) %s = %v, want %v; findings %+v", tt.link, tt.rule, got, tt.want, fs)
			}
			for _, f := range fs {
				if f.Reason == "" || !strings.HasSuffix(f.Reason, ".") {
					t.Errorf("finding %s has no readable reason: %q", f.Rule, f.Reason)
				}
			}
		})
	}
}

func TestCheckLinkCleanLinks(t *testing.T) {
	clean := []string{
		"https://www.apple.com/", "https://github.com/x", "https://elpais.com/internacional/",
		"https://www.eluniversal.com.mx/nacion/", "https://www.jornada.com.mx/", "https://aristeguinoticias.com/",
		"https://www.bbc.com/mundo", "https://web.whatsapp.com/", "https://www.youtube.com/watch?v=x",
		"https://docs.google.com/document/d/x", "https://wikipedia.org/wiki/Pegasus", "https://www.gob.mx/",
		"https://www.telcel.com/", "https://www.citibanamex.com/", "https://www.dhl.com/mx-es/", "https://t.me/channel",
		"https://wa.me/5215550000000", "https://signal.org/", "https://www.amnesty.org/es/", "https://citizenlab.ca/",
		"https://r3d.mx/", "https://www.nytimes.com/es/", "https://news.example.org/2024/05/12/article",
		"not a link", "", "mailto:someone@example.com", "tel:+525555555555", "https://", "http://./",
	}
	for _, l := range clean {
		if fs := CheckLink(l); len(fs) != 0 {
			t.Errorf("CheckLink(%q) = %+v, want no findings", l, fs)
		}
	}
}

func TestCheckLinkSortsBySeverity(t *testing.T) {
	fs := CheckLink("http://apple.com@203.0.113.9:8080/1234567s/")
	if len(fs) < 4 {
		t.Fatalf("want userinfo, path, ip and port findings, got %+v", fs)
	}
	for i := 1; i < len(fs); i++ {
		if fs[i].Severity > fs[i-1].Severity {
			t.Fatalf("findings not sorted most severe first: %+v", fs)
		}
	}
}

func TestCheckLinkBoundsHugeInput(t *testing.T) {
	huge := "https://bit.ly/" + strings.Repeat("a", 10<<20)
	if hasRule(CheckLink(huge), RuleShortener) != model.Medium {
		t.Fatal("a huge link must still be judged by its host")
	}
	CheckLink("https://" + strings.Repeat("a.", 200) + "com/")
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"bitly", "bitly", 2, 0},
		{"bitly", "bityl", 2, 1},
		{"bitly", "bbitly", 2, 1},
		{"bitly", "itly", 2, 1},
		{"linkedin", "lnkedin", 2, 1},
		{"almasryalyoum", "almasryelyuom", 2, 2},
		{"apple", "google", 1, 2},
		{"a", "abcdef", 2, 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("editDistance(%q,%q,%d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

func TestSkeleton(t *testing.T) {
	same := [][2]string{{"y0utube", "youtube"}, {"раураl", "paypal"}, {"rnicrosoft", "microsoft"}, {"paypa1", "paypal"}, {"twltter", "twitter"}}
	for _, p := range same {
		if skeleton(p[0]) != skeleton(p[1]) {
			t.Errorf("skeleton(%q)=%q differs from skeleton(%q)=%q", p[0], skeleton(p[0]), p[1], skeleton(p[1]))
		}
	}
	if skeleton("apple") == skeleton("maple") {
		t.Error("different names must keep different skeletons")
	}
}

func BenchmarkCheckLink(b *testing.B) {
	links := []string{
		"https://www.apple.com/iphone/", "https://bit.ly/3abcDEF", "https://whatsapp-verify.net/x",
		"http://sms-noticias.example/4821093s/", "https://gdvynopz3pa0tik.xyz/", "https://xn--pple-43d.com/",
		"https://elpais.com/mexico/2024-01-01/nota.html", "http://203.0.113.7:8080/",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		CheckLink(links[i%len(links)])
	}
}

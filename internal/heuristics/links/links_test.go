package links

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

// hasRule reports the severity of the first finding with rule, or -1.
func hasRule(fs []rules.Finding, rule string) model.Severity {
	for _, f := range fs {
		if f.Rule == rule {
			return f.Severity
		}
	}
	return -1
}

// The positive and negative samples of every link rule live in the rules
// registry (internal/rules/registry.yaml) and run in its test; the tests
// here cover what is not one rule's business.

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
	if hasRule(CheckLink(huge), "link.url.shortened") != model.Low {
		t.Fatal("a huge link must still be judged by its host")
	}
	CheckLink("https://" + strings.Repeat("a.", 200) + "com/")
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

package browser_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/cli"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/testutil/headless"
)

// The report of a sysdiagnose checked with a custody window, at a phone's
// width and a laptop's, in English and Spanish: the custody section sits
// between the verdict and the findings, the "Processes seen" table is
// there, and neither (nor anything else) is wider than the screen, even
// with every part open.
func TestCustodyReport(t *testing.T) {
	tmp := t.TempDir()
	o := samplegen.Scaled(100, 19)
	o.Plant = true
	if _, err := samplegen.GenerateSysdiagnose(filepath.Join(tmp, "tree"), o); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(tmp, samplegen.SysdiagnoseName+".tar.gz")
	if err := samplegen.WriteTarGz(filepath.Join(tmp, "tree"), archive); err != nil {
		t.Fatal(err)
	}
	iocs := filepath.Join(tmp, "iocs.stix2")
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	art := headless.ArtifactDir(t)
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			var stdout, stderr bytes.Buffer
			if code := cli.Main([]string{"check", archive, "--iocs", iocs, "--no-feed-cache", "--custody", samplegen.SysdiagnoseCustody,
				"--output", out, "--quiet", "--lang", lang}, strings.NewReader(""), &stdout, &stderr); code != results.ExitFound {
				t.Fatalf("check exit %d\n%s\n%s", code, stdout.String(), stderr.String())
			}
			name := "report.html"
			if lang != "en" {
				name = "report." + lang + ".html"
			}
			self := headless.FileURL(filepath.Join(out, name))
			b := headless.New(t)
			for _, v := range []headless.Viewport{headless.Phone, headless.Desktop} {
				b.Open(t, v, self, "verdict-headline")
				order := headless.Eval[[]string](t, b, `Array.prototype.map.call(document.querySelectorAll('main > section'), function(s){return s.id})`)
				if strings.Join(order, ",") != "verdict,custody,findings,processes,timeline,coverage,provenance,glossary" {
					t.Errorf("%s: sections %v", v, order)
				}
				if n := headless.Eval[int](t, b, `document.querySelectorAll('#custody details.cgroup.handson').length`); n < 3 {
					t.Errorf("%s: %d groups of hands-on events in the custody section", v, n)
				}
				if n := headless.Eval[int](t, b, `document.querySelectorAll('#processes table.procs tr.flag').length`); n == 0 {
					t.Errorf("%s: no flagged row in the processes table", v)
				}
				b.CheckNoOverflow(t, v.String())
				if w := b.BrokenWords(t); len(w) > 0 {
					t.Errorf("%s: words cut across lines: %q", v, w)
				}
				headless.Eval[bool](t, b, `(function(){document.querySelectorAll('details').forEach(function(d){d.open=true});return true})()`)
				b.CheckNoOverflow(t, v.String()+" with every part open")
				if w := b.BrokenWords(t); len(w) > 0 {
					t.Errorf("%s, everything open: words cut across lines: %q", v, w)
				}
				shot := "custody-" + lang + "-" + map[bool]string{true: "phone", false: "desktop"}[v.Mobile]
				headless.Save(t, art, shot+".png", b.Screenshot(t, false))
			}
			b.Quiet(t, self)
		})
	}
}

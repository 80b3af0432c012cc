package cli

import (
	"bytes"
	"html"
	stdhtml "html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/testutil"
)

// englishWords are function words of English that are not Spanish words
// too ("a", "no" and "me" are both): one of them in the visible text of a
// Spanish report is an English sentence, whoever wrote it.
var englishWords = map[string]bool{
	"the": true, "and": true, "of": true, "with": true, "was": true, "were": true, "is": true, "are": true, "from": true,
	"this": true, "that": true, "these": true, "which": true, "by": true, "for": true, "to": true, "it": true, "its": true,
	"has": true, "have": true, "been": true, "be": true, "or": true, "on": true, "at": true, "an": true, "than": true,
	"when": true, "where": true, "what": true, "who": true, "why": true, "how": true, "into": true, "only": true,
	"also": true, "there": true, "their": true, "they": true, "you": true, "your": true, "we": true, "can": true,
	"could": true, "should": true, "would": true, "may": true, "might": true, "must": true, "will": true, "not": true,
	"after": true, "before": true, "because": true, "about": true, "found": true, "phone": true, "file": true,
	"link": true, "process": true, "message": true, "seen": true, "installed": true, "running": true, "unknown": true,
}

// evidenceValue matches what a report shows as written in the evidence or
// by the tool: values the rules quote and names from the evidence
// (bdi.v), code (paths, module ids, hashes, indicator types), the full
// record for experts (pre), diagnostics of the reading code (samp: Go
// errors and module warnings, which stay in English), the page's own
// script and style, and the page title (it carries the device's name).
var (
	evidenceValue = regexp.MustCompile(`(?s)<script[^>]*>.*?</script>|<style[^>]*>.*?</style>|<title>.*?</title>|<bdi class="v">.*?</bdi>|<code[^>]*>.*?</code>|<pre[^>]*>.*?</pre>|<samp>.*?</samp>`)
	tag           = regexp.MustCompile(`(?s)<[^>]*>`)
	word          = regexp.MustCompile(`[\p{L}']+`)
	placeholder   = regexp.MustCompile(`\{[a-z_]+\}`)
)

// visibleEnglish returns the English words of a page's visible text, each
// with a little context, leaving out evidence values.
func visibleEnglish(page string) []string {
	text := evidenceValue.ReplaceAllString(page, " ")
	text = stdhtml.UnescapeString(tag.ReplaceAllString(text, " "))
	text = strings.Join(strings.Fields(text), " ")
	var out []string
	for _, loc := range word.FindAllStringIndex(text, -1) {
		w := strings.ToLower(text[loc[0]:loc[1]])
		if englishWords[w] {
			from, to := max(0, loc[0]-60), min(len(text), loc[1]+60)
			out = append(out, "«"+text[from:to]+"»")
		}
	}
	return out
}

// renderSpanish builds the Spanish report of a results folder in memory.
func renderSpanish(t *testing.T, dir string) (string, *report.Data) {
	t.Helper()
	d, err := report.BuildData(dir, report.Options{Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.Render(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String(), d
}

// Everything a person reads in the Spanish report is Spanish: finding
// titles and explanations (from the rules registry), record summaries and
// related events (translated from the modules' English lines), event
// names, coverage, verdict. Evidence values (a message's text, a path, a
// link) are shown as written. The demo's planted traces and an Android
// acquisition with planted traces are checked, and MVT's androidqf
// fixture when the shared data is present.
func TestSpanishReportHasNoEnglish(t *testing.T) {
	type evidence struct {
		name string
		dir  func(t *testing.T) string
		// noFindings: the case is there for other parts of the page (the
		// verdict of an incomplete check, good signs, what was not checked).
		noFindings bool
	}
	cases := []evidence{
		{"demo", func(t *testing.T) string {
			out := filepath.Join(t.TempDir(), "demo")
			if code, stdout, stderr := run(t, "", "demo", "--output", out, "--quiet"); code != results.ExitFound {
				t.Fatalf("demo exit %d\n%s\n%s", code, stdout, stderr)
			}
			return out
		}, false},
		{"android sample", func(t *testing.T) string {
			tmp := t.TempDir()
			o := samplegen.Scaled(300, 5)
			o.Plant = true
			if _, err := samplegen.GenerateAndroidQF(filepath.Join(tmp, "acq"), o); err != nil {
				t.Fatal(err)
			}
			iocs := filepath.Join(tmp, "iocs.stix2")
			if err := samplegen.WriteSampleIndicators(iocs); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(tmp, "out")
			if code, stdout, stderr := run(t, "", "check", filepath.Join(tmp, "acq"), "--iocs", iocs, "--output", out, "--quiet", "--no-report"); code != results.ExitFound {
				t.Fatalf("check exit %d\n%s\n%s", code, stdout, stderr)
			}
			return out
		}, false},
		{"sysdiagnose with a custody window", func(t *testing.T) string {
			// Every sysdiagnose artifact, the processes seen, the custody
			// section and its findings.
			tmp := t.TempDir()
			o := samplegen.Scaled(60, 19)
			o.Plant = true
			if _, err := samplegen.GenerateSysdiagnose(filepath.Join(tmp, "sd"), o); err != nil {
				t.Fatal(err)
			}
			iocs := filepath.Join(tmp, "iocs.stix2")
			if err := samplegen.WriteSampleIndicators(iocs); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(tmp, "out")
			if code, stdout, stderr := run(t, "", "check", filepath.Join(tmp, "sd"), "--iocs", iocs, "--custody", samplegen.SysdiagnoseCustody,
				"--output", out, "--quiet", "--no-report"); code != results.ExitFound {
				t.Fatalf("check exit %d\n%s\n%s", code, stdout, stderr)
			}
			return out
		}, false},
		{"incomplete check", func(t *testing.T) string {
			// No indicators and a module left out: the incomplete verdict,
			// its next steps and the not-checked list with module names.
			tmp := t.TempDir()
			if _, err := samplegen.GenerateIOSBackup(filepath.Join(tmp, "b"), samplegen.Scaled(50, 9)); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(tmp, "out")
			t.Setenv("HUELLA_DATA", t.TempDir())
			t.Setenv("HUELLA_IOCS", "")
			if code, stdout, stderr := run(t, "", "check", filepath.Join(tmp, "b"), "--modules", "ios.sms,ios.safari_history", "--output", out, "--quiet", "--no-report"); code != results.ExitPartial {
				t.Fatalf("check exit %d\n%s\n%s", code, stdout, stderr)
			}
			return out
		}, true},
		{"MVT iOS backup fixture (Lockdown Mode on)", func(t *testing.T) string {
			src := testutil.Shared(t, "fixtures/mvt/ios_backup")
			out := filepath.Join(t.TempDir(), "out")
			if code, stdout, stderr := run(t, "", "check", src, "--iocs", writeBundle(t), "--output", out, "--quiet", "--no-report"); code == results.ExitError {
				t.Fatalf("check exit %d\n%s\n%s", code, stdout, stderr)
			}
			return out
		}, true},
		{"MVT androidqf fixture", func(t *testing.T) string {
			src := testutil.Shared(t, "fixtures/mvt/androidqf")
			out := filepath.Join(t.TempDir(), "out")
			ioc := writeBundle(t)
			if code, stdout, stderr := run(t, "", "check", src, "--iocs", ioc, "--output", out, "--quiet", "--no-report"); code == results.ExitError {
				t.Fatalf("check exit %d\n%s\n%s", code, stdout, stderr)
			}
			return out
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page, d := renderSpanish(t, c.dir(t))
			if d.FindingCount() == 0 && !c.noFindings {
				t.Fatal("no findings: the test would check too little")
			}
			if en := visibleEnglish(page); len(en) > 0 {
				if len(en) > 15 {
					en = append(en[:15], "…")
				}
				t.Errorf("English in the Spanish report:\n%s", strings.Join(en, "\n"))
			}
			if miss := d.Untranslated(); len(miss) > 0 {
				t.Errorf("record summaries with no Spanish template (i18n/summaries.yaml):\n%s", strings.Join(miss, "\n"))
			}
		})
	}
}

// Every text of the Spanish catalogue is Spanish, also those the cases
// above do not show (the verdict of a phone where nothing was found, the
// glossary's every entry, the print notes).
func TestSpanishCatalogueHasNoEnglish(t *testing.T) {
	cat, err := report.LoadCatalogue("es")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for k, v := range cat.Prefixed("") {
		n++
		v = placeholder.ReplaceAllString(v, " ") // {from}, {what}: names, not words
		if en := visibleEnglish(html.EscapeString(v)); len(en) > 0 {
			t.Errorf("es %s: %s", k, strings.Join(en, " "))
		}
	}
	if n < 300 {
		t.Fatalf("only %d texts read", n)
	}
}

// The check itself: it must see English where there is some.
func TestVisibleEnglishCatchesEnglish(t *testing.T) {
	page := `<p>El archivo <bdi class="v">was found by the tool</bdi> está en <code>/the/path</code>.</p><p>The link was opened.</p>`
	if got := visibleEnglish(page); len(got) != 3 {
		t.Errorf("found %d English words, want 3 (the, link, was): %q", len(got), got)
	}
}

// The console's finding lines are rendered from the registry in the
// language asked for, like the report.
func TestConsoleFindingsInChosenLanguage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := run(t, "", "demo", "--output", out, "--quiet", "--lang", "es")
	if code != results.ExitFound {
		t.Fatalf("demo exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "coincide con un indicador publicado de DemoSpy") || strings.Contains(stdout, "matches a published indicator") {
		t.Errorf("console finding lines are not in Spanish:\n%s", stdout)
	}
}

// Package browser_test reads the demo's report the way its readers do: in
// headless Chromium at a phone's width (390×844) and a laptop's
// (1366×900), printed, and as a PDF. It runs `huella demo` (the real
// pipeline on a generated backup with planted traces), then asserts what a
// frightened owner reading it on a phone needs: the verdict, what it means
// and what to do next on the first screen; nothing wider than the screen;
// no label cut mid-word; a page of a stated height; and a printout with
// every finding expanded and no interactive parts or hash list. Screenshots
// and the PDF are kept in $HUELLA_SCREENSHOTS (CI keeps that folder), else
// in a temporary folder the test logs.
//
// MVT's iOS fixture (../shared) is read too: a real backup with Lockdown
// Mode on, which must read as a good sign.
package browser_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/huella-project/huella/internal/cli"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/testutil"
	"github.com/huella-project/huella/internal/testutil/headless"
)

// Height budgets for the demo's report as it opens (details closed, no
// timeline). Measured on 2026-12-04 with Debian's Chromium 156: about
// 5,000 px at 390×844 and 3,000 px at 1366×900, against 69,750 px and
// 27,353 px before the report was made short (its input hashes, coverage
// rows and 200 timeline rows were all in the page). The budgets leave about
// a third for fonts and wording to move without hiding a regression to a
// long page: the demo has 7 findings, 9 modules read and 330 input files.
var heightBudget = map[headless.Viewport]int64{headless.Phone: 7000, headless.Desktop: 4200}

// pdfPageBudget bounds the demo's printout on A4: the verdict page, the
// seven findings expanded, and one or two pages each for the timeline note,
// what was checked and provenance; 13 pages when measured.
const pdfPageBudget = 16

func runDemo(t *testing.T, lang string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "demo")
	var stdout, stderr bytes.Buffer
	if code := cli.Main([]string{"demo", "--output", out, "--quiet", "--lang", lang}, strings.NewReader(""), &stdout, &stderr); code != results.ExitFound {
		t.Fatalf("demo exit %d, want %d\n%s\n%s", code, results.ExitFound, stdout.String(), stderr.String())
	}
	name := "report.html"
	if lang != "en" {
		name = "report." + lang + ".html"
	}
	return filepath.Join(out, name)
}

func TestDemoReport(t *testing.T) {
	art := headless.ArtifactDir(t)
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			page := runDemo(t, lang)
			self := headless.FileURL(page)
			b := headless.New(t)
			for _, v := range []headless.Viewport{headless.Phone, headless.Desktop} {
				b.Open(t, v, self, "verdict-headline")
				name := "demo-" + lang + "-" + map[bool]string{true: "phone", false: "desktop"}[v.Mobile]

				h := b.Height(t)
				t.Logf("%s at %s: page height %d px (budget %d)", lang, v, h, heightBudget[v])
				if h > heightBudget[v] {
					t.Errorf("%s: the page is %d px tall, over its budget of %d px", v, h, heightBudget[v])
				}
				b.CheckNoOverflow(t, v.String())
				if w := b.BrokenWords(t); len(w) > 0 {
					t.Errorf("%s: words cut across lines: %q", v, w)
				}
				// The section bar shows every section: it wraps, nothing
				// hides past the edge.
				if n := headless.Eval[int](t, b, `Array.prototype.filter.call(document.querySelectorAll('nav.toc a'), function(a){
					var r=a.getBoundingClientRect(); return r.right>innerWidth||r.left<0||r.width===0}).length`); n != 0 {
					t.Errorf("%s: %d section links out of view", v, n)
				}
				// The first screen: verdict, what it means, what to do.
				first := headless.Eval[map[string]float64](t, b, `(function(){function bottom(id){return document.getElementById(id).getBoundingClientRect().bottom}
					return {headline: bottom('verdict-headline'), meaning: bottom('verdict-meaning'),
					 next: bottom('next-steps'), firstStep: document.querySelector('#next-steps li').getBoundingClientRect().bottom, screen: innerHeight}})()`)
				limit := "next"
				if lang != "en" {
					limit = "firstStep" // Spanish runs longer: its first step at least
				}
				for _, k := range []string{"headline", "meaning", limit} {
					if first[k] > first["screen"] {
						t.Errorf("%s: %s ends at %.0f px, below the first screen (%.0f px)", v, k, first[k], first["screen"])
					}
				}
				t.Logf("%s at %s: next steps end at %.0f px of %.0f", lang, v, first["next"], first["screen"])
				headless.Save(t, art, name+".png", b.Screenshot(t, false))
				headless.Save(t, art, name+"-full.png", b.Screenshot(t, true))

				// Everything open, timeline shown: still nothing too wide.
				if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.ID("tl-show"))); err != nil {
					t.Fatal(err)
				}
				headless.Eval[chromedp.Void](t, b, `document.querySelectorAll('details').forEach(function(d){d.open=true})`)
				b.CheckNoOverflow(t, v.String()+" with every part open and the timeline shown")
				if w := b.BrokenWords(t); len(w) > 0 {
					t.Errorf("%s, everything open: words cut across lines: %q", v, w)
				}
			}

			if lang != "en" {
				b.Quiet(t, self)
				return
			}
			// Print: the reader's page, expanded, without what cannot be
			// used on paper.
			b.Open(t, headless.Desktop, self, "verdict-headline")
			b.EmulatePrint(t, true)
			vis := headless.Eval[map[string]int](t, b, `(function(){function n(sel,want){return Array.prototype.filter.call(document.querySelectorAll(sel),function(e){return e.checkVisibility()===want}).length}
				return {findings: document.querySelectorAll('details.finding').length, expanded: n('details.finding .body', true),
				 interactive: n('nav.toc, #tl-show, button.around, details.inputs', true), printNotes: n('.printonly', true),
				 hashes: n('details.inputs code.hash', true)}})()`)
			if vis["findings"] == 0 || vis["expanded"] != vis["findings"] {
				t.Errorf("print: %d of %d findings expanded", vis["expanded"], vis["findings"])
			}
			if vis["interactive"] != 0 || vis["hashes"] != 0 {
				t.Errorf("print shows %d interactive parts and %d input hashes", vis["interactive"], vis["hashes"])
			}
			if vis["printNotes"] < 2 {
				t.Errorf("print: %d notes saying where the timeline and the hashes are, want 2", vis["printNotes"])
			}
			text := headless.Eval[string](t, b, `document.body.innerText`)
			for _, want := range []string{"Why it matters", "Possible harmless explanations", "The process name bh matches a published indicator", "info.json (inputs)", "timeline.csv"} {
				if !strings.Contains(text, want) {
					t.Errorf("printed page lacks %q", want)
				}
			}
			breaks := headless.Eval[[]string](t, b, `['findings','timeline','coverage','provenance'].map(function(id){return getComputedStyle(document.getElementById(id)).breakBefore})`)
			for _, br := range breaks {
				if br != "page" {
					t.Errorf("print: sections break %q, want page", breaks)
					break
				}
			}
			b.EmulatePrint(t, false)

			pdf := b.PrintPDF(t)
			headless.Save(t, art, "demo-en.pdf", pdf)
			pages, err := headless.PDFPages(pdf)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("PDF: %d pages on A4, %d bytes (budget %d pages)", pages, len(pdf), pdfPageBudget)
			if pages < 3 || pages > pdfPageBudget {
				t.Errorf("PDF has %d pages, want 3 to %d", pages, pdfPageBudget)
			}
			b.Quiet(t, self)
		})
	}
}

// MVT's iOS backup has Lockdown Mode on: the report says so as a good sign,
// apart from the findings, and lays out on a phone like the demo's.
func TestMVTBackupReport(t *testing.T) {
	src := testutil.Shared(t, "fixtures/mvt/ios_backup")
	iocs := testutil.Shared(t, "iocs")
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := cli.Main([]string{"check", src, "--output", out, "--quiet", "--no-feed-cache", "--iocs", iocs}, strings.NewReader(""), &stdout, &stderr); code == results.ExitError {
		t.Fatalf("check exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	self := headless.FileURL(filepath.Join(out, "report.html"))
	b := headless.New(t)
	b.Open(t, headless.Phone, self, "verdict-headline")
	good := headless.Eval[string](t, b, `(document.getElementById('good-signs')||{innerText:''}).innerText`)
	if !strings.Contains(good, "Lockdown Mode is on") {
		t.Errorf("good signs = %q", good)
	}
	if f := headless.Eval[string](t, b, `document.getElementById('findings').innerText`); strings.Contains(f, "Lockdown") || strings.Contains(f, "expert review") {
		t.Errorf("Lockdown Mode listed as a finding:\n%s", f)
	}
	b.CheckNoOverflow(t, "MVT backup at "+headless.Phone.String())
	if w := b.BrokenWords(t); len(w) > 0 {
		t.Errorf("words cut across lines: %q", w)
	}
	t.Logf("MVT iOS backup at %s: %d px", headless.Phone, b.Height(t))
	headless.Save(t, headless.ArtifactDir(t), "mvt-ios-phone.png", b.Screenshot(t, false))
	b.Quiet(t, self)
}

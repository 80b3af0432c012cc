package report

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/huella-project/huella/internal/testutil/headless"
)

// The demo's report (the pipeline's real output) is judged at both widths,
// in print and as a PDF in test/browser; these tests use the generated
// fixtures of this package to check the page's behaviour in detail.

func eval[T any](t *testing.T, b *headless.Tab, js string) T {
	t.Helper()
	return headless.Eval[T](t, b, js)
}

func selectModule(t *testing.T, b *headless.Tab, name string) {
	t.Helper()
	ok := eval[bool](t, b, fmt.Sprintf(`(function(){var s=document.getElementById('f-module');
		var o=Array.prototype.find.call(s.options,function(o){return o.text===%q});
		if(!o)return false; s.value=o.value; s.dispatchEvent(new Event('change')); return true})()`, name))
	if !ok {
		t.Fatalf("module %s not in the filter", name)
	}
}

const (
	countJS   = `+document.getElementById('ev-count').getAttribute('data-count')`
	rowsJS    = `document.querySelectorAll('#ev-body tr:not(:has(td.empty))').length`
	openAllJS = `document.querySelectorAll('details').forEach(function(d){d.open=true})`
)

func TestBrowserReport(t *testing.T) {
	sc := findingsScenario()
	dir := writeResults(t, sc)
	if err := Write(dir, Options{Lang: "en", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	self := headless.FileURL(filepath.Join(dir, "report.html"))
	art := headless.ArtifactDir(t)
	b := headless.New(t)
	b.Open(t, headless.Desktop, self, "verdict-headline")

	if got := eval[string](t, b, `document.getElementById('verdict-headline').innerText`); got != "Traces matching indicators of NSO Group's Pegasus were found." {
		t.Errorf("verdict = %q", got)
	}
	// The good sign is in the verdict, apart, and not counted as a finding.
	if got := eval[string](t, b, `(document.getElementById('good-signs')||{innerText:''}).innerText`); !strings.Contains(got, "Lockdown Mode is on") {
		t.Errorf("good signs block = %q", got)
	}
	if n := eval[int](t, b, `document.querySelectorAll('#findings details.finding').length`); n != len(sc.dets)-1 {
		t.Errorf("%d findings, want %d (the good sign apart)", n, len(sc.dets)-1)
	}
	if eval[bool](t, b, `document.getElementById('findings').innerText.indexOf('Lockdown')>=0`) {
		t.Error("the good sign is listed among the findings")
	}
	// Collapsed by default: a finding's title shows, its explanation not.
	if v := eval[bool](t, b, `document.querySelector('#finding-1 .body').checkVisibility()`); v {
		t.Error("finding details are expanded by default")
	}
	visible := eval[int](t, b, `Array.prototype.filter.call(document.querySelectorAll('details.finding>summary'),
		function(a){var r=a.getBoundingClientRect(); return r.width>0&&r.height>0}).length`)
	if visible != len(sc.dets)-1 {
		t.Errorf("%d finding titles visible, want %d", visible, len(sc.dets)-1)
	}

	t.Run("timeline is built only when asked for", func(t *testing.T) {
		if n := eval[int](t, b, `document.querySelectorAll('#ev-table, #chart, #f-module').length`); n != 0 {
			t.Errorf("%d timeline elements in the page before it was asked for", n)
		}
		if eval[int](t, b, `document.querySelector('script.ev-part').textContent.length`) == 0 {
			t.Error("timeline data parsed before it was asked for")
		}
		if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.ID("tl-show"))); err != nil {
			t.Fatal(err)
		}
		if n := eval[int](t, b, `document.querySelectorAll('#chart canvas').length`); n == 0 {
			t.Error("timeline chart not drawn")
		}
		if got := eval[int](t, b, countJS); got != len(sc.events) {
			t.Errorf("count %d, want %d events", got, len(sc.events))
		}
		// Event names in words, the phone's time beside UTC.
		head := eval[string](t, b, `document.getElementById('ev-head').innerText`)
		if !strings.Contains(head, "Device time") {
			t.Errorf("no device-time column: %q", head)
		}
		if text := eval[string](t, b, `document.getElementById('ev-body').innerText`); !strings.Contains(text, "message received") || strings.Contains(text, "sms_received") {
			t.Errorf("event names not in words:\n%s", text)
		}
	})

	eval[chromedp.Void](t, b, openAllJS)

	t.Run("planted markup shows as text", func(t *testing.T) {
		if n := eval[int](t, b, `document.querySelectorAll('img, main script').length`); n != 0 {
			t.Errorf("%d img/script elements created from evidence", n)
		}
		text := eval[string](t, b, `document.body.innerText`)
		for _, s := range []string{xssScript, xssImg} {
			if c := strings.Count(text, s); c < 2 { // in the finding and in the event table
				t.Errorf("%q shown %d times as text, want at least 2", s, c)
			}
		}
	})

	t.Run("plain words", func(t *testing.T) {
		text := eval[string](t, b, `document.getElementById('findings').innerText`)
		for _, want := range []string{"on the phone: 2023-05-10 11:15:00 CEST (Europe/Madrid)", "Network use per program"} {
			if !strings.Contains(text, want) {
				t.Errorf("findings lack %q", want)
			}
		}
		// Every abbreviation of the reader's text is explained.
		if n := eval[int](t, b, `document.querySelectorAll('abbr:not([title]), abbr[title=""]').length`); n != 0 {
			t.Errorf("%d abbreviations without an explanation", n)
		}
		if n := eval[int](t, b, `document.querySelectorAll('abbr[title]').length`); n == 0 {
			t.Error("no abbreviation explained")
		}
		cmd := eval[string](t, b, `document.querySelector('#provenance code.value').innerText`)
		if cmd != "huella check --iocs pegasus.stix2 /evidence/backup" {
			t.Errorf("command shown = %q", cmd)
		}
	})

	t.Run("module filter", func(t *testing.T) {
		all := eval[int](t, b, countJS)
		selectModule(t, b, "Safari history")
		if got, rows := eval[int](t, b, countJS), eval[int](t, b, rowsJS); got != 2 || rows != 2 {
			t.Errorf("after filter: count %d rows %d, want 2", got, rows)
		}
		mods := eval[[]string](t, b, `Array.prototype.map.call(document.querySelectorAll('#ev-body tr'),function(r){return r.cells[2].innerText})`)
		for _, m := range mods {
			if m != "Safari history" {
				t.Errorf("row of module %q shown", m)
			}
		}
		if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.ID("f-reset"))); err != nil {
			t.Fatal(err)
		}
		if got := eval[int](t, b, countJS); got != all {
			t.Errorf("after reset: %d, want %d", got, all)
		}
	})

	t.Run("ten minutes around a finding", func(t *testing.T) {
		selectModule(t, b, "Safari history") // must be cleared by the button
		if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS("#finding-1 button.around"))); err != nil {
			t.Fatal(err)
		}
		times := eval[[]string](t, b, `Array.prototype.map.call(document.querySelectorAll('#ev-body tr'),function(r){return r.cells[0].innerText})`)
		// finding-1 is at 09:17:30; events within ±10 min: 09:15, 09:17:30, 09:18, 09:20
		want := []string{"2023-05-10 09:15:00", "2023-05-10 09:17:30", "2023-05-10 09:18:00", "2023-05-10 09:20:00"}
		if strings.Join(times, "|") != strings.Join(want, "|") {
			t.Errorf("rows %q, want %q", times, want)
		}
		if r := eval[string](t, b, `document.getElementById('ev-range').innerText`); !strings.Contains(r, "09:07:30") || !strings.Contains(r, "09:27:30") {
			t.Errorf("range shown = %q", r)
		}
	})

	// On a phone, with everything open: nothing wider than the screen, no
	// label cut in the middle of a word, tables as cards.
	for _, v := range []headless.Viewport{headless.Phone, headless.Desktop} {
		b.SetViewport(t, v)
		b.CheckNoOverflow(t, "everything open at "+v.String())
		if w := b.BrokenWords(t); len(w) > 0 {
			t.Errorf("%s: words cut across lines: %q", v, w)
		}
		headless.Save(t, art, "fixture-open-"+v.String()+".png", b.Screenshot(t, true))
	}
	b.SetViewport(t, headless.Phone)
	if d := eval[string](t, b, `getComputedStyle(document.querySelector('#ev-table tbody tr')).display`); d != "block" {
		t.Errorf("event table rows at phone width: display %s, want block (cards)", d)
	}
	b.Quiet(t, self)
}

func TestBrowserNoFindings(t *testing.T) {
	for _, c := range []struct {
		name string
		sc   scenario
		lang string
		want []string
	}{
		{"none", noneScenario(), "en", []string{"No known traces were found. This does not prove the phone is free of spyware.",
			"No trace of known spyware was found in what was checked", "If you still have reasons to worry"}},
		{"failed", failedScenario(), "es", []string{"la revisión está incompleta", "Historial de Safari falló: History.db: database disk image is malformed",
			"Cómo resolverlo:", "Resuelva lo que no se revisó"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeResults(t, c.sc)
			if err := Write(dir, Options{Lang: c.lang, Now: fixedNow}); err != nil {
				t.Fatal(err)
			}
			self := headless.FileURL(filepath.Join(dir, FileName(c.lang)))
			b := headless.New(t)
			b.Open(t, headless.Phone, self, "verdict-headline")
			text := eval[string](t, b, `document.getElementById('verdict').innerText`)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("verdict lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(strings.ToLower(text), "clean") {
				t.Error("verdict calls the phone clean")
			}
			b.CheckNoOverflow(t, c.name)
			headless.Save(t, headless.ArtifactDir(t), c.name+"-phone.png", b.Screenshot(t, true))
			b.Quiet(t, self)
		})
	}
}

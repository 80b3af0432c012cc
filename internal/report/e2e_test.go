package report

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds a browser; under CI one is required.
func chromiumPath(t testing.TB) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not on PATH; CI must install it (apt-get install chromium)")
	}
	t.Skip("chromium not on PATH")
	return ""
}

// browserTab is one headless tab that records every console message,
// request and dialog, so a test can assert the page stayed silent.
type browserTab struct {
	ctx      context.Context
	mu       sync.Mutex
	console  []string
	requests []string
	dialogs  []string
}

func newTab(t testing.TB) *browserTab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	b := &browserTab{ctx: ctx}
	reqs := chromedp.Events(ctx, network.RequestWillBeSent)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	console := chromedp.Console(ctx)
	go func() {
		for ev, err := range reqs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.requests = append(b.requests, ev.Request.URL)
			b.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				b.mu.Lock()
				b.console = append(b.console, string(m.Type)+": "+m.Text)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// quiet fails the test when the page logged an error, asked for anything
// but itself, or opened a dialog.
func (b *browserTab) quiet(t *testing.T, self string) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // let queued events arrive
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.console {
		t.Errorf("console: %s", c)
	}
	for _, r := range b.requests {
		if r != self {
			t.Errorf("network request attempted: %s", r)
		}
	}
	for _, d := range b.dialogs {
		t.Errorf("dialog opened (script from evidence ran?): %q", d)
	}
}

func eval[T any](t *testing.T, b *browserTab, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func screenshotDir(t *testing.T) string {
	if d := os.Getenv("HUELLA_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func shoot(t *testing.T, b *browserTab, name string, width int64) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(width, 900)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the chart follows the new width
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// shootView saves what a person sees at the top of a section, since a
// full page at phone width is too tall to review.
func shootView(t *testing.T, b *browserTab, name string, width, height int64, section string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatal(err)
	}
	eval[chromedp.Void](t, b, fmt.Sprintf(`document.getElementById(%q).scrollIntoView()`, section))
	time.Sleep(300 * time.Millisecond)
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func selectModule(t *testing.T, b *browserTab, name string) {
	t.Helper()
	ok := eval[bool](t, b, fmt.Sprintf(`(function(){var s=document.getElementById('f-module');
		var o=Array.prototype.find.call(s.options,function(o){return o.text===%q});
		if(!o)return false; s.value=o.value; s.dispatchEvent(new Event('change')); return true})()`, name))
	if !ok {
		t.Fatalf("module %s not in the filter", name)
	}
}

const countJS = `+document.getElementById('ev-count').getAttribute('data-count')`
const rowsJS = `document.querySelectorAll('#ev-body tr:not(:has(td.empty))').length`

func TestBrowserReport(t *testing.T) {
	sc := findingsScenario()
	dir := writeResults(t, sc)
	if err := Write(dir, Options{Lang: "en", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	self := fileURL(filepath.Join(dir, "report.html"))
	b := newTab(t)
	if err := chromedp.Do(b.ctx, chromedp.Navigate(self), chromedp.WaitVisible(chromedp.ID("verdict-headline"))); err != nil {
		t.Fatal(err)
	}

	if got := eval[string](t, b, `document.getElementById('verdict-headline').innerText`); got != "Traces matching indicators of NSO Group's Pegasus were found." {
		t.Errorf("verdict = %q", got)
	}
	visible := eval[int](t, b, `Array.prototype.filter.call(document.querySelectorAll('article.finding'),
		function(a){var r=a.getBoundingClientRect(); return r.width>0&&r.height>0&&getComputedStyle(a).visibility!=='hidden'}).length`)
	if visible != len(sc.dets) {
		t.Errorf("%d findings visible, want %d", visible, len(sc.dets))
	}
	if n := eval[int](t, b, `document.querySelectorAll('#chart canvas').length`); n == 0 {
		t.Error("timeline chart not drawn")
	}

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

	t.Run("module filter", func(t *testing.T) {
		all := eval[int](t, b, countJS)
		if all != len(sc.events) {
			t.Fatalf("count %d, want %d events", all, len(sc.events))
		}
		selectModule(t, b, "ios.safari_history")
		if got, rows := eval[int](t, b, countJS), eval[int](t, b, rowsJS); got != 2 || rows != 2 {
			t.Errorf("after filter: count %d rows %d, want 2", got, rows)
		}
		mods := eval[[]string](t, b, `Array.prototype.map.call(document.querySelectorAll('#ev-body tr'),function(r){return r.cells[2].innerText})`)
		for _, m := range mods {
			if m != "ios.safari_history" {
				t.Errorf("row of module %q shown", m)
			}
		}
		if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.ID("f-reset"))); err != nil {
			t.Fatal(err)
		}
		if got := eval[int](t, b, countJS); got != all {
			t.Errorf("after reset: %d, want %d", got, all)
		}
	})

	t.Run("ten minutes around a finding", func(t *testing.T) {
		selectModule(t, b, "ios.safari_history") // must be cleared by the button
		if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("#finding-1 button.around"))); err != nil {
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

	shoot(t, b, "findings-desktop", 1366)
	shoot(t, b, "findings-phone", 390)
	for _, sec := range []string{"verdict", "findings", "timeline", "coverage"} {
		shootView(t, b, "phone-"+sec, 390, 844, sec)
	}
	shootView(t, b, "desktop-timeline", 1366, 900, "timeline")
	b.quiet(t, self)
}

func TestBrowserNoFindings(t *testing.T) {
	for _, c := range []struct {
		name string
		sc   scenario
		lang string
		want []string
	}{
		{"none", noneScenario(), "en", []string{"No known traces were found. This does not prove the phone is free of spyware.", "sms: not in this evidence"}},
		{"failed", failedScenario(), "es", []string{"la revisión está incompleta", "safari_history: falló: History.db: database disk image is malformed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeResults(t, c.sc)
			if err := Write(dir, Options{Lang: c.lang, Now: fixedNow}); err != nil {
				t.Fatal(err)
			}
			self := fileURL(filepath.Join(dir, "report.html"))
			b := newTab(t)
			if err := chromedp.Do(b.ctx, chromedp.Navigate(self), chromedp.WaitVisible(chromedp.ID("not-checked"))); err != nil {
				t.Fatal(err)
			}
			text := eval[string](t, b, `document.getElementById('verdict').innerText`)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("verdict lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(strings.ToLower(text), "clean") {
				t.Error("verdict calls the phone clean")
			}
			shoot(t, b, c.name+"-desktop", 1366)
			b.quiet(t, self)
		})
	}
}

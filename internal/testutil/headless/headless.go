// Package headless drives a headless Chromium for the report's tests: one
// tab that records every console error, request and dialog (so a test can
// assert the page stayed offline and silent), viewports of a phone and a
// desktop, a walk over the page for anything wider than the screen,
// screenshots kept as test artifacts, print-media emulation and printing to
// PDF. Tests only: it needs chromium on PATH (CI installs it; elsewhere the
// test is skipped).
package headless

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Viewports the report is judged at: a common phone (CSS pixels of an
// iPhone 12 to 15) and a common laptop.
var (
	Phone   = Viewport{Width: 390, Height: 844, Mobile: true}
	Desktop = Viewport{Width: 1366, Height: 900}
)

// Viewport is a screen size in CSS pixels.
type Viewport struct {
	Width, Height int64
	Mobile        bool
}

func (v Viewport) String() string { return fmt.Sprintf("%dx%d", v.Width, v.Height) }

// Path finds a browser; under CI one is required.
func Path(t testing.TB) string {
	t.Helper()
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

// Tab is one headless tab.
type Tab struct {
	Ctx      context.Context
	mu       sync.Mutex
	console  []string
	requests []string
	dialogs  []string
}

// New starts Chromium with one tab. The flags keep it from calling home
// (no background networking, component updates or QUIC) so the only
// requests are the page's own.
func New(t testing.TB) *Tab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Path(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(Desktop.Width), int(Desktop.Height)),
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
	b := &Tab{Ctx: ctx}
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

// FileURL is the file: URL of a local path.
func FileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// Open sets the viewport and loads the page, waiting for the element with
// id ready to be visible.
func (b *Tab) Open(t testing.TB, v Viewport, pageURL, ready string) {
	t.Helper()
	b.SetViewport(t, v)
	if err := chromedp.Do(b.Ctx, chromedp.Navigate(pageURL), chromedp.WaitVisible(chromedp.ID(ready))); err != nil {
		t.Fatal(err)
	}
}

// SetViewport emulates a screen (a phone also as a touch, mobile device).
func (b *Tab) SetViewport(t testing.TB, v Viewport) {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if v.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(v.Width, v.Height, opts...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond) // let layout and resize observers settle
}

// Eval evaluates js in the page.
func Eval[T any](t testing.TB, b *Tab, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// Quiet fails the test when the page logged an error, asked for anything
// but itself, or opened a dialog.
func (b *Tab) Quiet(t testing.TB, self string) {
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

// overflowJS lists the elements that reach past the viewport's edges,
// leaving out those inside a box that scrolls or clips them (the box itself
// is checked), and anything not rendered.
const overflowJS = `(function(){
  var W = window.innerWidth, out = [];
  function inScroller(e) {
    for (var p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      var o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  }
  function name(e) {
    var s = e.tagName.toLowerCase();
    if (e.id) s += '#' + e.id;
    if (typeof e.className === 'string' && e.className) s += '.' + e.className.trim().split(/\s+/).join('.');
    return s;
  }
  document.querySelectorAll('body *').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    if (r.right <= W + 0.5 && r.left >= -0.5) return;
    if (inScroller(e)) return;
    out.push(name(e) + ' [' + Math.round(r.left) + ', ' + Math.round(r.right) + '] ' + (e.textContent || '').trim().slice(0, 50));
  });
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: W, wide: out.slice(0, 20), n: out.length};
})()`

// Layout is what the overflow walk found.
type Layout struct {
	ScrollWidth int64    `json:"scrollWidth"`
	InnerWidth  int64    `json:"innerWidth"`
	Wide        []string `json:"wide"`
	N           int      `json:"n"`
}

// CheckNoOverflow fails the test when the page scrolls sideways or any
// element is wider than the viewport.
func (b *Tab) CheckNoOverflow(t testing.TB, what string) {
	t.Helper()
	l := Eval[Layout](t, b, overflowJS)
	if l.ScrollWidth > l.InnerWidth {
		t.Errorf("%s: page is %d px wide in a %d px viewport", what, l.ScrollWidth, l.InnerWidth)
	}
	if l.N > 0 {
		t.Errorf("%s: %d element(s) wider than the %d px viewport, first: %q", what, l.N, l.InnerWidth, l.Wide)
	}
}

// brokenWordsJS lists the words of the page's labels and prose that are cut
// across two lines. Evidence values (paths, hashes, links, messages: no
// spaces to wrap at) may break anywhere and are left out; a compound word
// may break at its hyphen, as in print.
const brokenWordsJS = `(function(){
  var skip = '.v, code.path, code.value, code.hash, code.id, .record, pre, samp, td.summary, script, style, template, .sr';
  var out = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), n, range = document.createRange();
  while ((n = walker.nextNode())) {
    var p = n.parentElement;
    if (!p || p.closest(skip) || !p.checkVisibility()) continue;
    var re = /[^\s]+/g, m, text = n.data;
    while ((m = re.exec(text))) {
      var parts = m[0].split(/(?<=\p{L})-(?=\p{L})/u), off = m.index;
      for (var i = 0; i < parts.length; i++) {
        var w = parts[i];
        if (w.length > 1) {
          range.setStart(n, off); range.setEnd(n, off + w.length);
          var tops = {};
          Array.prototype.forEach.call(range.getClientRects(), function (r) { if (r.width > 0) tops[Math.round(r.top)] = 1; });
          if (Object.keys(tops).length > 1) out.push(w);
        }
        off += w.length + 1;
      }
    }
  }
  return out.slice(0, 20);
})()`

// BrokenWords returns words of labels and prose cut across two lines (none
// should be: only evidence values may break mid-word).
func (b *Tab) BrokenWords(t testing.TB) []string {
	t.Helper()
	return Eval[[]string](t, b, brokenWordsJS)
}

// Height is the page's full height in CSS pixels.
func (b *Tab) Height(t testing.TB) int64 {
	return Eval[int64](t, b, `document.documentElement.scrollHeight`)
}

// ArtifactDir is where screenshots and PDFs go: $HUELLA_SCREENSHOTS (CI
// sets it and keeps the folder), else a temporary folder, logged.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("HUELLA_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := t.TempDir()
	t.Logf("screenshots and PDFs in %s (set HUELLA_SCREENSHOTS to keep them)", d)
	return d
}

// Save writes an artifact and returns its path.
func Save(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Screenshot captures what the viewport shows, or the whole page.
func (b *Tab) Screenshot(t testing.TB, full bool) []byte {
	t.Helper()
	var png []byte
	var err error
	if full {
		png, err = chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	} else {
		png, err = chromedp.Run(b.Ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		t.Fatal(err)
	}
	return png
}

// EmulatePrint renders the page with its print style sheet (on) or back
// with its screen one, so a test can read what a printout holds.
func (b *Tab) EmulatePrint(t testing.TB, on bool) {
	t.Helper()
	media := ""
	if on {
		media = "print"
	}
	if _, err := chromedp.Call(b.Ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media}); err != nil {
		t.Fatal(err)
	}
}

// PrintPDF prints the page on A4, as a helpline saving it as PDF would.
func (b *Tab) PrintPDF(t testing.TB) []byte {
	t.Helper()
	pdf, err := chromedp.Run(b.Ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

var (
	pageObj  = regexp.MustCompile(`/Type\s*/Page[^s]`)
	pagesCnt = regexp.MustCompile(`/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b`)
)

// PDFPages counts the pages of a PDF Chromium wrote: its page objects,
// which must agree with the page tree's count (Chromium writes no object
// streams, so both are plain text in the file). It returns an error when
// the two disagree or the file is not a PDF.
func PDFPages(pdf []byte) (int, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return 0, fmt.Errorf("not a PDF")
	}
	objs := len(pageObj.FindAll(pdf, -1))
	count := 0
	for _, m := range pagesCnt.FindAllSubmatch(pdf, -1) {
		for _, g := range m[1:] {
			if n, err := strconv.Atoi(string(g)); err == nil && n > count {
				count = n // the root of the page tree holds the total
			}
		}
	}
	if objs == 0 || objs != count {
		return 0, fmt.Errorf("%d page objects but a page tree of %d", objs, count)
	}
	return objs, nil
}

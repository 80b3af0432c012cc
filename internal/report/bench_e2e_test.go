package report

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/huella-project/huella/internal/testutil/headless"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
)

// TestReport1M builds a results folder with a million timeline events,
// writes the report and measures, in headless Chromium, the time to load
// the page and to apply a module filter. Slow, so opt-in:
// HUELLA_BENCH_REPORT=1 go test -run TestReport1M -v ./internal/report
func TestReport1M(t *testing.T) {
	if os.Getenv("HUELLA_BENCH_REPORT") != "1" {
		t.Skip("set HUELLA_BENCH_REPORT=1 to run")
	}
	const n = 1_000_000
	mods := []string{"sms", "whatsapp", "safari_history", "netusage", "datausage", "calls", "contacts", "locationd",
		"osanalytics", "shutdownlog", "chrome_history", "firefox_history", "webkit_resource", "tcc", "manifest", "interactionc"}
	info := baseInfo(source.IOSBackup, source.Device{Platform: "ios", TimeZone: "America/Mexico_City"})
	for _, m := range mods {
		info.Modules = append(info.Modules, results.ModuleInfo{Name: m, Status: results.StatusParsed, Records: n / len(mods)})
	}
	base := at("2021-01-01T00:00:00Z")
	crit := model.Critical
	events := make([]model.Event, n)
	for i := range events {
		e := model.Event{Time: base.Add(time.Duration(i) * 47 * time.Second), Module: mods[i%len(mods)], Desc: "event",
			Summary: fmt.Sprintf("Message %d from +34600%06d: see you at the usual place, bring the documents", i, i%997),
			Source:  "HomeDomain/Library/" + mods[i%len(mods)] + ".db"}
		if i%5000 == 0 {
			e.Severity = &crit
		}
		events[i] = e
	}
	start := time.Now()
	dir := writeResults(t, scenario{info: info, events: events})
	events = nil
	t.Logf("results folder with %d events written in %v", n, time.Since(start))

	start = time.Now()
	if err := Write(dir, Options{Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, "report.html"))
	t.Logf("report.html: %.1f MB in %v", float64(fi.Size())/1e6, time.Since(start))

	self := headless.FileURL(filepath.Join(dir, "report.html"))
	b := headless.New(t)
	start = time.Now()
	b.Open(t, headless.Desktop, self, "tl-show")
	opened := time.Since(start)
	// The timeline is built when asked for: the load a reader waits for
	// is the page, then the click.
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.ID("tl-show")), chromedp.WaitVisible(chromedp.ID("ev-count"))); err != nil {
		t.Fatal(err)
	}
	load := time.Since(start)
	t.Logf("page open %v; timeline shown %v after navigation", opened, load)
	t.Logf("page timing (ms since navigation): %s", eval[string](t, b, `JSON.stringify(window.huellaTiming)+' domInteractive='+performance.getEntriesByType('navigation')[0].domInteractive+' load='+performance.getEntriesByType('navigation')[0].loadEventEnd`))
	if got := eval[int](t, b, countJS); got != n {
		t.Fatalf("page shows %d events, want %d", got, n)
	}
	start = time.Now()
	inPage := eval[float64](t, b, `(function(){var t0=performance.now(); var s=document.getElementById('f-module');
		s.value=Array.prototype.find.call(s.options,function(o){return o.text==='netusage'}).value;
		s.dispatchEvent(new Event('change')); return performance.now()-t0})()`)
	filter := time.Since(start)
	if got := eval[int](t, b, countJS); got != n/len(mods) {
		t.Errorf("filtered count %d, want %d", got, n/len(mods))
	}
	textMS := eval[float64](t, b, `(function(){var t0=performance.now(); var s=document.getElementById('f-text');
		s.value='+34600000042'; document.getElementById('f-module').value='-1';
		document.getElementById('f-module').dispatchEvent(new Event('change'));
		return performance.now()-t0})()`)
	t.Logf("Chromium: load %v; module filter %v (%.0f ms in page); reset filter %.0f ms", load, filter, inPage, textMS)
	// Targets: the page opens, and the timeline is shown after the click,
	// each within 2 s; a filter within 2 s.
	if opened > 2*time.Second || load-opened > 2*time.Second || filter > 2*time.Second {
		t.Errorf("over the 2 s target: page open %v, timeline after the click %v, filter %v", opened, load-opened, filter)
	}
	b.Quiet(t, self)
}

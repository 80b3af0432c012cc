package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	stdhtml "html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/outcome"
	"github.com/huella-project/huella/internal/results"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestBuildDataGolden(t *testing.T) {
	cases := []struct {
		name string
		sc   func() scenario
		lang string
		// what the page must say whatever the golden holds, so an -update
		// cannot silently bless a wrong verdict
		level    string
		headline string
	}{
		{"findings", findingsScenario, "en", "critical", "Traces matching indicators of NSO Group's Pegasus were found."},
		{"findings_es", findingsScenario, "es", "critical", "Se encontraron rastros que coinciden con indicadores de Pegasus de NSO Group."},
		{"none", noneScenario, "en", "none", "No known traces were found. This does not prove the phone is free of spyware."},
		{"failed_module", failedScenario, "en", "incomplete", "No known traces were found in the parts that could be checked, but the check is incomplete. This does not prove the phone is free of spyware."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeResults(t, c.sc())
			d, err := BuildData(dir, Options{Lang: c.lang, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			if d.Verdict.Level != c.level || d.Verdict.Headline != c.headline {
				t.Errorf("verdict = %q %q, want %q %q", d.Verdict.Level, d.Verdict.Headline, c.level, c.headline)
			}
			got, err := json.MarshalIndent(d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			if bytes.Contains(got, []byte(filepath.Dir(dir))) {
				t.Fatal("golden data contains a temporary path")
			}
			golden := filepath.Join("testdata", "golden", c.name+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			want = bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n"))
			if !bytes.Equal(got, want) {
				t.Errorf("Data differs from %s (go test -update rewrites it); got:\n%s", golden, got)
			}
		})
	}
}

func TestVerdictRules(t *testing.T) {
	t.Run("absent modules are listed apart, not as gaps", func(t *testing.T) {
		d := build(t, noneScenario(), "en")
		if len(d.Verdict.NotChecked) != 0 || strings.Join(d.Verdict.Absent, ",") != "android.sms_backup" || d.Verdict.Level != "none" {
			t.Errorf("verdict = %+v", d.Verdict)
		}
	})
	t.Run("a deselected module makes it incomplete", func(t *testing.T) {
		sc := noneScenario()
		sc.info.Modules = append(sc.info.Modules, results.ModuleInfo{Name: "android.appops", Status: results.StatusSkipped})
		d := build(t, sc, "en")
		if d.Verdict.Level != "incomplete" || len(d.Verdict.NotChecked) != 1 || d.Verdict.NotChecked[0].Cause != "deselected" ||
			!strings.Contains(d.Verdict.NotChecked[0].Fix, "without --modules") {
			t.Errorf("verdict = %+v", d.Verdict)
		}
	})
	t.Run("failed module is named with its error and the fix", func(t *testing.T) {
		d := build(t, failedScenario(), "en")
		found := false
		for _, n := range d.Verdict.NotChecked {
			if n.Part == "ios.safari_history" && strings.Contains(n.Reason, "malformed") && n.Fix != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("failed module missing from not-checked list: %+v", d.Verdict.NotChecked)
		}
		if !containsAll(d.Verdict.Notes, "could not be read completely", "Problems were met") {
			t.Errorf("notes = %q", d.Verdict.Notes)
		}
		if d.Coverage[0].Status != results.StatusFailed {
			t.Errorf("failed module not listed first in coverage: %+v", d.Coverage[0])
		}
	})
	t.Run("nothing checked", func(t *testing.T) {
		sc := failedScenario()
		sc.info.Modules = sc.info.Modules[1:]
		d := build(t, sc, "en")
		if d.Verdict.Level != "error" || !strings.Contains(d.Verdict.Headline, "Nothing could be checked") {
			t.Errorf("verdict = %+v", d.Verdict)
		}
	})
	t.Run("no indicators loaded is incomplete, with the command that fixes it", func(t *testing.T) {
		sc := noneScenario()
		sc.info.Indicators = results.Indicators{}
		d := build(t, sc, "en")
		if d.Verdict.Level != "incomplete" || len(d.Verdict.NotChecked) != 1 || !strings.Contains(d.Verdict.NotChecked[0].Fix, "huella iocs update") {
			t.Errorf("verdict = %+v", d.Verdict)
		}
	})
	t.Run("an interrupted run says so, in Spanish too", func(t *testing.T) {
		sc := noneScenario()
		sc.info.Interrupted = true
		sc.info.Modules = append(sc.info.Modules, results.ModuleInfo{Name: "android.aqf_files", Status: results.StatusInterrupted})
		d := build(t, sc, "es")
		if d.Verdict.Level != "incomplete" || !strings.Contains(d.Verdict.Headline, "se interrumpió") ||
			len(d.Verdict.NotChecked) != 1 || !strings.Contains(d.Verdict.NotChecked[0].Reason, "no terminó") ||
			!strings.Contains(d.Verdict.NotChecked[0].Fix, "déjela terminar") {
			t.Errorf("verdict = %+v", d.Verdict)
		}
	})
	t.Run("a high indicator match names its campaign", func(t *testing.T) {
		sc := findingsScenario()
		sc.dets = sc.dets[:1] // the SMS link: high, not critical
		d := build(t, sc, "en")
		if d.Verdict.Level != "high" || !strings.Contains(d.Verdict.Headline, "Pegasus") {
			t.Errorf("verdict = %+v", d.Verdict)
		}
	})
	t.Run("medium only is not a compromise", func(t *testing.T) {
		sc := findingsScenario()
		sc.dets = sc.dets[2:3]
		d := build(t, sc, "en")
		if d.Verdict.Level != "medium" || len(d.Verdict.Campaigns) != 0 {
			t.Errorf("verdict = %+v", d.Verdict)
		}
	})
	t.Run("findings explain themselves", func(t *testing.T) {
		d := build(t, findingsScenario(), "en")
		for _, g := range d.Groups {
			for _, f := range g.Findings {
				if f.Why == "" || len(f.Benign) == 0 || f.Strength == "" || strings.Contains(f.Why, "{") {
					t.Errorf("%s: incomplete explanation %+v", f.ID, f)
				}
			}
		}
		url := d.Groups[1].Findings[0]
		if url.Observable == nil || url.Observable.Kind != "url" || !strings.Contains(url.Benign[0], "research site") {
			t.Errorf("url finding = %+v", url)
		}
		if url.WhenLocal != "2023-05-10 11:15:00 CEST (Europe/Madrid)" {
			t.Errorf("local time = %q", url.WhenLocal)
		}
	})
}

func build(t *testing.T, sc scenario, lang string) *Data {
	t.Helper()
	d, err := BuildData(writeResults(t, sc), Options{Lang: lang, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func containsAll(list []string, subs ...string) bool {
	all := strings.Join(list, "\n")
	for _, s := range subs {
		if !strings.Contains(all, s) {
			return false
		}
	}
	return true
}

func TestWriteReport(t *testing.T) {
	dir := writeResults(t, findingsScenario())
	if err := Write(dir, Options{Lang: "en", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	fi, _ := os.Stat(filepath.Join(dir, "report.html"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v, want 0600", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".report-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}

	t.Run("evidence text is escaped", func(t *testing.T) {
		for _, bad := range []string{xssScript, xssImg, "<img src=x"} {
			if strings.Contains(html, bad) {
				t.Errorf("raw markup from evidence in page: %s", bad)
			}
		}
		if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("escaped script text missing from findings")
		}
		if !strings.Contains(html, `\u003cscript\u003ealert(1)`) {
			t.Error("escaped script text missing from embedded events")
		}
	})
	t.Run("CSP hashes match the inline code", func(t *testing.T) {
		m := regexp.MustCompile(`content="(default-src [^"]*)"`).FindStringSubmatch(html)
		if m == nil {
			t.Fatal("no CSP meta")
		}
		policy := stdhtml.UnescapeString(m[1])
		scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(html, -1)
		styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(html, -1)
		if len(scripts) != 1 || len(styles) != 1 {
			t.Fatalf("want one executable script and one style, got %d and %d", len(scripts), len(styles))
		}
		for _, body := range []string{scripts[0][1], styles[0][1]} {
			if !strings.Contains(policy, hash(body)) {
				t.Errorf("CSP %q lacks %s", policy, hash(body))
			}
		}
		if strings.Contains(policy, "unsafe") {
			t.Errorf("CSP allows unsafe code: %s", policy)
		}
	})
	t.Run("nothing is loaded from elsewhere", func(t *testing.T) {
		if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:|//)`).FindString(html); m != "" {
			t.Errorf("external reference: %s", m)
		}
		if strings.Contains(html, "on"+"error=") && strings.Contains(html, "<img src=x") {
			t.Error("event handler attribute from evidence")
		}
	})
}

func TestCataloguesComplete(t *testing.T) {
	en, err := readCatalogue("en")
	if err != nil {
		t.Fatal(err)
	}
	langs := Languages()
	if len(langs) < 2 {
		t.Fatalf("want at least English and Spanish, have %v", langs)
	}
	for _, l := range langs {
		m, err := readCatalogue(l)
		if err != nil {
			t.Fatal(err)
		}
		for k := range en {
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s: missing %s", l, k)
			}
			if strings.Count(m[k], "{") != strings.Count(en[k], "{") {
				t.Errorf("%s: %s has different placeholders than English", l, k)
			}
		}
		for k, v := range m {
			// module.<name> translates a module's own English description.
			if _, ok := en[k]; !ok && !strings.HasPrefix(k, "module.") {
				t.Errorf("%s: %s is not in English", l, k)
			}
			// A report must never call a phone clean.
			if low := strings.ToLower(v); strings.Contains(low, "clean") || strings.Contains(low, "limpio") {
				t.Errorf("%s: %s says clean: %q", l, k, v)
			}
		}
	}
	// Every key the template and the code ask for must exist.
	var used []string
	tpl, _ := templateFS.ReadFile("templates/report.gohtml")
	for _, m := range regexp.MustCompile(`\.[TA] "([^"]+)"`).FindAllStringSubmatch(string(tpl), -1) {
		used = append(used, m[1])
	}
	for _, f := range []string{"build.go", "verdict.go"} {
		src, _ := os.ReadFile(f)
		for _, m := range regexp.MustCompile(`\.(?:T|List)\("([^"]+)"[,)]`).FindAllStringSubmatch(string(src), -1) {
			used = append(used, m[1])
		}
	}
	if len(used) < 40 {
		t.Fatalf("found only %d keys in use; the scan is broken", len(used))
	}
	cat, _ := LoadCatalogue("en")
	for _, k := range used {
		if !cat.Has(k) && len(cat.List(k)) == 0 {
			t.Errorf("key %q used but not in the catalogue", k)
		}
	}
	// The verdict's headline key comes from internal/outcome.
	for _, k := range []string{outcome.HeadlineFoundCampaigns, outcome.HeadlineFoundHigh, outcome.HeadlineFoundMedium, outcome.HeadlineFoundLow,
		outcome.HeadlineNone, outcome.HeadlineIncomplete, outcome.HeadlineNothingChecked, outcome.HeadlineInterrupted} {
		used = append(used, k)
		if !cat.Has(k) {
			t.Errorf("outcome headline %q not in the catalogue", k)
		}
	}
	for _, k := range []string{"all", "flagged", "count", "page", "no_rows"} {
		if !cat.Has("js." + k) {
			t.Errorf("script text js.%s missing", k)
		}
	}
}

func TestLoadCatalogue(t *testing.T) {
	for _, c := range []struct{ in, want string }{{"", "en"}, {"es", "es"}, {"es-MX", "es"}, {"EN", "en"}} {
		cat, err := LoadCatalogue(c.in)
		if err != nil || cat.Lang != c.want {
			t.Errorf("LoadCatalogue(%q) = %v, %v; want %s", c.in, cat, err, c.want)
		}
	}
	if _, err := LoadCatalogue("xx"); err == nil {
		t.Error("unknown language accepted")
	}
}

// TestTFillsInOnePass: a value that holds another placeholder's spelling (a
// device named "{path}" in the evidence) is printed as it is, not filled in.
func TestTFillsInOnePass(t *testing.T) {
	cat, err := LoadCatalogue("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pairs []any
		want  string
	}{
		{[]any{"kind", "ios-backup", "device", "iPhone"}, "Evidence: ios-backup (iPhone)"},
		{[]any{"kind", "{device}", "device", "{kind}"}, "Evidence: {device} ({kind})"},
		{[]any{"kind", "ios-fs"}, "Evidence: ios-fs ({device})"},
		{nil, "Evidence: {kind} ({device})"},
	} {
		if got := cat.T("console.evidence", c.pairs...); got != c.want {
			t.Errorf("T(console.evidence, %v) = %q, want %q", c.pairs, got, c.want)
		}
	}
}

func TestUplotVendored(t *testing.T) {
	f, err := os.Open("assets/uplot/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checked := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 || len(fields[0]) != 64 {
			continue
		}
		b, err := os.ReadFile(filepath.Join("assets/uplot", fields[1]))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != fields[0] {
			t.Errorf("%s: sha256 %s, VERSION says %s", fields[1], got, fields[0])
		}
		checked++
	}
	if checked != 3 {
		t.Errorf("checked %d files, want 3 (js, css, LICENSE)", checked)
	}
	if !strings.HasPrefix(uplotJS, "/*! https://github.com/leeoniya/uPlot (v1.6.32) */") {
		t.Error("embedded uPlot is not 1.6.32")
	}
}

package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/outcome"
	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/version"
)

// hostileName clears the screen, homes the cursor, rings the bell and
// reverses the text that follows: printed raw, it hides the findings.
const hostileName = "Ana\x1b[2J\x1b[H\a\u202eenohPi\u2066 \u009b31m"

func rawControls(s string) []string {
	var bad []string
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			bad = append(bad, fmt.Sprintf("%U", r))
		}
	}
	return bad
}

// TestConsoleEscapesEvidenceText: a device name, a pasted message, a feed
// value and a path from the evidence never reach the terminal raw.
func TestConsoleEscapesEvidenceText(t *testing.T) {
	w := newWorld(t)
	backup := iosBackup(t)
	p := filepath.Join(backup, "Info.plist")
	b, _ := os.ReadFile(p)
	var info map[string]any
	if _, err := plist.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	info["Device Name"] = hostileName
	nb, _ := plist.Marshal(info, plist.BinaryFormat)
	os.WriteFile(p, nb, 0o600)

	out := filepath.Join(t.TempDir(), "out")
	checks := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"check summary", "", []string{"check", backup, "--output", out, "--iocs", writeBundle(t), "--verbose"}},
		{"check-url pasted text", "hola \x1b]0;pwned\a https://lure.example/\u202egpj.exe", []string{"check-url", "--iocs", writeBundle(t), "-"}},
		{"check-url argument", "", []string{"check-url", "https://lure.example/\x1b[8m"}},
		{"error naming a path", "", []string{"check", "/nowhere/\x1b[2Jcase", "--output", filepath.Join(t.TempDir(), "o")}},
		{"iocs search", "", []string{"iocs", "search", "--iocs", writeBundle(t), "lure.example\x1b[2J"}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			r := w.huella(c.stdin, c.args...)
			if bad := rawControls(r.console()); len(bad) > 0 {
				t.Errorf("raw control characters %q on the console:\n%s", bad, r.console())
			}
			if c.name == "check summary" && !strings.Contains(r.stdout, `Ana\x1b[2J\x1b[H\a\u202eenohPi`) {
				t.Errorf("device name not shown escaped:\n%s", r.stdout)
			}
		})
	}
}

// TestQuietByDefault: a check prints the summary and nothing else; the log
// goes to the console only with --verbose, and always to command.log.
func TestQuietByDefault(t *testing.T) {
	w := newWorld(t)
	backup := iosBackup(t)
	for _, verbose := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "out")
		args := []string{"check", backup, "--output", out, "--iocs", writeBundle(t)}
		if verbose {
			args = append(args, "--verbose")
		}
		r := w.huella("", args...)
		if r.code != 0 {
			t.Fatalf("exit %d %s", r.code, r.console())
		}
		logLines := strings.Contains(r.stderr, "level=")
		if logLines != verbose {
			t.Errorf("verbose=%v: log lines on the console: %v\n%s", verbose, logLines, r.stderr)
		}
		if !verbose && r.stderr != "" {
			t.Errorf("stderr not empty by default:\n%s", r.stderr)
		}
		if !strings.Contains(r.stdout, "Verdict:") {
			t.Errorf("no summary:\n%s", r.stdout)
		}
		log, _ := os.ReadFile(filepath.Join(out, "command.log"))
		for _, want := range []string{"level=INFO msg=\"huella " + version.Version, "evidence opened", "indicators loaded", "level=INFO msg=done"} {
			if !strings.Contains(string(log), want) {
				t.Errorf("command.log lacks %q:\n%s", want, log)
			}
		}
	}
}

// TestFlagsValidatedFirst: a wrong flag value is reported before any work:
// the evidence is not even looked at (it does not exist here) and no
// folder is created.
func TestFlagsValidatedFirst(t *testing.T) {
	w := newWorld(t)
	out := filepath.Join(t.TempDir(), "out")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"check", "/no/such/evidence", "-o", out, "--lang", "xx"}, `--lang "xx"`},
		{[]string{"check", "/no/such/evidence", "-o", out, "--type", "ios-backups"}, `--type "ios-backups" is not an evidence type`},
		{[]string{"check", "/no/such/evidence", "-o", out, "-m", "ios.nosuch"}, `--modules "ios.nosuch" matches no module`},
		{[]string{"check", "/no/such/evidence", "-o", out, "-m", "ios.[sms"}, `not a valid pattern`},
		{[]string{"check", "/no/such/evidence", "-o", out, "--module-timeout", "0s"}, `--module-timeout`},
		{[]string{"check-iocs", "/no/such/results", "-o", out, "--lang", "fr"}, `--lang "fr"`},
		{[]string{"report", "/no/such/results", "--lang", "fr"}, `--lang "fr"`},
		{[]string{"demo", "-o", out, "--lang", "fr"}, `--lang "fr"`},
		{[]string{"export", "/no/such/results", "--format", "csv"}, `--format "csv"`},
	}
	for _, c := range cases {
		r := w.huella("", c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "no such") {
			t.Errorf("%v: exit %d, want 2 and %q\n%s", c.args, r.code, c.want, r.console())
		}
		if exists(out) {
			t.Errorf("%v created %s", c.args, out)
		}
	}
}

// TestErrorsNameTheFileAndTheFix.
func TestErrorsNameTheFileAndTheFix(t *testing.T) {
	w := newWorld(t)
	notEvidence := writeTree(t, t.TempDir(), map[string]string{"holiday.jpg": "jpeg"})
	enc := filepath.Join(t.TempDir(), "enc")
	o := samplegen.Scaled(20, 4)
	o.Encrypt, o.Password = true, "right-one"
	if _, err := samplegen.GenerateIOSBackup(enc, o); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"check", notEvidence}, []string{notEvidence + ": not phone evidence", "The types huella reads are", "--type"}},
		{[]string{"check", enc}, []string{enc + ": encrypted: give --password-file FILE or set HUELLA_BACKUP_PASSWORD"}},
		{[]string{"check", enc, "--password", "wrong"}, []string{enc + ": wrong password", "--password-file FILE"}},
		{[]string{"check", "/no/such/evidence"}, []string{"/no/such/evidence: no such file or folder"}},
	}
	for _, c := range cases {
		args := append(c.args, "--output", filepath.Join(t.TempDir(), "out"), "--iocs", writeBundle(t))
		r := w.huella("", args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d", c.args, r.code)
		}
		for _, s := range c.want {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("%v: stderr lacks %q:\n%s", c.args, s, r.stderr)
			}
		}
		if strings.Count(r.stderr, "huella:") != 1 {
			t.Errorf("%v: want one error line:\n%s", c.args, r.stderr)
		}
	}
}

func TestVersionUsageAndCompletion(t *testing.T) {
	w := newWorld(t)
	r := w.huella("", "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "huella "+version.Version+" (commit ") {
		t.Errorf("--version: %d %q", r.code, r.stdout)
	}
	r = w.huella("", "check")
	if r.code != 2 || !strings.Contains(r.stderr, "Usage:") || !strings.Contains(r.stderr, "huella check PATH [PATH...] [flags]") || strings.Contains(r.stderr, "arg(s)") {
		t.Errorf("check without a path: %d\n%s", r.code, r.console())
	}
	var kinds []string
	for _, k := range source.Kinds {
		kinds = append(kinds, string(k))
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "check", "x", "--lang", ""}, report.Languages()},
		{[]string{"__complete", "report", "x", "--lang", "e"}, report.Languages()},
		{[]string{"__complete", "check", "x", "--type", ""}, kinds},
		{[]string{"__complete", "check", "x", "-m", "ios.sms,ios.sa"}, []string{"ios.sms,ios.safari_history"}},
		{[]string{"__complete", "export", "x", "--format", ""}, []string{"stix", "misp"}},
	}
	for _, c := range cases {
		r := w.huella("", c.args...)
		lines := strings.Split(r.stdout, "\n")
		for _, want := range c.want {
			found := false
			for _, l := range lines {
				if l == want || strings.HasPrefix(l, want+"\t") {
					found = true
				}
			}
			if !found {
				t.Errorf("%v: completion lacks %q:\n%s", c.args, want, r.stdout)
			}
		}
	}
}

// TestGoodSignIsNotAFinding: Lockdown Mode on is printed as a good sign and
// never counted among the findings (nor does it change the verdict).
func TestGoodSignIsNotAFinding(t *testing.T) {
	var out bytes.Buffer
	a := &app{stdout: &out, lang: "en"}
	info := results.Info{Summary: results.Summary{Level: outcome.LevelNone, Headline: outcome.HeadlineNone}}
	good := model.Detection{Kind: model.ByHeuristic, Rule: "ios.lockdown.enabled", Severity: model.Informational, Module: "ios.global_prefs"}
	a.printSummary(info, []model.Detection{good}, "case", "", false)
	s := out.String()
	if !strings.Contains(s, "Good sign: Lockdown Mode is on") {
		t.Errorf("good sign not printed as one:\n%s", s)
	}
	if strings.Contains(s, "finding(s)") || strings.Contains(s, "[INFORMATIONAL]") {
		t.Errorf("good sign counted as a finding:\n%s", s)
	}
}

// TestVerdictInChosenLanguage: the verdict block (label, headline, what was
// not checked and its fix, good signs) and every status line around it
// (evidence, modules, indicators, findings, results) follow --lang like the
// findings do, so a person who asked for Spanish reads no English.
func TestVerdictInChosenLanguage(t *testing.T) {
	info := results.Info{Summary: results.Summary{
		Level: outcome.LevelIncomplete, Headline: outcome.HeadlineIncomplete,
		NotChecked: []coverage.Gap{{Part: "ios.datausage", Cause: coverage.TimedOut}},
	}}
	good := model.Detection{Kind: model.ByHeuristic, Rule: "ios.lockdown.enabled", Severity: model.Informational, Module: "ios.global_prefs"}
	finding := model.Detection{Kind: model.ByHeuristic, Severity: model.Medium, Module: "ios.sms", Reason: "x"}
	for _, tc := range []struct {
		lang      string
		want, not []string
	}{
		{"en", []string{"Verdict: INCOMPLETE. No known traces", "Not checked:", "Good sign: ", "Evidence: ", "Modules: ", "Indicators: none loaded", "1 finding(s)", "[MEDIUM] ios.sms", "Results: case", "Open case/report.html in a browser"}, []string{"Conclusión", "No revisado", "Módulos"}},
		{"es", []string{"Conclusión: INCOMPLETO. No se encontraron rastros conocidos", "No revisado:", "Buena señal: ", "Evidencia: ", "Módulos: ", "Indicadores: no se cargó ninguno", "1 hallazgo(s)", "[MEDIA] ios.sms", "Resultados: case", "Abra case/report.html en un navegador"},
			[]string{"Verdict", "Not checked", "Good sign", "Fix:", "Evidence", "Modules", "Indicators", "finding(s)", "Results", "Open ", "MEDIUM"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			var out bytes.Buffer
			a := &app{stdout: &out, lang: tc.lang}
			a.printSummary(info, []model.Detection{good, finding}, "case", "report.html", false)
			s := out.String()
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("missing %q in:\n%s", w, s)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(s, n) {
					t.Errorf("%q printed for --lang %s:\n%s", n, tc.lang, s)
				}
			}
		})
	}
}

// TestIdenticalFindingLinesOnce: findings whose console line reads the same
// (a domain looked up and then contacted: two records, one text) print once
// with their count; past 20 lines the rest are counted, not built.
func TestIdenticalFindingLinesOnce(t *testing.T) {
	at := time.Date(2024, 2, 20, 3, 14, 0, 0, time.UTC)
	// The same finding on two records: a lookup and a connection.
	match := func() model.Detection {
		return model.Detection{Kind: model.ByHeuristic, Severity: model.High, Module: "net.capture", Time: &at, Reason: "The domain x.example matches an indicator"}
	}
	distinct := func(n int) []model.Detection {
		var ds []model.Detection
		for i := range n {
			d := match()
			d.Reason = fmt.Sprintf("finding %d", i)
			ds = append(ds, d)
		}
		return ds
	}
	for _, tc := range []struct {
		name      string
		dets      []model.Detection
		want, not []string
	}{
		{"two records one text", []model.Detection{match(), match()}, []string{"2 finding(s)", "matches an indicator (×2)\n"}, nil},
		{"different texts", distinct(2), []string{"finding 0\n", "finding 1\n"}, []string{"×"}},
		{"past twenty", distinct(25), []string{"finding 19\n", "... and 5 more in detections.json"}, []string{"finding 20\n"}},
		{"past twenty, counted not built", append(distinct(20), match(), match(), distinct(1)[0]), []string{"finding 19\n", "... and 3 more in detections.json"}, []string{"matches an indicator"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			a := &app{stdout: &out, lang: "en"}
			info := results.Info{Summary: results.Summary{Level: outcome.LevelHigh, Headline: outcome.HeadlineFoundHigh}}
			a.printSummary(info, tc.dets, "case", "", false)
			s := out.String()
			if strings.Count(s, "matches an indicator") > 1 {
				t.Errorf("identical line printed twice:\n%s", s)
			}
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("missing %q in:\n%s", w, s)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(s, n) {
					t.Errorf("unexpected %q in:\n%s", n, s)
				}
			}
		})
	}
}

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/testutil"
)

// A bad window is refused before anything is read or created.
func TestCustodyWindowValidatedFirst(t *testing.T) {
	for _, c := range []struct{ window, says string }{
		{"2026-11-20T14:00:00/2026-11-20T18:00:00", "give the zone"},
		{"2026-11-20T18:00:00-06:00/2026-11-20T14:00:00-06:00", "ends before it starts"},
		{"yesterday afternoon", "FROM/TO"},
		{"2025-01-01T00:00:00Z/2026-06-01T00:00:00Z", "longer than a year"},
		{"2026-11-20T14:00:00Z/P1X", "duration"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		code, _, stderr := run(t, "", "check", "/nonexistent/evidence", "--custody", c.window, "--output", out)
		if code != results.ExitError || !strings.Contains(stderr, "--custody") || !strings.Contains(stderr, c.says) {
			t.Errorf("%q: exit %d, %s", c.window, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%q: an output folder was created", c.window)
		}
		code, _, stderr = run(t, "", "report", "/nonexistent/results", "--custody", c.window)
		if code != results.ExitError || !strings.Contains(stderr, c.says) {
			t.Errorf("report %q: exit %d, %s", c.window, code, stderr)
		}
	}
	if w, err := custody.Parse("2026-11-20T14:00-06:00/PT4H"); err != nil || w.To.Sub(w.From) != 4*time.Hour {
		t.Errorf("FROM/DURATION: %v %v", w, err)
	}
}

// custodyCheck runs check with a custody window and returns what it wrote.
func custodyCheck(t *testing.T, evidence, window string) (int, results.Info, []model.Detection, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(t, "", "check", evidence, "--iocs", writeBundle(t), "--custody", window, "--output", out, "--quiet")
	if code == results.ExitError {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var info results.Info
	var dets results.Detections
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &dets); err != nil {
		t.Fatal(err)
	}
	testutil.ValidateResults(t, out)
	if !strings.Contains(stdout, "Custody window") {
		t.Errorf("no custody line on the console:\n%s", stdout)
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil || !strings.Contains(string(page), `id="custody"`) {
		t.Errorf("no custody section in the report (%v)", err)
	}
	return code, info, dets.Detections, string(page)
}

func custodyRules(dets []model.Detection) []string {
	var out []string
	for _, d := range dets {
		if strings.HasPrefix(d.Rule, "correlation.custody.") {
			out = append(out, d.Rule)
		}
	}
	return out
}

// iosDump is a small file-system dump: a computer's pair record and a
// configuration profile, both dated at 'at'.
func iosDump(t *testing.T, at time.Time) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dump")
	pr := moduletest.Plist(t, dir, "private/var/root/Library/Lockdown/pair_records/D3ADB33F-0000-4000-8000-00000000C0DE.plist",
		map[string]any{"HostID": "D3ADB33F-0000-4000-8000-00000000C0DE", "SystemBUID": "11111111-2222-4333-8444-555555555555"})
	moduletest.Plist(t, dir, "private/var/containers/Shared/SystemGroup/systemgroup.com.apple.configurationprofiles/Library/ConfigurationProfiles/profile-1.stub",
		map[string]any{"PayloadUUID": "P-1", "PayloadDisplayName": "Settings", "InstallDate": at, "PayloadContent": []any{map[string]any{"PayloadType": "com.apple.wifi.managed"}}})
	moduletest.File(t, dir, "private/var/mobile/Library/placeholder", []byte("x"))
	old := at.Add(-30 * 24 * time.Hour)
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, old, old) })
	if err := os.Chtimes(pr, at, at); err != nil {
		t.Fatal(err)
	}
	return dir
}

// androidWithIntrusionLogs is a generated androidqf acquisition whose
// intrusion logs record an adb shell and, two minutes later, an app
// installed, at 'at'.
func androidWithIntrusionLogs(t *testing.T, at time.Time) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "acq")
	if _, err := samplegen.GenerateAndroidQF(dir, samplegen.Scaled(50, 3)); err != nil {
		t.Fatal(err)
	}
	ns := func(t time.Time) int64 { return t.UnixNano() }
	lines := fmt.Sprintf(`{"security_event":{"event_id":210001,"event_time":%d,"adb_shell_interactive":{}}}
{"security_event":{"event_id":210034,"event_time":%d,"package_installed":{"package_name":"com.example.helper","version_code":1,"user_id":0}}}
{"security_event":{"event_id":210006,"event_time":%d,"keyguard_dismissed":{}}}
`, ns(at), ns(at.Add(2*time.Minute)), ns(at.Add(-time.Minute)))
	moduletest.File(t, dir, "intrusion_logs/log.txt", []byte(lines))
	return dir
}

// intrusionExport is an Android intrusion-log export on its own: a
// certificate authority installed and the screen unlocked at 'at'.
func intrusionExport(t *testing.T, at time.Time) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "intrusion")
	lines := fmt.Sprintf(`{"security_event":{"event_id":210029,"event_time":%d,"cert_authority_installed":{"success":true,"subject":"CN=Corp Root"}}}
{"security_event":{"event_id":210006,"event_time":%d,"keyguard_dismissed":{}}}
`, at.UnixNano(), at.Add(-time.Minute).UnixNano())
	moduletest.File(t, dir, "Intrusion Logging/2026-11-20.txt", []byte(lines))
	return dir
}

// The custody window works on every kind of evidence: the hands-on signs
// its sources hold are findings when they fall in the window, and nothing
// is when the window is elsewhere.
func TestCustodyWindowOnEveryEvidenceType(t *testing.T) {
	in := time.Date(2026, 11, 20, 21, 10, 0, 0, time.UTC) // 15:10 at UTC-6
	window := "2026-11-20T14:00:00-06:00/2026-11-20T18:00:00-06:00"
	elsewhere := "2026-10-01T08:00:00-06:00/2026-10-01T12:00:00-06:00"
	backupAt := "2024-02-27T16:00:00-06:00/2024-02-27T18:00:00-06:00" // the generated backup's date, 2024-02-27 23:00 UTC
	cases := []struct {
		name, kind   string
		evidence     func(t *testing.T) string
		window       string
		rules, kinds []string
	}{
		{"iOS backup", "ios-backup", func(t *testing.T) string { return iosBackup(t) }, backupAt,
			[]string{"correlation.custody.pairing"}, []string{"pairing"}},
		{"iOS file-system dump", "ios-fs", func(t *testing.T) string { return iosDump(t, in) }, window,
			[]string{"correlation.custody.pairing", "correlation.custody.profile"}, []string{"pairing", "profile"}},
		{"androidqf with intrusion logs", "androidqf", func(t *testing.T) string { return androidWithIntrusionLogs(t, in) }, window,
			[]string{"correlation.custody.adb", "correlation.custody.adb_install"}, []string{"adb", "app_install", "unlock"}},
		{"Android intrusion logs", "android-intrusion-logs", func(t *testing.T) string { return intrusionExport(t, in) }, window,
			[]string{"correlation.custody.profile"}, []string{"certificate", "unlock"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := c.evidence(t)
			_, info, dets, _ := custodyCheck(t, ev, c.window)
			if hasCause(info.Summary.NotChecked, coverage.Uncovered) {
				t.Errorf("a covered window listed as not checked: %+v", info.Summary.NotChecked)
			}
			if string(info.Evidence.Kind) != c.kind {
				t.Fatalf("opened as %s", info.Evidence.Kind)
			}
			got := custodyRules(dets)
			for _, r := range c.rules {
				if !strings.Contains(strings.Join(got, ","), r) {
					t.Errorf("no %s among %v", r, got)
				}
			}
			for _, k := range c.kinds {
				if info.Custody.Kinds[custody.Kind(k)] == 0 {
					t.Errorf("no %s event in the window: %v", k, info.Custody.Kinds)
				}
			}
			code, info, dets, page := custodyCheck(t, ev, elsewhere)
			if got := custodyRules(dets); len(got) != 0 || info.Custody.Events != 0 {
				t.Errorf("window elsewhere: %v, %d events", got, info.Custody.Events)
			}
			// With nothing in the window, the report says either that the
			// sources covering it show nothing, or, when none covers it,
			// that the evidence cannot tell: never the first when no
			// source covers the window.
			noSigns, cannotTell := strings.Contains(page, "nothing shows that someone"), strings.Contains(page, `<p class="warn">No source with dates covers the window`)
			if covers, _ := info.Custody.Covering(); len(covers) == 0 && (noSigns || !cannotTell) || len(covers) > 0 && !noSigns {
				t.Errorf("window elsewhere, %d covering sources: 'nothing shows' %v, 'cannot say' %v", len(covers), noSigns, cannotTell)
			}
			// A window no source covers is a question the evidence did not
			// answer: the check is incomplete, never clean.
			if covers, _ := info.Custody.Covering(); len(covers) == 0 {
				if !hasCause(info.Summary.NotChecked, coverage.Uncovered) || code == results.ExitClean {
					t.Errorf("uncovered window: exit %d, not checked %+v", code, info.Summary.NotChecked)
				}
			} else if hasCause(info.Summary.NotChecked, coverage.Uncovered) {
				t.Errorf("a covered window listed as not checked: %+v", info.Summary.NotChecked)
			}
			if _, not := info.Custody.Covering(); len(not) == 0 && len(info.Custody.Sources) > 0 {
				t.Errorf("a window with nothing in it is said to be covered by every source: %+v", info.Custody.Sources)
			}
		})
	}
}

// 'huella report --custody' applies a window to a check made without one:
// the findings, info.json and the verdict are computed again from the
// saved timeline, as a check with the window would have made them; a
// later 'huella report' keeps the window.
func TestReportAppliesCustodyWindow(t *testing.T) {
	tmp := t.TempDir()
	o := samplegen.Scaled(60, 19)
	o.Plant = true
	if _, err := samplegen.GenerateSysdiagnose(filepath.Join(tmp, "tree"), o); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	iocs := writeBundle(t)
	if code, stdout, stderr := run(t, "", "check", filepath.Join(tmp, "tree"), "--iocs", iocs, "--output", out, "--quiet"); code == results.ExitError {
		t.Fatalf("%d %s %s", code, stdout, stderr)
	}
	direct := filepath.Join(tmp, "direct")
	if code, stdout, stderr := run(t, "", "check", filepath.Join(tmp, "tree"), "--iocs", iocs, "--output", direct, "--quiet", "--custody", samplegen.SysdiagnoseCustody); code == results.ExitError {
		t.Fatalf("%d %s %s", code, stdout, stderr)
	}
	code, stdout, stderr := run(t, "", "report", out, "--custody", samplegen.SysdiagnoseCustody)
	if code != 0 || !strings.Contains(stdout, "Custody window") {
		t.Fatalf("report: %d %s %s", code, stdout, stderr)
	}
	gotInfo, got := readCustody(t, out)
	wantInfo, want := readCustody(t, direct)
	if strings.Join(got, ",") != strings.Join(want, ",") || len(got) == 0 {
		t.Errorf("report --custody findings %v, check --custody %v", got, want)
	}
	if gotInfo.Custody == nil || gotInfo.Custody.Events != wantInfo.Custody.Events || gotInfo.Summary.Level != wantInfo.Summary.Level {
		t.Errorf("custody %+v level %s, want %+v %s", gotInfo.Custody, gotInfo.Summary.Level, wantInfo.Custody, wantInfo.Summary.Level)
	}
	testutil.ValidateResults(t, out)
	code, stdout, stderr = run(t, "", "report", out, "--lang", "es")
	if code != 0 {
		t.Fatalf("report again: %s", stderr)
	}
	// The console follows --lang too: the custody line, the verdict and
	// where the report was written.
	for _, en := range []string{"Custody window", "Verdict", "Report written"} {
		if strings.Contains(stdout, en) {
			t.Errorf("report --lang es printed %q:\n%s", en, stdout)
		}
	}
	if !strings.Contains(stdout, "Ventana de custodia") || !strings.Contains(stdout, "Informe escrito en") {
		t.Errorf("report --lang es printed:\n%s", stdout)
	}
	page, err := os.ReadFile(filepath.Join(out, "report.es.html"))
	if err != nil || !strings.Contains(string(page), `id="custody"`) || !strings.Contains(string(page), `id="processes"`) {
		t.Errorf("the Spanish report has no custody section or process table (%v)", err)
	}
}

// 'huella check-iocs' keeps the custody window of the check it re-matches:
// the new results hold the same window, the same summary and the same
// custody findings, computed again over the rebuilt timeline.
func TestCheckIOCsKeepsCustodyWindow(t *testing.T) {
	tmp := t.TempDir()
	o := samplegen.Scaled(60, 19)
	o.Plant = true
	if _, err := samplegen.GenerateSysdiagnose(filepath.Join(tmp, "tree"), o); err != nil {
		t.Fatal(err)
	}
	iocs := writeBundle(t)
	out, re := filepath.Join(tmp, "out"), filepath.Join(tmp, "recheck")
	if code, stdout, stderr := run(t, "", "check", filepath.Join(tmp, "tree"), "--iocs", iocs, "--output", out, "--quiet",
		"--custody", samplegen.SysdiagnoseCustody); code == results.ExitError {
		t.Fatalf("%d %s %s", code, stdout, stderr)
	}
	code, stdout, stderr := run(t, "", "check-iocs", out, "--iocs", iocs, "--output", re)
	if code == results.ExitError {
		t.Fatalf("check-iocs: %d %s %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Custody window 2026-11-20 14:00 – 2026-11-20 18:00 (UTC-06:00)") {
		t.Errorf("check-iocs prints no custody line:\n%s", stdout)
	}
	origInfo, orig := readCustody(t, out)
	reInfo, got := readCustody(t, re)
	if len(orig) == 0 || strings.Join(got, ",") != strings.Join(orig, ",") {
		t.Errorf("check-iocs custody findings %v, check's %v", got, orig)
	}
	if reInfo.Custody == nil || !reInfo.Custody.Window.From.Equal(origInfo.Custody.Window.From) ||
		!reInfo.Custody.Window.To.Equal(origInfo.Custody.Window.To) || reInfo.Custody.Events != origInfo.Custody.Events ||
		reInfo.Custody.HandsOn() != origInfo.Custody.HandsOn() {
		t.Errorf("check-iocs custody %+v, check's %+v", reInfo.Custody, origInfo.Custody)
	}
	testutil.ValidateResults(t, re)
	if page, err := os.ReadFile(filepath.Join(re, "report.html")); err != nil || !strings.Contains(string(page), `id="custody"`) {
		t.Errorf("the re-check's report has no custody section (%v)", err)
	}
}

func hasCause(gaps []coverage.Gap, c coverage.Cause) bool {
	for _, g := range gaps {
		if g.Cause == c {
			return true
		}
	}
	return false
}

// The console's custody line is in the reader's language, like the verdict.
func TestCustodyConsoleLineInSpanish(t *testing.T) {
	tmp := t.TempDir()
	o := samplegen.Scaled(60, 19)
	o.Plant = true
	if _, err := samplegen.GenerateSysdiagnose(filepath.Join(tmp, "tree"), o); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "", "check", filepath.Join(tmp, "tree"), "--iocs", writeBundle(t), "--output", filepath.Join(tmp, "out"),
		"--no-report", "--lang", "es", "--custody", samplegen.SysdiagnoseCustody)
	if code == results.ExitError {
		t.Fatalf("%d %s", code, stderr)
	}
	if !strings.Contains(stdout, "Ventana de custodia 2026-11-20 14:00 – 2026-11-20 18:00 (UTC-06:00):") || strings.Contains(stdout, "Custody window") {
		t.Errorf("console:\n%s", stdout)
	}
}

// readCustody is a results folder's info.json and the rules of its custody
// findings.
func readCustody(t *testing.T, dir string) (results.Info, []string) {
	t.Helper()
	var info results.Info
	var dets results.Detections
	if err := results.ReadJSON(filepath.Join(dir, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	if err := results.ReadJSON(filepath.Join(dir, "detections.json"), &dets); err != nil {
		t.Fatal(err)
	}
	return info, custodyRules(dets.Detections)
}

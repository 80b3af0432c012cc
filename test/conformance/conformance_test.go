// Package conformance runs huella end to end, through the command line, on
// MVT's own test artifacts (../shared/fixtures), with MVT's test indicators
// rebuilt as STIX, and checks what MVT's tests assert. It is skipped when
// ../shared is absent and fails under CI=true.
package conformance

import (
	"bytes"
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/cli"
	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/testutil"
)

type run struct {
	code           int
	stdout, stderr string
	out            string
}

func huella(t *testing.T, args ...string) run {
	t.Helper()
	t.Setenv("HUELLA_DATA", t.TempDir()) // no feed cache from the machine
	t.Setenv("HUELLA_IOCS", "")
	t.Setenv("HUELLA_BACKUP_PASSWORD", "")
	var o, e bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &o, &e)
	return run{code: code, stdout: o.String(), stderr: e.String()}
}

func check(t *testing.T, evidence string, extra ...string) run {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	r := huella(t, append([]string{"check", evidence, "--output", out, "--quiet", "--no-report"}, extra...)...)
	r.out = out
	return r
}

func readInfo(t *testing.T, out string) results.Info {
	t.Helper()
	var info results.Info
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	return info
}

// incompleteForLackOfIndicators checks a run without indicators: everything
// was read, and the only thing the outcome lists as not checked is the
// indicators (exit 3, never a clean 0).
func incompleteForLackOfIndicators(t *testing.T, r run) {
	t.Helper()
	if r.code != results.ExitPartial {
		t.Fatalf("exit %d, want %d (no indicators: incomplete)\n%s\n%s", r.code, results.ExitPartial, r.stdout, r.stderr)
	}
	nc := readInfo(t, r.out).Summary.NotChecked
	if len(nc) != 1 || nc[0].Cause != coverage.NoIndicators {
		t.Errorf("not checked = %+v, want only the indicators", nc)
	}
}

func readDetections(t *testing.T, out string) []model.Detection {
	t.Helper()
	var d results.Detections
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &d); err != nil {
		t.Fatal(err)
	}
	return d.Detections
}

func modules(info results.Info) map[string]results.ModuleInfo {
	m := map[string]results.ModuleInfo{}
	for _, x := range info.Modules {
		m[x.Name] = x
	}
	return m
}

// matched lists "module observable-value" for every indicator detection.
func matched(ds []model.Detection) []string {
	var out []string
	for _, d := range ds {
		if d.Kind == model.ByIndicator {
			out = append(out, d.Module+" "+d.Observable.Value)
		}
	}
	sort.Strings(out)
	return out
}

func hasMatch(ds []model.Detection, module, value string) bool {
	for _, d := range ds {
		if d.Kind == model.ByIndicator && d.Module == module && d.Observable.Value == value {
			return true
		}
	}
	return false
}

func TestIOSBackupMVTAssertions(t *testing.T) {
	backup := testutil.Shared(t, "fixtures/mvt/ios_backup")
	ioc := testutil.WriteSTIX(t, t.TempDir(), "mvt-test.stix2", "TestMalware", testutil.MVTTestPatterns)
	r := check(t, backup, "--iocs", ioc)
	if r.code != results.ExitFound {
		t.Fatalf("exit %d, want 1 (the test indicators match)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	info := readInfo(t, r.out)
	mods := modules(info)
	records := map[string]int{
		"ios.manifest": 3721, "ios.sms": 1, "ios.tcc": 11, "ios.safari_browser_state": 1,
		"ios.calendar": 1, "ios.interactionc": 3, "ios.datausage": 42, "ios.webkit_resource_load_statistics": 2,
	}
	for name, n := range records {
		if got := mods[name]; got.Records != n {
			t.Errorf("%s: %d records (status %s %s), MVT's tests assert %d", name, got.Records, got.Status, got.Error, n)
		}
	}
	for _, m := range info.Modules {
		if m.Status == results.StatusFailed {
			t.Errorf("module %s failed: %s", m.Name, m.Error)
		}
	}
	ds := readDetections(t, r.out)
	for _, want := range []struct{ module, value string }{
		{"ios.sms", "https://badbadbad.example.org/"},
		{"ios.tcc", "Launch"},
		{"ios.whatsapp", "https://example.org/news"},
	} {
		if !hasMatch(ds, want.module, want.value) {
			t.Errorf("no indicator match for %s %q; matches: %v", want.module, want.value, matched(ds))
		}
	}
	lockdown := false
	for _, d := range ds {
		if d.Module == "ios.global_prefs" && strings.Contains(strings.ToLower(d.Reason), "lockdown") {
			lockdown = true
		}
	}
	if !lockdown {
		t.Error("Lockdown Mode enabled should be reported")
	}
	// The fixture's Info.plist: iOS 14.3, build 18C66. Each field is checked
	// on its own, so a build number lost while the version is read fails.
	if dev := info.Evidence.Device; dev.Build != "18C66" || dev.OSVersion != "14.3" {
		t.Errorf("device info: build %q, version %q; want 18C66, 14.3 (%+v)", dev.Build, dev.OSVersion, dev)
	}
	if len(info.Inputs) == 0 || info.Inputs[0].SHA256 == "" {
		t.Error("inputs must be hashed")
	}
}

// TestCheckIOCsEqualsCheck proves re-matching saved records gives the same
// detections as a fresh check with the same indicators, and finds a new
// detection after an indicator is added.
func TestCheckIOCsEqualsCheck(t *testing.T) {
	backup := testutil.Shared(t, "fixtures/mvt/ios_backup")
	dir := t.TempDir()
	ioc := testutil.WriteSTIX(t, dir, "mvt-test.stix2", "TestMalware", testutil.MVTTestPatterns)
	fresh := check(t, backup, "--iocs", ioc)
	// The original run had no indicators at all: only heuristics.
	bare := check(t, backup)
	incompleteForLackOfIndicators(t, bare)
	re := filepath.Join(t.TempDir(), "recheck")
	r := huella(t, "check-iocs", bare.out, "--iocs", ioc, "--output", re, "--quiet")
	if r.code != results.ExitFound {
		t.Fatalf("check-iocs exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	keys := func(ds []model.Detection) []string {
		var k []string
		for _, d := range ds {
			k = append(k, scan.DetectionKey(d))
		}
		sort.Strings(k)
		return k
	}
	a, b := keys(readDetections(t, fresh.out)), keys(readDetections(t, re))
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("check-iocs differs from check:\ncheck:      %v\ncheck-iocs: %v", a, b)
	}
	if !strings.Contains(r.stdout, "new finding") {
		t.Errorf("check-iocs should say what is new: %s", r.stdout)
	}
	// A newly published indicator is found in the saved records.
	more := testutil.WriteSTIX(t, dir, "new.stix2", "NewCampaign", []string{"[process:name='CumulativeUsageTracker']"})
	re2 := filepath.Join(t.TempDir(), "recheck2")
	huella(t, "check-iocs", fresh.out, "--iocs", ioc, "--iocs", more, "--output", re2, "--quiet")
	var rc struct{ New []model.Detection }
	if err := results.ReadJSON(filepath.Join(re2, "recheck.json"), &rc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range rc.New {
		if d.Indicator != nil && d.Indicator.Campaign == "NewCampaign" {
			found = true
		}
	}
	if !found {
		t.Errorf("the added indicator should give a new detection: %+v", rc.New)
	}
}

func TestEncryptedIOSBackup(t *testing.T) {
	backup := testutil.Shared(t, "fixtures/ios-encrypted-min")
	r := check(t, backup, "--password", "0000")
	incompleteForLackOfIndicators(t, r)
	info := readInfo(t, r.out)
	if m := modules(info)["ios.manifest"]; m.Records != 1 {
		t.Errorf("manifest: %+v", m)
	}
	// Argument by argument: the temporary folder's random name may hold "0000".
	for _, a := range info.Command {
		if a == "0000" || strings.HasSuffix(a, "=0000") {
			t.Errorf("the password is in info.json: %q", info.Command)
		}
	}
	bad := check(t, backup, "--password", "1234")
	if bad.code != results.ExitError {
		t.Errorf("wrong password: exit %d", bad.code)
	}
	if n := strings.Count(bad.stderr, "wrong"); n != 1 || strings.Contains(bad.stderr, "goroutine") {
		t.Errorf("wrong password must be one clear message, got:\n%s", bad.stderr)
	}
	none := check(t, backup)
	if none.code != results.ExitError || !strings.Contains(none.stderr, "password") {
		t.Errorf("missing password: exit %d\n%s", none.code, none.stderr)
	}
}

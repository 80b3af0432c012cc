package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/casestore"
	"github.com/huella-project/huella/internal/hunt"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/testutil"
)

// End-to-end tests of cases and hunts through the command line, on
// generated iPhone backups, against both stores.

// sampleBackup generates a small backup, with or without the planted
// traces, and the sample indicators, in the test's temporary folder.
func sampleBackup(t *testing.T, plant bool) (backup, iocs string) {
	t.Helper()
	dir := t.TempDir()
	backup, iocs = filepath.Join(dir, "backup"), filepath.Join(dir, "demospy.stix2")
	o := samplegen.Scaled(200, map[bool]int64{true: 7, false: 8}[plant])
	o.Plant = plant
	if _, err := samplegen.GenerateIOSBackup(backup, o); err != nil {
		t.Fatal(err)
	}
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	return backup, iocs
}

// checkTo runs a check without indicators (the cases' old checks, before the
// feed existed) into a new results folder.
func checkTo(t *testing.T, backup string, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "results")
	code, stdout, stderr := run(t, "", append([]string{"check", backup, "--output", out, "--quiet", "--no-report", "--no-feed-cache"}, extra...)...)
	if code == results.ExitError {
		t.Fatalf("check: exit %d\n%s\n%s", code, stdout, stderr)
	}
	return out
}

func forEachStoreDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "store", "cases.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, testutil.Postgres(t)) })
}

func mustRun(t *testing.T, want int, args ...string) string {
	t.Helper()
	code, stdout, stderr := run(t, "", args...)
	if code != want {
		t.Fatalf("huella %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, stdout, stderr)
	}
	return stdout
}

// TestCaseAndHuntEndToEnd is the helpline's month: two phones checked and
// stored before a campaign was published; the feed arrives; the hunt finds
// the one phone's planted traces and nothing in the other; hunting again
// finds nothing new; the case exports as a MISP event with sightings; case
// rm leaves no case behind.
func TestCaseAndHuntEndToEnd(t *testing.T) {
	planted, iocs := sampleBackup(t, true)
	clean, _ := sampleBackup(t, false)
	forEachStoreDSN(t, func(t *testing.T, dsn string) {
		// check --case stores after the check; case add stores a folder.
		checkTo(t, planted, "--case", "2026-0042", "--store", dsn)
		cleanOut := checkTo(t, clean)
		mustRun(t, 0, "case", "add", cleanOut, "--case", "2026-0043", "--store", dsn)
		out := mustRun(t, 0, "case", "list", "--store", dsn, "--json")
		var cs []struct {
			Name         string
			Runs         int
			Observations int64
		}
		if err := json.Unmarshal([]byte(out), &cs); err != nil || len(cs) != 2 || cs[0].Name != "2026-0042" || cs[0].Runs != 1 || cs[0].Observations < 100 {
			t.Fatalf("case list: %v %s", err, out)
		}
		show := mustRun(t, 0, "case", "show", "2026-0042", "--store", dsn)
		for _, want := range []string{"Synthetic iPhone", "sha256 ", "Results folder", "Not hunted yet"} {
			if !strings.Contains(show, want) {
				t.Errorf("case show lacks %q:\n%s", want, show)
			}
		}
		huntDir := filepath.Join(t.TempDir(), "hunt")
		out = mustRun(t, results.ExitFound, "hunt", "--iocs", iocs, "--no-feed-cache", "--store", dsn, "--output", huntDir)
		if !strings.Contains(out, "2026-0042") || !strings.Contains(out, "CRITICAL") {
			t.Errorf("hunt table:\n%s", out)
		}
		var sum huntSummary
		if err := results.ReadJSON(filepath.Join(huntDir, "hunt.json"), &sum); err != nil {
			t.Fatal(err)
		}
		per := map[string]huntCaseState{}
		for _, c := range sum.Cases {
			per[c.Case] = c
		}
		if per["2026-0043"].NewFindings != 0 || per["2026-0043"].Status != "hunted" || per["2026-0042"].NewFindings == 0 || sum.ExitStatus != 1 {
			t.Fatalf("hunt.json: %+v", sum)
		}
		var hf huntFile
		if err := results.ReadJSON(filepath.Join(huntDir, per["2026-0042"].File), &hf); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range hf.New {
			got = append(got, d.Module+" "+d.Observable.Value)
		}
		sort.Strings(got)
		want := []string{"ios.datausage " + samplegen.PlantedProcess, "ios.safari_history " + samplegen.PlantedURL,
			"ios.sms " + samplegen.PlantedURL, "ios.tcc " + samplegen.PlantedTCCClient}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("new in the planted case:\n got %v\nwant %v", got, want)
		}
		// Nothing is new the second time.
		out = mustRun(t, 0, "hunt", "--iocs", iocs, "--no-feed-cache", "--store", dsn, "--output", filepath.Join(t.TempDir(), "h2"))
		if !strings.Contains(out, "Nothing new") {
			t.Errorf("second hunt:\n%s", out)
		}
		misp := mustRun(t, 0, "case", "export", "2026-0042", "--format", "misp", "--store", dsn)
		if !strings.Contains(misp, `"Sighting"`) || !strings.Contains(misp, samplegen.PlantedDomain) || strings.Contains(misp, "Confirm your address") {
			t.Errorf("MISP export: %.600s", misp)
		}
		mustRun(t, 0, "case", "rm", "2026-0042", "--store", dsn)
		out = mustRun(t, 0, "case", "list", "--store", dsn, "--json")
		if strings.Contains(out, "2026-0042") || !strings.Contains(out, "2026-0043") {
			t.Errorf("after rm: %s", out)
		}
		mustRun(t, results.ExitError, "case", "show", "2026-0042", "--store", dsn)
	})
}

// strip leaves what a hunt of a case stored without its records can know
// of a finding: everything but the record's content.
func strip(ds []model.Detection) []string {
	var out []string
	for _, d := range ds {
		if d.Kind != model.ByIndicator {
			continue
		}
		b, _ := json.Marshal(struct {
			M, R, Reason string
			S            model.Severity
			T            string
			O            *model.Observable
			I            *model.IndicatorRef
			Src          string
		}{d.Module, d.Rule, d.Reason, d.Severity, fmt.Sprint(d.Time), d.Observable, d.Indicator, d.Record.Source})
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

func fullKeys(ds []model.Detection) []string {
	var out []string
	for _, d := range ds {
		if d.Kind == model.ByIndicator {
			out = append(out, scan.DetectionKey(d))
		}
	}
	sort.Strings(out)
	return out
}

// TestHuntEqualsCheckIOCs: a hunt finding is the finding a fresh check gives.
// The same old results folder is re-checked with check-iocs and hunted in a
// case; the indicator findings are equal field for field (the whole record
// too when the case keeps records).
func TestHuntEqualsCheckIOCs(t *testing.T) {
	planted, iocs := sampleBackup(t, true)
	old := checkTo(t, planted)
	re := filepath.Join(t.TempDir(), "recheck")
	mustRun(t, results.ExitFound, "check-iocs", old, "--iocs", iocs, "--no-feed-cache", "--output", re, "--quiet")
	var fresh results.Detections
	if err := results.ReadJSON(filepath.Join(re, "detections.json"), &fresh); err != nil {
		t.Fatal(err)
	}
	if len(fullKeys(fresh.Detections)) < 4 {
		t.Fatalf("check-iocs found %d indicator matches; the sample should give at least 4", len(fullKeys(fresh.Detections)))
	}
	forEachStoreDSN(t, func(t *testing.T, dsn string) {
		for _, keep := range []bool{false, true} {
			name := fmt.Sprintf("keep-%v", keep)
			args := []string{"case", "add", old, "--case", name, "--store", dsn}
			if keep {
				args = append(args, "--keep-records")
			}
			mustRun(t, 0, args...)
			dir := filepath.Join(t.TempDir(), "hunt")
			mustRun(t, results.ExitFound, "hunt", "--iocs", iocs, "--no-feed-cache", "--store", dsn, "--case", name, "--output", dir)
			var hf huntFile
			if err := results.ReadJSON(filepath.Join(dir, name+".json"), &hf); err != nil {
				t.Fatal(err)
			}
			a, b := strip(fresh.Detections), strip(hf.New)
			if strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Errorf("%s: hunt differs from check-iocs:\ncheck-iocs: %v\nhunt:       %v", name, a, b)
			}
			if keep {
				if a, b := fullKeys(fresh.Detections), fullKeys(hf.New); strings.Join(a, "\n") != strings.Join(b, "\n") {
					t.Errorf("with kept records the whole finding must be equal:\ncheck-iocs: %v\nhunt:       %v", a, b)
				}
			}
		}
	})
}

// TestHuntWithMISP: a MISP event given to --iocs is hunted like a STIX feed.
func TestHuntWithMISP(t *testing.T) {
	planted, _ := sampleBackup(t, true)
	dsn := filepath.Join(t.TempDir(), "cases.db")
	mustRun(t, 0, "case", "add", checkTo(t, planted), "--case", "c1", "--store", dsn)
	ev := filepath.Join(t.TempDir(), "event.json")
	body := fmt.Sprintf(`{"Event":{"uuid":"5f0e1c2a-0000-4000-8000-00000000000a","info":"MISP-shared campaign","Attribute":[
		{"uuid":"11111111-0000-4000-8000-000000000001","type":"domain","value":"demospy.example","to_ids":true},
		{"uuid":"11111111-0000-4000-8000-000000000002","type":"domain","value":"unrelated.example","to_ids":true}]}}`)
	if err := os.WriteFile(ev, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, results.ExitFound, "hunt", "--iocs", ev, "--no-feed-cache", "--store", dsn, "--output", filepath.Join(t.TempDir(), "h"))
	if !strings.Contains(out, "MISP-shared campaign") || !strings.Contains(out, samplegen.PlantedURL) {
		t.Errorf("hunt with a MISP event:\n%s", out)
	}
}

// TestHMACSharing: helpline A stores a case as HMACs; helpline B, holding
// the same key, learns which of its own cases saw the same values, and
// nothing else; a different key matches nothing.
func TestHMACSharing(t *testing.T) {
	planted, iocs := sampleBackup(t, true)
	clean, _ := sampleBackup(t, false)
	dir := t.TempDir()
	key, other := filepath.Join(dir, "key"), filepath.Join(dir, "other")
	os.WriteFile(key, []byte("a shared secret of the two helplines\n"), 0o600)
	os.WriteFile(other, []byte("some other helpline's secret key"), 0o600)
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	res := checkTo(t, planted)
	mustRun(t, 0, "case", "add", res, "--case", "a-1", "--store", a, "--hmac-key-file", key)
	mustRun(t, 0, "case", "add", res, "--case", "b-same-phone", "--store", b)
	mustRun(t, 0, "case", "add", checkTo(t, clean), "--case", "b-other-phone", "--store", b)
	raw, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), samplegen.PlantedDomain) {
		t.Error("the HMAC store holds a value in clear")
	}
	hashes := filepath.Join(dir, "a-1.csv")
	mustRun(t, 0, "case", "hashes", "a-1", "--hmac-key-file", key, "--store", a, "--output", hashes)
	out := mustRun(t, 0, "case", "overlap", hashes, "--hmac-key-file", key, "--store", b, "--json")
	var ov []struct {
		Case   string
		Shared int
		Values []string
	}
	if err := json.Unmarshal([]byte(out), &ov); err != nil {
		t.Fatal(err, out)
	}
	sharedWith := map[string]int{}
	for _, o := range ov {
		sharedWith[o.Case] = o.Shared
	}
	if sharedWith["b-same-phone"] < 100 || sharedWith["b-same-phone"] <= sharedWith["b-other-phone"] {
		t.Errorf("overlap: %v; the same phone must share (nearly) every value", sharedWith)
	}
	found := false
	for _, o := range ov {
		for _, v := range o.Values {
			found = found || (o.Case == "b-same-phone" && strings.Contains(v, samplegen.PlantedURL))
		}
	}
	if !found {
		t.Error("B should see which of its own values A also saw")
	}
	mustRun(t, results.ExitError, "case", "overlap", hashes, "--hmac-key-file", other, "--store", b)
	// A hunts its HMAC case with the key: the planted domain is found
	// through its parent-domain key; without the key the case is reported.
	mustRun(t, results.ExitPartial, "hunt", "--iocs", iocs, "--no-feed-cache", "--store", a, "--output", filepath.Join(dir, "h0"))
	out = mustRun(t, results.ExitFound, "hunt", "--iocs", iocs, "--no-feed-cache", "--store", a, "--all", "--hmac-key-file", key, "--output", filepath.Join(dir, "h1"))
	if !strings.Contains(out, samplegen.PlantedDomain) {
		t.Errorf("HMAC hunt:\n%s", out)
	}
}

// FuzzReadHashes: a hashes file comes from another helpline. Whatever it
// holds, reading it either fails or yields only HMACs made with the key.
func FuzzReadHashes(f *testing.F) {
	key, err := casestore.NewHMACKey([]byte("fuzzing key 0123456789"))
	if err != nil {
		f.Fatal(err)
	}
	good := key.ValueHMAC(model.KindDomain, "evil.example")
	f.Add([]byte(hashesHeader + "\ndomain," + good + "\n"))
	f.Add([]byte("url,hmac:0000:ff\n\"a\nb\",c\n"))
	f.Add([]byte("kind,hmac\n,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "h.csv")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := readHashes(p, key)
		if err != nil {
			return
		}
		for k := range m {
			kind, h, ok := strings.Cut(k, ",")
			if !ok || !strings.HasPrefix(h, "hmac:"+key.ID+":") || kind == "" && h == "" {
				t.Fatalf("entry %q", k)
			}
		}
	})
}

// TestCheckCaseStoreFailure: when the store cannot be written, the check's
// verdict still decides the exit status; a clean check becomes an error,
// since what was asked (store it) was not done.
func TestCheckCaseStoreFailure(t *testing.T) {
	planted, iocs := sampleBackup(t, true)
	clean, _ := sampleBackup(t, false)
	withIOCs := []string{"--iocs", iocs}             // a check with indicators and nothing found is clean (exit 0)
	bad := filepath.Join(t.TempDir(), "no?store.db") // refused: '?' in a SQLite file name
	for _, tt := range []struct {
		backup, store string
		extra         []string
		want          int
	}{
		{planted, bad, withIOCs, results.ExitFound},
		{clean, bad, withIOCs, results.ExitError},
		// Nothing is written inside the evidence, not even a store.
		{clean, filepath.Join(clean, "cases.db"), withIOCs, results.ExitError},
	} {
		out := filepath.Join(t.TempDir(), "r")
		args := append([]string{"check", tt.backup, "--output", out, "--quiet", "--no-report", "--no-feed-cache", "--case", "x", "--store", tt.store}, tt.extra...)
		code, _, stderr := run(t, "", args...)
		if code != tt.want || !strings.Contains(stderr, "not stored in the case") {
			t.Errorf("%s: exit %d, want %d; stderr: %s", filepath.Base(tt.backup), code, tt.want, stderr)
		}
		if _, err := os.Stat(filepath.Join(out, "detections.json")); err != nil {
			t.Errorf("the results must be written even when storing fails: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(clean, "cases.db")); err == nil {
		t.Error("a case store was created inside the evidence")
	}
}

// TestPrintHuntManyCases: with hundreds of cases the table shows the ones
// with something new or that could not be hunted, and counts the rest.
func TestPrintHuntManyCases(t *testing.T) {
	res := &hunt.Result{Hunt: 7, Indicators: 6000, NewIndicators: 1000}
	for i := 0; i < 40; i++ {
		c := hunt.CaseResult{Case: casestore.Case{Name: fmt.Sprintf("case-%02d", i)}, Checked: 1000, Status: hunt.StatusHunted}
		switch i {
		case 3:
			c.New, c.Highest = []model.Detection{{Module: "ios.sms", Severity: model.High, Reason: "new trace"}}, model.High
		case 5:
			c.Status, c.Checked = hunt.StatusNoKey, 0
		}
		res.Cases = append(res.Cases, c)
	}
	var out strings.Builder
	a := &app{stdout: &out}
	a.printHunt(res, huntSummary{Store: "cases.db"}, "h")
	s := out.String()
	for _, want := range []string{"case-03", "case-05", "needs key", "38 more case(s) with nothing new", "40 case(s): 39 hunted, 1 needs key", "new trace"} {
		if !strings.Contains(s, want) {
			t.Errorf("hunt output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "case-07") {
		t.Errorf("a case with nothing new is listed among 40:\n%s", s)
	}
}

package conformance

import (
	"archive/zip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/testutil"
)

func moduleRecords(t *testing.T, out, module string) []model.Record {
	t.Helper()
	var recs []model.Record
	if _, err := results.ReadModuleRecords(filepath.Join(out, module+".json"), func(r model.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", module, err)
	}
	return recs
}

func links(recs []model.Record) []string {
	var out []string
	for _, r := range recs {
		for _, o := range r.Observables {
			if o.Kind == model.KindURL {
				out = append(out, o.Value)
			}
		}
	}
	return out
}

func TestAndroidBackups(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/android_backup")
	cases := []struct {
		file, password string
		messages       int
		link           string
	}{
		{"backup.ab", "", 2, "http://google.com"},
		{"backup2.ab", "123456", 1, "https://google.com/"},
		{"backup3.ab", "", 1, "https://google.com/"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			args := []string{}
			if c.password != "" {
				args = append(args, "--password", c.password)
			}
			r := check(t, filepath.Join(dir, c.file), args...)
			incompleteForLackOfIndicators(t, r)
			info := readInfo(t, r.out)
			if info.Evidence.Kind != "android-backup" {
				t.Errorf("kind %s", info.Evidence.Kind)
			}
			recs := moduleRecords(t, r.out, "android.sms_backup")
			if len(recs) != c.messages {
				t.Fatalf("%d messages, want %d", len(recs), c.messages)
			}
			// MVT reads a .ab in tar order: the first message is the one
			// whose link is asserted, not merely one of them.
			if l := links(recs[:1]); len(l) != 1 || l[0] != c.link {
				t.Errorf("first message's links %v, want [%s] (all: %v)", l, c.link, links(recs))
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		r := check(t, filepath.Join(dir, "backup2.ab"), "--password", "nope")
		if r.code != results.ExitError || strings.Count(strings.ToLower(r.stderr), "wrong") != 1 {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

var androidPatterns = append(append([]string{}, testutil.MVTTestPatterns...),
	"[app:id='com.malware.blah']",
	"[file:hashes.sha256='31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa']",
	"[app:cert.sha256='c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730']",
	"[android-property:name='dalvik.vm.heapmaxfree']",
)

func TestAndroidQF(t *testing.T) {
	folder := testutil.Shared(t, "fixtures/mvt/androidqf")
	// MVT's androidqf.zip holds only getprop.txt, so the same files as the
	// folder are zipped here to prove a zip and a folder give identical results.
	zip := zipFolder(t, folder)
	ioc := testutil.WriteSTIX(t, t.TempDir(), "mvt-android.stix2", "TestMalware", androidPatterns)
	a := check(t, folder, "--iocs", ioc)
	b := check(t, zip, "--iocs", ioc)
	if a.code != results.ExitFound || b.code != results.ExitFound {
		t.Fatalf("exit %d / %d\n%s\n%s", a.code, b.code, a.stderr, b.stderr)
	}
	info := readInfo(t, a.out)
	mods := modules(info)
	for name, n := range map[string]int{"android.aqf_packages": 7, "android.aqf_processes": 15, "android.root_binaries": 4, "android.aqf_getprop": 10, "android.aqf_files": 3} {
		if mods[name].Records != n {
			t.Errorf("%s: %d records (%s %s), want %d", name, mods[name].Records, mods[name].Status, mods[name].Error, n)
		}
	}
	ds := readDetections(t, a.out)
	want := map[string]bool{"com.malware.blah": false, "31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa": false,
		"c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730": false, "dalvik.vm.heapmaxfree": false}
	for _, d := range ds {
		if d.Kind == model.ByIndicator {
			if _, ok := want[strings.ToLower(d.Observable.Value)]; ok {
				want[strings.ToLower(d.Observable.Value)] = true
			}
		}
	}
	for v, ok := range want {
		if !ok {
			t.Errorf("no indicator match for %s; matches: %v", v, matched(ds))
		}
	}
	// A zip and the same files in a folder give identical results.
	keys := func(out string) []string {
		var k []string
		for _, d := range readDetections(t, out) {
			k = append(k, scan.DetectionKey(d))
		}
		sort.Strings(k)
		return k
	}
	if ka, kb := keys(a.out), keys(b.out); strings.Join(ka, "\n") != strings.Join(kb, "\n") {
		t.Errorf("folder and zip differ:\nfolder: %v\nzip:    %v", ka, kb)
	}
	for _, m := range readInfo(t, b.out).Modules {
		if mods[m.Name].Records != m.Records {
			t.Errorf("%s: folder %d records, zip %d", m.Name, mods[m.Name].Records, m.Records)
		}
	}
}

func zipFolder(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "acquisition.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(q string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, q)
		w, err := zw.Create("2b9c0a1e-acq/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(q)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func TestMVTAndroidQFZip(t *testing.T) {
	r := check(t, testutil.Shared(t, "fixtures/mvt/androidqf.zip"))
	if r.code == results.ExitError {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if m := modules(readInfo(t, r.out))["android.aqf_getprop"]; m.Records != 10 {
		t.Errorf("getprop from the zip: %+v", m)
	}
}

func TestBugreport(t *testing.T) {
	br := testutil.Shared(t, "fixtures/mvt/android_data/bugreport")
	r := check(t, br)
	if r.code == results.ExitError {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	info := readInfo(t, r.out)
	if info.Evidence.Kind != "android-bugreport" {
		t.Fatalf("kind %s", info.Evidence.Kind)
	}
	mods := modules(info)
	for name, n := range map[string]int{"android.appops": 12, "android.dumpsys_packages": 2, "android.tombstones": 2} {
		if mods[name].Records != n {
			t.Errorf("%s: %d records (%s %s), want %d", name, mods[name].Records, mods[name].Status, mods[name].Error, n)
		}
	}
	found := false
	for _, d := range readDetections(t, r.out) {
		if d.Module == "android.appops" && strings.Contains(d.Reason, "REQUEST_INSTALL_PACKAGES") {
			found = true
		}
	}
	if !found {
		t.Error("the REQUEST_INSTALL_PACKAGES heuristic should fire on the bugreport")
	}
}

// TestAndroidQFNestedBugreport: MVT runs its bugreport modules on the
// bugreport.zip androidqf saves; huella mounts it and gives the results
// check-bugreport gives on the same files.
func TestAndroidQFNestedBugreport(t *testing.T) {
	br := testutil.Shared(t, "fixtures/mvt/android_data/bugreport")
	getprop, err := os.ReadFile(filepath.Join(testutil.Shared(t, "fixtures/mvt/androidqf"), "getprop.txt"))
	if err != nil {
		t.Fatal(err)
	}
	acq := filepath.Join(t.TempDir(), "acq")
	if err := os.Mkdir(acq, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(acq, "getprop.txt"), getprop, 0o600)
	if err := os.Rename(zipFolder(t, br), filepath.Join(acq, "bugreport.zip")); err != nil {
		t.Fatal(err)
	}
	r := check(t, acq)
	if r.code == results.ExitError {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	info := readInfo(t, r.out)
	if info.Evidence.Kind != "androidqf" {
		t.Fatalf("kind %s", info.Evidence.Kind)
	}
	mods := modules(info)
	for name, n := range map[string]int{"android.appops": 12, "android.dumpsys_packages": 2, "android.tombstones": 2, "android.aqf_getprop": 10} {
		if mods[name].Records != n {
			t.Errorf("%s: %d records (%s %s), want %d", name, mods[name].Records, mods[name].Status, mods[name].Error, n)
		}
	}
	found := false
	for _, d := range readDetections(t, r.out) {
		if d.Module == "android.appops" && strings.Contains(d.Reason, "REQUEST_INSTALL_PACKAGES") {
			found = true
		}
	}
	if !found {
		t.Error("the REQUEST_INSTALL_PACKAGES heuristic should fire on the nested bugreport")
	}
}

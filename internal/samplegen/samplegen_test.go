package samplegen_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/cli"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

func small(seed int64) samplegen.Options {
	o := samplegen.Scaled(300, seed)
	return o
}

// check runs the real command line on the evidence and returns its exit
// status and detections.
func check(t *testing.T, evidence, iocs string, extra ...string) (int, []model.Detection) {
	t.Helper()
	t.Setenv("HUELLA_IOCS", "")
	t.Setenv("HUELLA_DATA", t.TempDir())
	out := filepath.Join(t.TempDir(), "out")
	args := append([]string{"check", evidence, "--iocs", iocs, "--output", out, "--no-report", "--quiet", "--no-feed-cache"}, extra...)
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	var dets results.Detections
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &dets); err != nil {
		t.Fatalf("exit %d, %v\n%s", code, err, stderr.String())
	}
	return code, dets.Detections
}

func TestPlantedTracesAreFound(t *testing.T) {
	tests := []struct {
		name    string
		android bool
		encrypt bool
	}{
		{"ios backup", false, false},
		{"encrypted ios backup", false, true},
		{"androidqf", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			o := small(7)
			o.Plant, o.Encrypt = true, tt.encrypt
			gen := samplegen.GenerateIOSBackup
			if tt.android {
				gen = samplegen.GenerateAndroidQF
			}
			exp, err := gen(filepath.Join(dir, "evidence"), o)
			if err != nil {
				t.Fatal(err)
			}
			if len(exp.Detections) == 0 {
				t.Fatal("a planted corpus must expect detections")
			}
			iocs := filepath.Join(dir, "iocs.stix2")
			if err := samplegen.WriteSampleIndicators(iocs); err != nil {
				t.Fatal(err)
			}
			var extra []string
			if tt.encrypt {
				extra = []string{"--password", exp.Password}
			}
			code, dets := check(t, filepath.Join(dir, "evidence"), iocs, extra...)
			if code != results.ExitFound {
				t.Errorf("exit %d, want %d", code, results.ExitFound)
			}
			if miss := exp.Missing(dets); len(miss) > 0 {
				t.Errorf("missing %+v among %d detections", miss, len(dets))
			}
		})
	}
}

// Filler alone must look like a clean phone: no finding at all, so every
// detection in a planted corpus comes from the plant.
func TestFillerIsClean(t *testing.T) {
	for _, android := range []bool{false, true} {
		dir := t.TempDir()
		gen := samplegen.GenerateIOSBackup
		if android {
			gen = samplegen.GenerateAndroidQF
		}
		if _, err := gen(filepath.Join(dir, "evidence"), small(3)); err != nil {
			t.Fatal(err)
		}
		iocs := filepath.Join(dir, "iocs.stix2")
		if err := samplegen.WriteSampleIndicators(iocs); err != nil {
			t.Fatal(err)
		}
		code, dets := check(t, filepath.Join(dir, "evidence"), iocs)
		if code != results.ExitClean || len(dets) != 0 {
			for _, d := range dets {
				t.Logf("%s %s: %s", d.Module, d.Rule, d.Reason)
			}
			t.Errorf("android=%v: exit %d with %d detections, want a clean result", android, code, len(dets))
		}
	}
}

func TestSameSeedSameBytes(t *testing.T) {
	gen := func(seed int64) map[string][]byte {
		dir := t.TempDir()
		if _, err := samplegen.GenerateIOSBackup(dir, small(seed)); err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, rel := range []string{"Manifest.db", "Info.plist"} {
			b, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			out[rel] = b
		}
		id := samplegen.FileID("HomeDomain", "Library/SMS/sms.db")
		b, err := os.ReadFile(filepath.Join(dir, id[:2], id))
		if err != nil {
			t.Fatal(err)
		}
		out["sms.db"] = b
		return out
	}
	a, b, c := gen(11), gen(11), gen(12)
	for k := range a {
		if !bytes.Equal(a[k], b[k]) {
			t.Errorf("%s differs between two runs with the same seed", k)
		}
	}
	if bytes.Equal(a["sms.db"], c["sms.db"]) {
		t.Error("sms.db is the same for different seeds")
	}
}

func TestRecordCountsFollowOptions(t *testing.T) {
	o := samplegen.Options{Seed: 1, Messages: 120, Visits: 80, Processes: 9, TCC: 4, Files: 30, Plant: true}
	exp, err := samplegen.GenerateIOSBackup(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"sms": 121, "safari_history": 81, "datausage": 10, "tcc": 5, "whatsapp": 12, "manifest": 36}
	for k, v := range want {
		if exp.Records[k] != v {
			t.Errorf("%s: %d records, want %d", k, exp.Records[k], v)
		}
	}
}

func TestRefusesNonEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := samplegen.GenerateIOSBackup(dir, small(1)); err == nil {
		t.Error("generated into a folder that already holds files")
	}
	if _, err := os.Stat(filepath.Join(dir, "keep")); err != nil {
		t.Error("an existing file was touched")
	}
}

// A dump built from a real image's file list (CSV of UFED paths, as in
// ../shared/realdata/ffs-paths) whose list names the planted databases
// keeps the planted files, not the list's empty ones: the check still
// finds every planted trace.
func TestDumpFromPathListKeepsThePlant(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "paths.csv")
	// Many paths in no order, as a real list has, the planted ones among
	// them: an unstable sort then keeps either copy.
	csv := "path,modified\n"
	for i := range 4000 {
		switch i {
		case 1000:
			csv += "filesystem2/mobile/Library/Safari/History.db,1680000000\n"
		case 2000:
			csv += "filesystem2/mobile/Library/SMS/sms.db,1680000000\n"
		case 3000:
			csv += "filesystem1/System/Library/CoreServices/SystemVersion.plist,1680000000\n"
		}
		csv += fmt.Sprintf("filesystem2/mobile/Library/%c/%04d,1680000000\n", 'A'+rune(i*7919%23), i*7919%4000)
	}
	if err := os.WriteFile(list, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	o := samplegen.DumpOptions{Options: small(3), Layout: samplegen.DumpFolder, PathsFrom: list}
	o.Plant = true
	ev := filepath.Join(dir, "evidence")
	exp, err := samplegen.GenerateIOSDump(ev, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"private/var/mobile/Library/Safari/History.db", "private/var/mobile/Library/SMS/sms.db", "System/Library/CoreServices/SystemVersion.plist"} {
		if fi, err := os.Stat(filepath.Join(ev, filepath.FromSlash(p))); err != nil || fi.Size() == 0 {
			t.Errorf("%s: the list's empty file replaced the planted one (%v)", p, err)
		}
	}
	iocs := filepath.Join(dir, "iocs.stix2")
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	code, dets := check(t, ev, iocs)
	if code != results.ExitFound {
		t.Fatalf("exit %d", code)
	}
	if miss := exp.Missing(dets); len(miss) > 0 {
		t.Errorf("planted traces not found: %+v", miss)
	}
}

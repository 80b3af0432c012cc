package samplegen_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/cli"
	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/testutil"
)

// checkDir runs the real command line on evidence and returns the results
// folder's info and detections.
func checkDir(t *testing.T, evidence, iocs string, extra ...string) (int, results.Info, []model.Detection, string, string) {
	t.Helper()
	t.Setenv("HUELLA_IOCS", "")
	t.Setenv("HUELLA_DATA", t.TempDir())
	out := filepath.Join(t.TempDir(), "out")
	args := append([]string{"check", evidence, "--iocs", iocs, "--output", out, "--no-report", "--quiet", "--no-feed-cache"}, extra...)
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	var info results.Info
	var dets results.Detections
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatalf("exit %d, %v\n%s", code, err, stderr.String())
	}
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &dets); err != nil {
		t.Fatal(err)
	}
	testutil.ValidateResults(t, out)
	return code, info, dets.Detections, stdout.String(), out
}

// sysdiagnoseSample generates the sample (planted or its clean twin) and
// packs it as the .tar.gz a phone hands over.
func sysdiagnoseSample(t *testing.T, plant bool) (archive, iocs string, exp *samplegen.Expected) {
	t.Helper()
	dir := t.TempDir()
	o := samplegen.Scaled(100, 19)
	o.Plant = plant
	exp, err := samplegen.GenerateSysdiagnose(filepath.Join(dir, "tree"), o)
	if err != nil {
		t.Fatal(err)
	}
	archive = filepath.Join(dir, samplegen.SysdiagnoseName+".tar.gz")
	if err := samplegen.WriteTarGz(filepath.Join(dir, "tree"), archive); err != nil {
		t.Fatal(err)
	}
	iocs = filepath.Join(dir, "iocs.stix2")
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	return archive, iocs, exp
}

// Every artifact of the generated sysdiagnose is read by its module; the
// planted one gives every expected finding, its clean twin none at all.
func TestSysdiagnoseArtifactsPlantedAndClean(t *testing.T) {
	for _, plant := range []bool{true, false} {
		name := map[bool]string{true: "planted", false: "clean twin"}[plant]
		t.Run(name, func(t *testing.T) {
			archive, iocs, exp := sysdiagnoseSample(t, plant)
			code, info, dets, _, out := checkDir(t, archive, iocs)
			// The capture time comes from the archive's name, with its offset.
			taken := time.Date(2026, 11, 21, 0, 30, 0, 0, time.UTC)
			if info.Evidence.Kind != "ios-sysdiagnose" || info.Evidence.Device.TimeZone != samplegen.SysdiagnoseTimeZone ||
				info.Evidence.Device.Acquired == nil || !info.Evidence.Device.Acquired.Equal(taken) {
				t.Fatalf("evidence %+v", info.Evidence)
			}
			status := map[string]results.ModuleInfo{}
			for _, m := range info.Modules {
				status[m.Name] = m
			}
			for _, mod := range samplegen.SysdiagnoseModules() {
				if m := status[mod]; m.Status != results.StatusParsed || m.Records == 0 || len(m.Warnings) > 0 {
					t.Errorf("%s: %+v", mod, m)
				}
				if exp.Records[mod] == 0 {
					t.Errorf("%s: no file written for it", mod)
				}
			}
			window, err := custody.Parse(samplegen.SysdiagnoseCustody)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range samplegen.SysdiagnosePlantedRecords() {
				n := 0
				_, err := results.ReadModuleRecords(results.ModulePath(out, want.Module), func(r model.Record) error {
					if !strings.Contains(r.Summary, want.Summary) {
						return nil
					}
					in := !want.InWindow
					for _, s := range r.Times {
						in = in || window.Contains(s.Time)
					}
					if in {
						n++
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if plant && n == 0 || !plant && n > 0 {
					t.Errorf("%s: %d record(s) %q (%s)", want.Module, n, want.Summary, want.Why)
				}
			}
			if plant {
				if code != results.ExitFound {
					t.Errorf("exit %d", code)
				}
				if miss := exp.Missing(dets); len(miss) > 0 {
					t.Errorf("missing %+v among %d detections", miss, len(dets))
				}
				return
			}
			if code != results.ExitClean || len(dets) != 0 {
				for _, d := range dets {
					t.Logf("%s %s: %s", d.Module, d.Rule, d.Reason)
				}
				t.Errorf("clean twin: exit %d with %d detections", code, len(dets))
			}
		})
	}
}

// The custody window on a sysdiagnose: what happened in the window is
// summarised in info.json and the hands-on signs are findings; the clean
// twin's window holds nothing of the kind.
func TestSysdiagnoseCustodyWindow(t *testing.T) {
	for _, plant := range []bool{true, false} {
		name := map[bool]string{true: "planted", false: "clean twin"}[plant]
		t.Run(name, func(t *testing.T) {
			archive, iocs, _ := sysdiagnoseSample(t, plant)
			code, info, dets, stdout, _ := checkDir(t, archive, iocs, "--custody", samplegen.SysdiagnoseCustody)
			c := info.Custody
			if c == nil || c.Window.From.IsZero() {
				t.Fatalf("no custody summary in info.json")
			}
			if !strings.Contains(stdout, "Custody window 2026-11-20 14:00 – 2026-11-20 18:00 (UTC-06:00)") {
				t.Errorf("console:\n%s", stdout)
			}
			var custodyFindings []model.Detection
			for _, d := range dets {
				if strings.HasPrefix(d.Rule, "correlation.custody.") {
					custodyFindings = append(custodyFindings, d)
				}
			}
			covers, _ := c.Covering()
			if len(covers) == 0 {
				t.Errorf("no source covers the window: %+v", c.Sources)
			}
			if !plant {
				if code != results.ExitClean || len(dets) != 0 || c.HandsOn() != 0 {
					t.Errorf("clean twin: exit %d, %d detections, %d hands-on events", code, len(dets), c.HandsOn())
				}
				return
			}
			want := &samplegen.Expected{Detections: samplegen.SysdiagnoseCustodyDetections()}
			if miss := want.Missing(custodyFindings); len(miss) > 0 {
				t.Errorf("missing %+v among %v", miss, custodyFindings)
			}
			for _, k := range []custody.Kind{custody.Pairing, custody.Computer, custody.Certificate, custody.AppInstall, custody.Crash, custody.Reboot} {
				if c.Kinds[k] == 0 {
					t.Errorf("no %s event in the window: %v", k, c.Kinds)
				}
			}
			if len(c.Bursts) != 1 || c.Bursts[0].Crashes != 3 {
				t.Errorf("crash bursts %+v", c.Bursts)
			}
			// ps.txt's "3:10PM", placed with the capture time and zone: the
			// implant started in the window.
			started := false
			for _, d := range dets {
				if d.Module == "ios.processes" && d.Time != nil && d.Time.Equal(time.Date(2026, 11, 20, 21, 10, 0, 0, time.UTC)) {
					started = true
				}
			}
			if !started {
				t.Error("the implant's start in ps.txt is not placed at 15:10 local time")
			}
		})
	}
}

// The report's "Processes seen" table joins every place the archive names
// a process: the planted implant is one flagged row naming all of them,
// with both folders it ran from and the times they saw it; the clean
// twin's table lists its daemons and flags none.
func TestSysdiagnoseProcessesSeen(t *testing.T) {
	for _, plant := range []bool{true, false} {
		name := map[bool]string{true: "planted", false: "clean twin"}[plant]
		t.Run(name, func(t *testing.T) {
			archive, iocs, _ := sysdiagnoseSample(t, plant)
			_, _, _, _, out := checkDir(t, archive, iocs)
			d, err := report.BuildData(out, report.Options{Lang: "en"})
			if err != nil {
				t.Fatal(err)
			}
			v := d.Processes
			if v == nil || v.Total < 20 || len(v.Rows) != v.Total || v.Truncated {
				t.Fatalf("processes view %+v", v)
			}
			var row *report.ProcessRow
			for i := range v.Rows {
				if v.Rows[i].Name == samplegen.PlantedProcess {
					row = &v.Rows[i]
				}
			}
			if !plant {
				if row != nil || v.Flagged != 0 {
					t.Errorf("clean twin: %d flagged rows, implant row %+v", v.Flagged, row)
				}
				return
			}
			if row == nil || !row.Flagged || v.Rows[0].Name != samplegen.PlantedProcess {
				t.Fatalf("the implant is not the first, flagged row: %+v", v.Rows[0])
			}
			// ps.txt, spindump, task list, shutdown.log, log statistics,
			// uuidtext, UUIDToBinaryLocations, unified log, crash reports.
			if len(row.Sources) != 9 {
				t.Errorf("the implant's row names %d sources, want 9: %v", len(row.Sources), row.Sources)
			}
			for _, p := range []string{samplegen.PlantedTmpPath, samplegen.PlantedStagingPath} {
				if !slices.Contains(row.Paths, p) {
					t.Errorf("path %s missing from %v", p, row.Paths)
				}
			}
			if row.First == "" || row.Last == "" || row.First == row.Last {
				t.Errorf("first %q last %q", row.First, row.Last)
			}
		})
	}
}

// A text log of the archive whose reading stops at a limit (a line longer
// than any real one) is a part not checked: the check is incomplete (exit
// 3) and names the file, never clean, even though what came before the
// line was read.
func TestSysdiagnoseLogStoppedEarlyIsNotChecked(t *testing.T) {
	for _, c := range []struct{ module, rel string }{
		{"ios.unified_log", "system_logs.ndjson"},
		{"ios.lockdown_log", "logs/MobileLockdown/lockdownd.log"},
		{"ios.mobile_installation", "logs/MobileInstallation/mobile_installation.log.0"},
		{"ios.logdata_statistics", "system_logs.logarchive/Extra/logdata.statistics.0.txt"},
	} {
		t.Run(c.module, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := samplegen.GenerateSysdiagnose(filepath.Join(dir, "tree"), samplegen.Scaled(100, 19)); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "tree", samplegen.SysdiagnoseName, filepath.FromSlash(c.rel))
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.WriteString(strings.Repeat("x", 5<<20) + "\n")
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			iocs := filepath.Join(dir, "iocs.stix2")
			if err := samplegen.WriteSampleIndicators(iocs); err != nil {
				t.Fatal(err)
			}
			code, info, _, _, _ := checkDir(t, filepath.Join(dir, "tree"), iocs)
			if code != results.ExitPartial {
				t.Errorf("exit %d, want %d", code, results.ExitPartial)
			}
			found := false
			for _, g := range info.Summary.NotChecked {
				found = found || strings.Contains(g.Part, c.rel) && g.Cause == coverage.OverLimit
			}
			if !found {
				t.Errorf("%s not listed as not checked: %+v", c.rel, info.Summary.NotChecked)
			}
		})
	}
}

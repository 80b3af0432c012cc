package samplegen_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/cli"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/testutil"
)

// phoneKinds: each phone export and the evidence kind a check must
// recognise it as, without --type.
var phoneKinds = map[string]string{
	samplegen.SampleAppPrivacyReport: "ios-app-privacy-report",
	samplegen.SampleSafariExport:     "ios-safari-export",
	samplegen.SampleCrashReports:     "ios-crash-reports",
	samplegen.SampleAndroidBugreport: "android-bugreport",
	samplegen.SampleIntrusionLogs:    "android-intrusion-logs",
}

// checkInfo runs the real check and returns exit status, detections and
// info.json (validated against the schemas).
func checkInfo(t *testing.T, evidence, iocs string) (int, []model.Detection, results.Info) {
	t.Helper()
	t.Setenv("HUELLA_IOCS", "")
	t.Setenv("HUELLA_DATA", t.TempDir())
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"check", evidence, "--iocs", iocs, "--output", out, "--no-report", "--quiet", "--no-feed-cache"},
		strings.NewReader(""), &stdout, &stderr)
	var dets results.Detections
	var info results.Info
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &dets); err != nil {
		t.Fatalf("exit %d, %v\n%s", code, err, stderr.String())
	}
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	testutil.ValidateResults(t, out)
	return code, dets.Detections, info
}

// Every phone export with planted traces is recognised by content, read,
// and its traces found; its clean twin gives no high or critical finding.
func TestPhoneExportsPlantedAndClean(t *testing.T) {
	for _, kind := range samplegen.PhoneSamples {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			iocs := filepath.Join(dir, "iocs.stix2")
			if err := samplegen.WriteSampleIndicators(iocs); err != nil {
				t.Fatal(err)
			}
			for _, plant := range []bool{true, false} {
				o := small(4)
				o.Plant = plant
				exp, err := samplegen.GeneratePhoneExport(kind, filepath.Join(dir, kind+map[bool]string{true: "-planted", false: "-clean"}[plant]), o)
				if err != nil {
					t.Fatal(err)
				}
				code, dets, info := checkInfo(t, exp.Evidence, iocs)
				if string(info.Evidence.Kind) != phoneKinds[kind] {
					t.Fatalf("plant=%v: recognised as %q, want %q", plant, info.Evidence.Kind, phoneKinds[kind])
				}
				read := 0
				for _, m := range info.Modules {
					if m.Status == results.StatusParsed {
						read += m.Records
					}
				}
				if read == 0 {
					t.Errorf("plant=%v: no module read a record: %+v", plant, info.Modules)
				}
				if plant {
					if code != results.ExitFound {
						t.Errorf("planted: exit %d, want %d", code, results.ExitFound)
					}
					if len(exp.Detections) == 0 {
						t.Fatal("a planted sample must expect detections")
					}
					if miss := exp.Missing(dets); len(miss) > 0 {
						t.Errorf("planted: missing %+v among %v", miss, rulesOf(dets))
					}
					continue
				}
				if code == results.ExitFound || code == results.ExitError {
					t.Errorf("clean twin: exit %d", code)
				}
				for _, d := range dets {
					if d.Severity >= model.High {
						t.Errorf("clean twin: %s finding %s: %s", d.Severity, d.Rule, d.Reason)
					}
				}
			}
		})
	}
}

// The App Privacy Report weighs the same domain by who contacted it: an app
// by itself is a trace on the phone (critical), a web page shown in Safari
// an attempt (high).
func TestPrivacyReportSeverities(t *testing.T) {
	dir := t.TempDir()
	iocs := filepath.Join(dir, "iocs.stix2")
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	o := small(4)
	o.Plant = true
	exp, err := samplegen.GeneratePhoneExport(samplegen.SampleAppPrivacyReport, filepath.Join(dir, "apr"), o)
	if err != nil {
		t.Fatal(err)
	}
	_, dets, _ := checkInfo(t, exp.Evidence, iocs)
	got := map[string]model.Severity{}
	for _, d := range dets {
		if d.Rule != "indicator.feed.match" || d.Record == nil {
			continue
		}
		who := "app"
		for _, ob := range d.Record.Observables {
			if ob.Field == "context" {
				who = "website"
			}
		}
		got[who] = d.Severity
	}
	if got["app"] != model.Critical || got["website"] != model.High {
		t.Errorf("severities %v, want app critical and website high", got)
	}
	for _, d := range dets {
		if d.Rule == "ios.privacy_report.ip_literal" && d.Params["app"] == samplegen.PlantedIPApp && d.Severity != model.Medium {
			t.Errorf("IP-only app: %s, want medium", d.Severity)
		}
	}
}

func rulesOf(dets []model.Detection) []string {
	var out []string
	for _, d := range dets {
		out = append(out, d.Module+" "+d.Rule)
	}
	return out
}

func TestPhoneSamplesSameSeedSameBytes(t *testing.T) {
	for _, kind := range samplegen.PhoneSamples {
		gen := func() []byte {
			o := small(9)
			o.Plant = true
			exp, err := samplegen.GeneratePhoneExport(kind, t.TempDir(), o)
			if err != nil {
				t.Fatal(err)
			}
			p := exp.Evidence
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				ents, _ := os.ReadDir(p)
				p = filepath.Join(p, ents[0].Name())
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if !bytes.Equal(gen(), gen()) {
			t.Errorf("%s differs between two runs with the same seed", kind)
		}
	}
}

package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

func readDetections(t *testing.T, out string) []model.Detection {
	t.Helper()
	var d results.Detections
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &d); err != nil {
		t.Fatal(err)
	}
	return d.Detections
}

// Every network format is recognised by its content alone (no --type), its
// planted traces are found, and its clean twin gives nothing high or
// critical: the check's verdict is then at most "review".
func TestNetworkFormatsEndToEnd(t *testing.T) {
	iocs := filepath.Join(t.TempDir(), "demospy.stix2")
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	for _, f := range samplegen.NetFormats {
		t.Run(string(f), func(t *testing.T) {
			for _, plant := range []bool{true, false} {
				dir := t.TempDir()
				p, exp, err := samplegen.GenerateNetwork(filepath.Join(dir, "evidence"), f, 11, plant)
				if err != nil {
					t.Fatal(err)
				}
				out := filepath.Join(dir, "out")
				code, stdout, stderr := run(t, "", "check", p, "--iocs", iocs, "--output", out, "--quiet", "--no-report")
				info := readInfo(t, out)
				if info.Evidence.Kind != source.Network {
					t.Fatalf("recognised as %q", info.Evidence.Kind)
				}
				dets := readDetections(t, out)
				if plant {
					if code != results.ExitFound {
						t.Errorf("planted: exit %d\n%s\n%s", code, stdout, stderr)
					}
					if len(exp.Detections) == 0 {
						t.Fatal("nothing planted for this format")
					}
					if miss := exp.Missing(dets); len(miss) > 0 {
						t.Errorf("planted traces not found: %+v\nfound: %v", miss, rulesOf(dets))
					}
				} else {
					for _, d := range dets {
						if d.Severity >= model.High {
							t.Errorf("clean twin: %s %s: %s", d.Severity, d.Rule, d.Reason)
						}
					}
					if code != results.ExitClean {
						t.Errorf("clean twin: exit %d (want 0)\n%s\n%s", code, stdout, stderr)
					}
				}
				if n := testutil.ValidateResults(t, out); n == 0 {
					t.Error("no results file validated")
				}
			}
		})
	}
}

func rulesOf(dets []model.Detection) []string {
	var out []string
	for _, d := range dets {
		out = append(out, d.Module+":"+d.Rule+":"+d.Severity.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Several evidences of one phone are checked together: an iPhone backup, a
// capture and a resolver log give one timeline, one list of findings and
// one outcome; info.json lists each evidence with the modules that read
// it, and the network events sit on the timeline beside the phone's.
func TestCheckSeveralEvidences(t *testing.T) {
	tmp := t.TempDir()
	o := samplegen.Scaled(60, 3)
	o.Plant = true
	backup := filepath.Join(tmp, "backup")
	if _, err := samplegen.GenerateIOSBackup(backup, o); err != nil {
		t.Fatal(err)
	}
	capture, _, err := samplegen.GenerateNetwork(filepath.Join(tmp, "net"), samplegen.NetPcapNG, 5, true)
	if err != nil {
		t.Fatal(err)
	}
	dnslog, _, err := samplegen.GenerateNetwork(filepath.Join(tmp, "dns"), samplegen.NetAdGuard, 5, true)
	if err != nil {
		t.Fatal(err)
	}
	iocs := filepath.Join(tmp, "demospy.stix2")
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	code, stdout, stderr := run(t, "", "check", backup, capture, dnslog, "--iocs", iocs, "--output", out, "--quiet")
	if code != results.ExitFound {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	info := readInfo(t, out)
	if info.Evidence.Kind != source.IOSBackup || len(info.Evidences) != 2 {
		t.Fatalf("evidence %s, evidences %+v", info.Evidence.Kind, info.Evidences)
	}
	netEv := info.Evidences[1]
	if netEv.Kind != source.Network || !slices.Contains(netEv.Modules, "net.capture") || !slices.Contains(netEv.Modules, "net.dns_log") ||
		slices.Contains(info.Evidences[0].Modules, "net.capture") {
		t.Errorf("evidences %+v", info.Evidences)
	}
	if !strings.Contains(netEv.Path, "capture.pcapng") || !strings.Contains(netEv.Path, "querylog.json") {
		t.Errorf("network evidence path %q", netEv.Path)
	}
	var inputs []string
	for _, in := range info.Inputs {
		inputs = append(inputs, filepath.Base(in.Path))
	}
	if !slices.Contains(inputs, "capture.pcapng") || !slices.Contains(inputs, "querylog.json") || !slices.Contains(inputs, "Manifest.db") {
		t.Errorf("inputs %v", inputs)
	}
	dets := readDetections(t, out)
	mods := map[string]bool{}
	for _, d := range dets {
		mods[d.Module] = true
	}
	for _, m := range []string{"net.capture", "net.dns_log", "ios.sms"} {
		if !mods[m] {
			t.Errorf("no finding from %s: %v", m, rulesOf(dets))
		}
	}
	tl, err := os.ReadFile(filepath.Join(out, "timeline.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"net.capture", "net.dns_log", "ios.sms", "connection_first", "dns_lookup_first"} {
		if !strings.Contains(string(tl), want) {
			t.Errorf("timeline lacks %s", want)
		}
	}
	if n := testutil.ValidateResults(t, out); n == 0 {
		t.Error("nothing validated")
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"capture.pcapng", "querylog.json", "Network capture"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// A path of a check of several that cannot be opened is a part not
// checked: the others are checked, the outcome is incomplete and says
// which path. Two evidences read by the same modules are refused.
func TestCheckSeveralEvidencesGaps(t *testing.T) {
	tmp := t.TempDir()
	capture, _, err := samplegen.GenerateNetwork(filepath.Join(tmp, "net"), samplegen.NetPcapNG, 5, false)
	if err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(tmp, "notes.txt")
	if err := os.WriteFile(junk, []byte("shopping list\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	code, stdout, stderr := run(t, "", "check", capture, junk, "--iocs", writeBundle(t), "--output", out, "--quiet", "--no-report")
	if code != results.ExitPartial {
		t.Fatalf("exit %d (want 3)\n%s\n%s", code, stdout, stderr)
	}
	info := readInfo(t, out)
	found := false
	for _, g := range info.Summary.NotChecked {
		if g.Part == junk {
			found = true
		}
	}
	if !found || len(info.Evidences) != 2 || info.Evidences[1].Kind != results.KindUnopened {
		t.Errorf("not checked %+v, evidences %+v", info.Summary.NotChecked, info.Evidences)
	}
	testutil.ValidateResults(t, out)

	b1, b2 := iosBackup(t), iosBackup(t)
	code, _, stderr = run(t, "", "check", b1, b2, "--output", filepath.Join(tmp, "out2"), "--quiet")
	if code != results.ExitError || !strings.Contains(stderr, "both read by") {
		t.Errorf("two backups: exit %d\n%s", code, stderr)
	}
	code, _, stderr = run(t, "", "check", junk, junk+".missing", "--output", filepath.Join(tmp, "out3"), "--quiet")
	if code != results.ExitError || !strings.Contains(stderr, "none of the 2 paths") {
		t.Errorf("nothing opens: exit %d\n%s", code, stderr)
	}
}

// demo --kind network checks the synthetic backup together with a capture
// of the same phone's traffic: two evidences, the traces of both found, one
// verdict.
func TestDemoNetwork(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := run(t, "", "demo", "--kind", "network", "--output", out, "--quiet")
	if code != results.ExitFound {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "capture of the same phone's Wi-Fi traffic") || !strings.Contains(stdout, samplegen.PlantedNoDNSIP) ||
		!strings.Contains(stdout, "      and: network (unknown) ") {
		t.Errorf("stdout:\n%s", stdout)
	}
	info := readInfo(t, out)
	if len(info.Evidences) != 2 || info.Evidences[1].Kind != source.Network || !strings.HasSuffix(info.Evidences[1].Path, "capture.pcapng") {
		t.Errorf("evidences %+v", info.Evidences)
	}
	mods := map[string]bool{}
	for _, d := range readDetections(t, out) {
		mods[d.Module] = true
	}
	if !mods["net.capture"] || !mods["ios.sms"] {
		t.Errorf("findings from %v", mods)
	}
}

package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

func TestDemoFindsThePlantedTraces(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := run(t, "", "demo", "--output", out, "--quiet")
	if code != results.ExitFound {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, results.ExitFound, stdout, stderr)
	}
	if !strings.Contains(stdout, "synthetic iPhone backup") {
		t.Errorf("demo does not say what it generated:\n%s", stdout)
	}
	var dets results.Detections
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &dets); err != nil {
		t.Fatal(err)
	}
	has := func(f func(model.Detection) bool) bool { return slices.ContainsFunc(dets.Detections, f) }
	checks := []struct {
		what string
		ok   func(model.Detection) bool
	}{
		{"planted domain", func(d model.Detection) bool {
			return d.Kind == model.ByIndicator && d.Indicator.Value == samplegen.PlantedDomain
		}},
		{"planted process", func(d model.Detection) bool {
			return d.Kind == model.ByIndicator && d.Observable.Value == samplegen.PlantedProcess
		}},
		{"correlation chain", func(d model.Detection) bool {
			return d.Rule == "correlation.link.chain" && d.Severity >= model.High
		}},
	}
	for _, c := range checks {
		if !has(c.ok) {
			t.Errorf("detections.json lacks the %s", c.what)
		}
	}
}

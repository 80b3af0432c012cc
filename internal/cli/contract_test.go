package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

// TestResultsMatchSchemas is the results contract: every file huella writes
// (info.json, detections.json, recheck.json, <module>.json, each line of
// timeline.jsonl) of the demo, of Android acquisitions and of an
// interrupted run validates against schema/ with a JSON Schema validator.
// (Before, the demo's detections.json failed: a finding's "related" holds
// timeline events of another shape than the schema said.)
func TestResultsMatchSchemas(t *testing.T) {
	w := newWorld(t)
	validate := func(t *testing.T, dir string) {
		t.Helper()
		if n := testutil.ValidateResults(t, dir); n < 3 {
			t.Errorf("only %d documents validated in %s", n, dir)
		}
	}

	t.Run("demo", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "demo")
		if r := w.huella("", "demo", "--output", out); r.code != results.ExitFound {
			t.Fatalf("demo exit %d\n%s", r.code, r.console())
		}
		validate(t, out)
		re := filepath.Join(t.TempDir(), "recheck")
		if r := w.huella("", "check-iocs", out, "--output", re); r.code != results.ExitFound {
			t.Fatalf("check-iocs exit %d\n%s", r.code, r.console())
		}
		validate(t, re)
	})

	t.Run("android acquisition with planted traces", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "qf")
		o := samplegen.Scaled(200, 11)
		o.Plant = true
		if _, err := samplegen.GenerateAndroidQF(dir, o); err != nil {
			t.Fatal(err)
		}
		iocs := filepath.Join(t.TempDir(), "sample.stix2")
		if err := samplegen.WriteSampleIndicators(iocs); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "out")
		if r := w.huella("", "check", dir, "--output", out, "--iocs", iocs); r.code != results.ExitFound {
			t.Fatalf("exit %d\n%s", r.code, r.console())
		}
		validate(t, out)
	})

	t.Run("MVT androidqf fixture", func(t *testing.T) {
		dir := testutil.Shared(t, "fixtures/mvt/androidqf")
		out := filepath.Join(t.TempDir(), "out")
		r := w.huella("", "check", dir, "--output", out, "--iocs", writeBundle(t))
		if r.code == results.ExitError {
			t.Fatalf("exit %d\n%s", r.code, r.console())
		}
		validate(t, out)
	})

	t.Run("interrupted run", func(t *testing.T) {
		marker := filepath.Join(t.TempDir(), "stuck")
		t.Setenv("HUELLA_TEST_MARKER", marker)
		d := realDeps()
		d.modules = append(d.modules, stuckPlain(marker))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			for !exists(marker) {
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
		}()
		out := filepath.Join(t.TempDir(), "out")
		var stdout, stderr strings.Builder
		code := runWith(ctx, []string{"check", iosBackup(t), "--output", out, "--iocs", writeBundle(t)}, strings.NewReader(""), &stdout, &stderr, d)
		if code != results.ExitInterrupted {
			t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
		}
		info := readInfo(t, out)
		if !info.Interrupted || moduleByName(info, "test.stuck_plain").Status != results.StatusInterrupted {
			t.Errorf("info.json: %+v", info.Modules)
		}
		validate(t, out)
	})
}

// stuckPlain blocks like a read from a FIFO, after saying it started.
func stuckPlain(marker string) module.Def {
	return module.Def{Name: "test.stuck_plain", Description: "blocks until the test ends", Kinds: []source.Kind{source.IOSBackup},
		Paths: []string{"HomeDomain/Library/SMS/sms.db"},
		Run: func(_ context.Context, env *module.Env) error {
			env.Find("HomeDomain/Library/SMS/sms.db")
			os.WriteFile(marker, nil, 0o600)
			time.Sleep(time.Minute)
			return nil
		}}
}

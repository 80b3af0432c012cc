package cli

import (
	"archive/zip"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

// 'huella demo --kind K' checks each phone export with planted traces and
// exits 1 as the default demo does; an unknown kind is a usage error.
func TestPhoneDemos(t *testing.T) {
	for _, kind := range samplegen.PhoneSamples {
		t.Run(kind, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "demo")
			code, stdout, stderr := run(t, "", "demo", "--kind", kind, "--output", out, "--quiet")
			if code != results.ExitFound {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, results.ExitFound, stdout, stderr)
			}
			if !strings.Contains(stdout, "Demo: a synthetic") {
				t.Errorf("the demo does not say what it generated:\n%s", stdout)
			}
			// Under the verdict, what such evidence cannot show.
			if i, j := strings.Index(stdout, "Verdict: "), strings.Index(stdout, "What this evidence covers: "); i < 0 || j < i || !strings.Contains(stdout[j:], "annot show") {
				t.Errorf("the console does not say what the evidence covers and cannot show:\n%s", stdout)
			}
			if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
				t.Error(err)
			}
		})
	}
	if code, _, stderr := run(t, "", "demo", "--kind", "nope", "--output", filepath.Join(t.TempDir(), "x")); code != results.ExitError || !strings.Contains(stderr, "app-privacy-report") {
		t.Errorf("--kind nope: exit %d, %s", code, stderr)
	}
}

// The Spanish report of every phone export is Spanish throughout,
// including what the evidence covers and cannot show.
func TestSpanishPhoneExportReports(t *testing.T) {
	for _, kind := range samplegen.PhoneSamples {
		t.Run(kind, func(t *testing.T) {
			tmp := t.TempDir()
			o := samplegen.Scaled(300, 5)
			o.Plant = true
			exp, err := samplegen.GeneratePhoneExport(kind, filepath.Join(tmp, "s"), o)
			if err != nil {
				t.Fatal(err)
			}
			iocs := filepath.Join(tmp, "iocs.stix2")
			if err := samplegen.WriteSampleIndicators(iocs); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(tmp, "out")
			if code, stdout, stderr := run(t, "", "check", exp.Evidence, "--iocs", iocs, "--output", out, "--quiet", "--no-report"); code != results.ExitFound {
				t.Fatalf("check exit %d\n%s\n%s", code, stdout, stderr)
			}
			page, d := renderSpanish(t, out)
			if d.FindingCount() == 0 {
				t.Fatal("no findings")
			}
			if en := visibleEnglish(page); len(en) > 0 {
				t.Errorf("English in the Spanish report:\n%s", strings.Join(en, "\n"))
			}
			if miss := d.Untranslated(); len(miss) > 0 {
				t.Errorf("record summaries with no Spanish template:\n%s", strings.Join(miss, "\n"))
			}
			if !strings.Contains(page, "Qué abarca esta evidencia") || !strings.Contains(page, "La evidencia abarca del <span class=\"nw\">20") {
				t.Error("the report does not say what the evidence covers and the days it spans")
			}
		})
	}
}

// A Safari export whose password and payment-card files are named pipes
// (any attempt to read one would be refused and make the check
// incomplete), and whose bookmarks cannot be read at all, checks clean and
// complete: exit 0, none of them among the inputs, and the report names
// them as left unopened.
func TestSafariExportSecretsAreNeverRead(t *testing.T) {
	tmp := t.TempDir()
	exp, err := samplegen.GeneratePhoneExport(samplegen.SampleSafariExport, filepath.Join(tmp, "s"), samplegen.Scaled(200, 6))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "Safari Export")
	zr, err := zip.OpenReader(exp.Evidence)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		p := filepath.Join(dir, f.Name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if f.Name == "Passwords.csv" || f.Name == "PaymentCards.json" {
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Skipf("no named pipes here: %v", err)
			}
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		os.WriteFile(p, b, 0o644)
	}
	zr.Close()
	bookmarks := filepath.Join(dir, "Bookmarks.html")
	os.Chmod(bookmarks, 0)
	t.Cleanup(func() { os.Chmod(bookmarks, 0o644) })
	iocs := filepath.Join(tmp, "iocs.stix2")
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	code, stdout, stderr := run(t, "", "check", dir, "--iocs", iocs, "--output", out, "--quiet")
	if code != results.ExitClean {
		t.Fatalf("exit %d, want %d (clean and complete)\n%s\n%s", code, results.ExitClean, stdout, stderr)
	}
	var info results.Info
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	if string(info.Evidence.Kind) != "ios-safari-export" {
		t.Fatalf("kind %s", info.Evidence.Kind)
	}
	for _, in := range info.Inputs {
		if b := path.Base(in.Path); b != "History.json" && b != "Extensions.json" {
			t.Errorf("%s is listed as an input read", in.Path)
		}
	}
	for _, m := range info.Modules {
		for _, a := range m.Artifacts {
			if b := path.Base(a); b != "History.json" && b != "Extensions.json" {
				t.Errorf("%s lists %s as read", m.Name, a)
			}
		}
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "huella did not open these files of the export") || !strings.Contains(string(page), "Passwords.csv") {
		t.Error("the report does not name the files left unopened")
	}
}

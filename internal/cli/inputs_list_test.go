package cli

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

// A folder of more files than info.json lists (a file-system dump holds a
// million) has every file hashed into inputs.sha256 beside it, in
// sha256sum's format, and info.json says how many, how large and the
// list's own SHA-256; the report shows that digest.
func TestHugeFolderInputsList(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(t.TempDir(), "dump")
	o := samplegen.DumpOptions{Options: samplegen.Scaled(50, 4), Paths: source.MaxListedInputs + 500, Layout: samplegen.DumpFolder}
	if _, err := samplegen.GenerateIOSDump(dir, o); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	r := w.huella("", "check", dir, "--output", out, "--quiet")
	if r.code == results.ExitError {
		t.Fatalf("exit %d\n%s", r.code, r.console())
	}
	var info results.Info
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	l := info.InputsList
	if l == nil || len(info.Inputs) != 0 || l.Files <= source.MaxListedInputs || l.File != "inputs.sha256" {
		t.Fatalf("inputs %d, list %+v", len(info.Inputs), l)
	}
	b, err := os.ReadFile(filepath.Join(out, l.File))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != l.SHA256 {
		t.Error("inputs_list.sha256 is not the list file's SHA-256")
	}
	lines, checked := 0, 0
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		lines++
		hash, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(hash) != 64 {
			t.Fatalf("line %d is not sha256sum's format: %q", lines, sc.Text())
		}
		if lines%997 == 0 || name == "private/var/mobile/Library/SMS/sms.db" {
			c, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if s := sha256.Sum256(c); hex.EncodeToString(s[:]) != hash {
				t.Errorf("%s: listed %s", name, hash)
			}
			checked++
		}
	}
	if lines != l.Files || checked < 10 {
		t.Errorf("%d lines for %d files, %d checked", lines, l.Files, checked)
	}
	testutil.ValidateResults(t, out)
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), l.SHA256) || !strings.Contains(string(page), "inputs.sha256") {
		t.Error("the report does not show the list's digest")
	}
}

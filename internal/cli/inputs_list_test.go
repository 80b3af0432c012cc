package cli

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// In a check of several evidences, each folder too large to list keeps its
// own hash list: a resolver's log folder of rotated files given after a
// backup is inputs-2.sha256, named in its entry of info.json's evidences.
// Before, only the first evidence's list was kept and the logs' hashes
// were lost.
func TestSecondEvidenceKeepsItsInputsList(t *testing.T) {
	w := newWorld(t)
	tmp := t.TempDir()
	one, _, err := samplegen.GenerateNetwork(filepath.Join(tmp, "gen"), samplegen.NetPihole, 3, false)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(one)
	if err != nil {
		t.Fatal(err)
	}
	// Each rotated file holds a few lines: the folder is large in files,
	// not in bytes.
	lines := strings.SplitAfter(string(whole), "\n")
	log := []byte(strings.Join(lines[:min(4, len(lines))], ""))
	logs := filepath.Join(tmp, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range source.MaxListedInputs + 50 {
		if err := os.WriteFile(filepath.Join(logs, fmt.Sprintf("pihole-%05d.log", i)), log, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(tmp, "out")
	r := w.huella("", "check", iosBackup(t), logs, "--output", out, "--quiet")
	if r.code == results.ExitError {
		t.Fatalf("exit %d\n%s", r.code, r.console())
	}
	var info results.Info
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Evidences) != 2 || info.Evidences[1].Kind != source.Network {
		t.Fatalf("evidences %+v", info.Evidences)
	}
	if info.InputsList != nil || info.Evidences[0].InputsList != nil {
		t.Errorf("the backup was listed whole, yet a list is named: %+v %+v", info.InputsList, info.Evidences[0].InputsList)
	}
	l := info.Evidences[1].InputsList
	if l == nil || l.File != "inputs-2.sha256" || l.Files != source.MaxListedInputs+50 {
		t.Fatalf("the logs' list: %+v", l)
	}
	b, err := os.ReadFile(filepath.Join(out, l.File))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(log)
	if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != l.SHA256 || strings.Count(string(b), hex.EncodeToString(sum[:])+"  ") != l.Files {
		t.Errorf("%s does not list every log with its SHA-256, or info.json's digest is not the file's", l.File)
	}
	testutil.ValidateResults(t, out)
	// The report names each list with its SHA-256, and counts every file:
	// the backup's, listed inline, and the logs'.
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	total := fmt.Sprintf("%d files", len(info.Inputs)+l.Files)
	if !strings.Contains(string(page), l.SHA256) || !strings.Contains(string(page), "inputs-2.sha256") || !strings.Contains(string(page), total) {
		t.Errorf("the report does not name inputs-2.sha256 with its SHA-256, or does not say %q", total)
	}
	// check-iocs carries the list with the results it stands for.
	re := filepath.Join(tmp, "re")
	if r := w.huella("", "check-iocs", out, "--output", re, "--quiet", "--no-report"); r.code == results.ExitError {
		t.Fatalf("check-iocs: exit %d\n%s", r.code, r.console())
	}
	if again, err := os.ReadFile(filepath.Join(re, l.File)); err != nil || !bytes.Equal(again, b) {
		t.Errorf("check-iocs did not carry %s: %v", l.File, err)
	}
	// --force on the same folder takes the list as huella's own file.
	if r := w.huella("", "check", iosBackup(t), "--output", out, "--quiet", "--no-report", "--force"); r.code == results.ExitError {
		t.Fatalf("--force: exit %d\n%s", r.code, r.console())
	}
	if _, err := os.Stat(filepath.Join(out, l.File)); !os.IsNotExist(err) {
		t.Errorf("--force left the earlier run's %s: %v", l.File, err)
	}
}

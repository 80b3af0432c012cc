package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputFolders: the results folder is only created once the evidence
// has opened; a non-empty one is refused unless --force, which replaces
// huella's own files and nothing else (so two phones' results never mix and
// check-iocs never re-matches the other's); links planted in it are never
// written through; "inside the evidence" is judged on the resolved path.
func TestOutputFolders(t *testing.T) {
	t.Run("a failed check leaves no folder", func(t *testing.T) {
		w := newWorld(t)
		notEvidence := writeTree(t, t.TempDir(), map[string]string{"notes.txt": "hello"})
		out := filepath.Join(t.TempDir(), "out")
		r := w.huella("", "check", notEvidence, "--output", out, "--iocs", writeBundle(t))
		if r.code != 2 || exists(out) {
			t.Errorf("exit %d, folder created: %v\n%s", r.code, exists(out), r.console())
		}
	})

	t.Run("a non-empty folder is refused without --force", func(t *testing.T) {
		w := newWorld(t)
		out := writeTree(t, t.TempDir(), map[string]string{"notes.txt": "mine"})
		r := w.huella("", "check", iosBackup(t), "--output", out, "--iocs", writeBundle(t))
		if r.code != 2 || !strings.Contains(r.stderr, "not empty") || !strings.Contains(r.stderr, "--force") {
			t.Errorf("exit %d\n%s", r.code, r.console())
		}
		if ents, _ := os.ReadDir(out); len(ents) != 1 {
			t.Errorf("folder changed: %v", ents)
		}
	})

	t.Run("--force replaces huella's files only", func(t *testing.T) {
		w := newWorld(t)
		bundle := writeBundle(t)
		out := filepath.Join(t.TempDir(), "out")
		if r := w.huella("", "check", iosBackup(t), "--output", out, "--iocs", bundle); r.code != 0 {
			t.Fatalf("first phone: %d %s", r.code, r.console())
		}
		if !exists(filepath.Join(out, "ios.sms.json")) {
			t.Fatal("first run wrote no ios.sms.json")
		}
		writeTree(t, out, map[string]string{"notes.txt": "case notes", "evil.json": `{"schema_version":1,"module":"evil","records":[{"module":"evil","summary":"x","observables":[{"kind":"domain","value":"lure.example"}]}]}`})
		r := w.huella("", "check", androidQF(t, ""), "--output", out, "--iocs", bundle, "--force")
		if r.code != 0 {
			t.Fatalf("second phone: %d %s", r.code, r.console())
		}
		ents, _ := os.ReadDir(out)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "ios.") {
				t.Errorf("%s of the first phone is still there", e.Name())
			}
		}
		for _, keep := range []string{"notes.txt", "evil.json"} {
			if !exists(filepath.Join(out, keep)) {
				t.Errorf("%s (not huella's) was removed", keep)
			}
		}
		if k := readInfo(t, out).Evidence.Kind; k != "androidqf" {
			t.Errorf("info.json is of %s", k)
		}
		// check-iocs re-matches only the modules info.json lists.
		re := filepath.Join(t.TempDir(), "re")
		r = w.huella("", "check-iocs", out, "--iocs", bundle, "--output", re)
		if r.code != 0 || exists(filepath.Join(re, "evil.json")) || strings.Contains(r.stdout, "lure.example") {
			t.Errorf("check-iocs: exit %d\n%s", r.code, r.console())
		}
	})

	t.Run("links planted in the folder are not followed", func(t *testing.T) {
		w := newWorld(t)
		out := t.TempDir()
		victims := t.TempDir()
		for _, n := range []string{"info.json", "detections.json", "report.html", "command.log", "timeline.csv", "ios.sms.json"} {
			v := filepath.Join(victims, n)
			os.WriteFile(v, []byte("precious"), 0o600)
			if err := os.Symlink(v, filepath.Join(out, n)); err != nil {
				t.Skip("no symbolic links here:", err)
			}
		}
		r := w.huella("", "check", iosBackup(t), "--output", out, "--iocs", writeBundle(t), "--force")
		if r.code != 0 {
			t.Fatalf("exit %d %s", r.code, r.console())
		}
		ents, _ := os.ReadDir(victims)
		for _, e := range ents {
			if b, _ := os.ReadFile(filepath.Join(victims, e.Name())); string(b) != "precious" {
				t.Errorf("written through the link %s", e.Name())
			}
		}
		for _, n := range []string{"info.json", "report.html", "command.log", "ios.sms.json"} {
			if fi, err := os.Lstat(filepath.Join(out, n)); err != nil || !fi.Mode().IsRegular() {
				t.Errorf("%s is not a regular file: %v", n, err)
			}
		}
	})

	t.Run("inside the evidence, through a link or a relative path", func(t *testing.T) {
		w := newWorld(t)
		ev := iosBackup(t)
		link := filepath.Join(t.TempDir(), "case-link")
		if err := os.Symlink(ev, link); err != nil {
			t.Skip("no symbolic links here:", err)
		}
		r := w.huella("", "check", ev, "--output", filepath.Join(link, "out"), "--iocs", writeBundle(t))
		if r.code != 2 || !strings.Contains(r.stderr, "inside the evidence") || exists(filepath.Join(ev, "out")) {
			t.Errorf("through a link: exit %d\n%s", r.code, r.console())
		}
		t.Chdir(ev)
		r = w.huella("", "check", ".", "--output", "results", "--iocs", writeBundle(t))
		if r.code != 2 || !strings.Contains(r.stderr, "inside the evidence") || exists(filepath.Join(ev, "results")) {
			t.Errorf("relative: exit %d\n%s", r.code, r.console())
		}
	})

	t.Run("report --lang es writes report.es.html beside report.html", func(t *testing.T) {
		w := newWorld(t)
		out := filepath.Join(t.TempDir(), "out")
		if r := w.huella("", "check", iosBackup(t), "--output", out, "--iocs", writeBundle(t)); r.code != 0 {
			t.Fatalf("%d %s", r.code, r.console())
		}
		en, _ := os.ReadFile(filepath.Join(out, "report.html"))
		r := w.huella("", "report", out, "--lang", "es")
		if r.code != 0 || !strings.Contains(r.stdout, "report.es.html") {
			t.Fatalf("exit %d %s", r.code, r.console())
		}
		es, err := os.ReadFile(filepath.Join(out, "report.es.html"))
		if err != nil || !strings.Contains(string(es), `<html lang="es">`) {
			t.Errorf("report.es.html: %v", err)
		}
		if again, _ := os.ReadFile(filepath.Join(out, "report.html")); string(again) != string(en) || !strings.Contains(string(en), `<html lang="en">`) {
			t.Error("report.html was replaced")
		}
	})
}

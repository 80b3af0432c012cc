package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/samplegen"
)

// TestPasswordNeverWritten checks every way the flag parser (and the
// environment, a file, the prompt) accepts a backup password against every
// output: the console, and every file of the results folder (info.json,
// command.log, report.html, report.es.html, ...). Before, -pSECRET and
// -qp SECRET reached info.json, command.log and report.html.
func TestPasswordNeverWritten(t *testing.T) {
	const secret = "Pw-7q!Kz9secret"
	backup := filepath.Join(t.TempDir(), "backup")
	o := samplegen.Scaled(30, 9)
	o.Encrypt, o.Password = true, secret
	if _, err := samplegen.GenerateIOSBackup(backup, o); err != nil {
		t.Fatal(err)
	}
	pwFile := writeTree(t, t.TempDir(), map[string]string{"pw": secret + "\n"}) + "/pw"
	bundle := writeBundle(t)
	cases := []struct {
		name   string
		args   []string
		env    string
		prompt bool
	}{
		{name: "-pSECRET", args: []string{"-p" + secret}},
		{name: "-p SECRET", args: []string{"-p", secret}},
		{name: "-p=SECRET", args: []string{"-p=" + secret}},
		{name: "-qpSECRET", args: []string{"-qp" + secret}},
		{name: "-qp SECRET", args: []string{"-qp", secret}},
		{name: "--password SECRET", args: []string{"--password", secret}},
		{name: "--password=SECRET", args: []string{"--password=" + secret}},
		{name: "environment", env: secret},
		{name: "file", args: []string{"--password-file", pwFile}},
		{name: "prompt", prompt: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			t.Setenv("HUELLA_BACKUP_PASSWORD", c.env)
			asked := false
			d := realDeps()
			d.askPassword = func(*app, string) string {
				if !c.prompt {
					return ""
				}
				asked = true
				return secret
			}
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"check", backup, "--output", out, "--iocs", bundle}, c.args...)
			r := w.huellaWith(d, "", args...)
			if r.code != 0 {
				t.Fatalf("exit %d: the password was not taken\n%s", r.code, r.console())
			}
			if c.prompt && !asked {
				t.Fatal("the prompt was not used")
			}
			if r2 := w.huella("", "report", out, "--lang", "es"); r2.code != 0 {
				t.Fatalf("report --lang es: %d %s", r2.code, r2.console())
			}
			outputs := map[string][]byte{"console": []byte(r.console())}
			filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					b, _ := os.ReadFile(p)
					outputs[filepath.Base(p)] = b
				}
				return nil
			})
			for _, must := range []string{"info.json", "command.log", "report.html", "report.es.html", "detections.json"} {
				if _, ok := outputs[must]; !ok {
					t.Errorf("%s not written", must)
				}
			}
			for name, b := range outputs {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("%s holds the password", name)
				}
			}
			cmdline := strings.Join(readInfo(t, out).Command, " ")
			if len(c.args) > 0 && c.args[0] != "--password-file" && !strings.Contains(cmdline, "--password="+redacted) {
				t.Errorf("info.json command does not show the redacted flag: %s", cmdline)
			}
		})
	}
}

// TestFlagErrorsDoNotEchoPasswords: a mistyped shorthand next to a password
// ("-xpSECRET") is reported without the argument.
func TestFlagErrorsDoNotEchoPasswords(t *testing.T) {
	w := newWorld(t)
	r := w.huella("", "check", "/nowhere", "-xpHunter2secret")
	if r.code != 2 || strings.Contains(r.console(), "Hunter2secret") || !strings.Contains(r.stderr, "unknown shorthand flag") {
		t.Errorf("exit %d: %s", r.code, r.console())
	}
}

package integrity

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/samplegen"
)

const secretPW = "S3cr3tPW"

// TestSecretsStayInMemory: the backup password (flag or environment) and
// the derived key never reach the console, info.json, command.log,
// report.html or any other output file; check leaves no decrypted database
// in its output folder or in the temp folder.
func TestSecretsStayInMemory(t *testing.T) {
	s := newSandbox(t)
	iocs := s.bundles()
	root := s.dir("secret")
	dir := s.dir("secret/evidence")
	o := samplegen.Scaled(40, 3)
	o.Plant, o.Encrypt, o.Password = true, true, secretPW
	if _, err := samplegen.GenerateIOSBackup(dir, o); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, root)

	keyFile := filepath.Join(s.root, "key.hex")
	if r := s.run("extract-key", dir, "--password", secretPW, "--output", keyFile); r.code != 0 {
		t.Fatalf("extract-key: exit %d\n%s", r.code, r.stderr)
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{secretPW, strings.TrimSpace(string(key))}

	type run struct {
		name    string
		args    []string
		env     string
		out     string
		checkDB bool
	}
	out := func(n string) string { return filepath.Join(s.root, n) }
	runs := []run{
		{"check --password", []string{"check", dir, "--output", out("c1"), "--no-feed-cache", "--iocs", iocs[0], "--password", secretPW}, "", out("c1"), true},
		{"check -p=", []string{"check", dir, "--output", out("c2"), "--no-feed-cache", "--iocs", iocs[0], "-p=" + secretPW}, "", out("c2"), true},
		{"check env", []string{"check", dir, "--output", out("c3"), "--no-feed-cache", "--iocs", iocs[0]}, secretPW, out("c3"), true},
		{"check --key-file", []string{"check", dir, "--output", out("c4"), "--no-feed-cache", "--key-file", keyFile}, "", out("c4"), true},
		{"decrypt-backup --password", []string{"decrypt-backup", dir, "--output", out("d1"), "--password", secretPW}, "", out("d1"), false},
		{"decrypt-backup env", []string{"decrypt-backup", dir, "--output", out("d2")}, secretPW, out("d2"), false},
		{"check-iocs", []string{"check-iocs", out("c1"), "--output", out("r1"), "--no-feed-cache", "--iocs", iocs[0]}, "", out("r1"), true},
	}
	for _, c := range runs {
		t.Run(c.name, func(t *testing.T) {
			s.t = t
			t.Setenv("HUELLA_BACKUP_PASSWORD", c.env)
			r := s.run(c.args...)
			if r.code == 2 {
				t.Fatalf("exit 2\n%s", r.stderr)
			}
			for _, sec := range secrets {
				if strings.Contains(r.stdout+r.stderr, sec) {
					t.Errorf("console shows a secret (%.4s...)", sec)
				}
			}
			files := 0
			err := filepath.WalkDir(c.out, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				files++
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				for _, sec := range secrets {
					if bytes.Contains(b, []byte(sec)) {
						t.Errorf("%s holds a secret (%.4s...)", p, sec)
					}
				}
				if c.checkDB && bytes.HasPrefix(b, []byte("SQLite format 3\x00")) {
					t.Errorf("%s is a decrypted database left in the output folder", p)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if files == 0 {
				t.Errorf("no output written to %s", c.out)
			}
		})
	}
	s.t = t
	assertUnchanged(t, "secret runs", before, root)
}

//go:build unix

package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/opener"
	"github.com/huella-project/huella/internal/testutil"
)

// The test binary doubles as huella: with HUELLA_TEST_CHILD set it runs
// Main on HUELLA_TEST_ARGS, with one extra module that decrypts sms.db into
// the private temp folder, says so, then blocks in a way no context can
// stop (as a read from a FIFO would).
func TestMain(m *testing.M) {
	if os.Getenv("HUELLA_TEST_CHILD") != "" {
		d := realDeps()
		d.modules = append(d.modules, stuckModule)
		if os.Getenv("HUELLA_TEST_STUCK_OPEN") != "" {
			// A reader that writes a decrypted copy, then blocks where no
			// context reaches (a FIFO read in an opener).
			d.forceAfter = 2 * time.Second
			d.open = func(_ context.Context, _ string, o opener.Options) (*source.Evidence, error) {
				os.WriteFile(filepath.Join(o.TempRoot, "decrypted.db"), []byte("SQLite format 3\x00plaintext"), 0o600)
				os.WriteFile(os.Getenv("HUELLA_TEST_MARKER"), nil, 0o600)
				for {
					time.Sleep(time.Hour)
				}
			}
		}
		args := strings.Split(os.Getenv("HUELLA_TEST_ARGS"), "\x1f")
		os.Exit(mainWith(args, strings.NewReader(""), os.Stdout, os.Stderr, d))
	}
	os.Exit(m.Run())
}

var stuckModule = module.Def{Name: "test.stuck", Description: "blocks forever", Kinds: []source.Kind{source.IOSBackup},
	Paths: []string{"HomeDomain/Library/SMS/sms.db"}, Run: runStuck}

func runStuck(_ context.Context, env *module.Env) error {
	db, err := env.OpenDB("HomeDomain/Library/SMS/sms.db")
	if err != nil {
		return err
	}
	defer db.Close()
	os.WriteFile(os.Getenv("HUELLA_TEST_MARKER"), []byte(env.Evidence.TempDir), 0o600)
	for {
		time.Sleep(time.Hour)
	}
}

// plaintextIn lists the decrypted SQLite databases under dir.
func plaintextIn(dir string) []string {
	var found []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, err := os.ReadFile(p); err == nil && bytes.HasPrefix(b, []byte("SQLite format 3\x00")) {
				found = append(found, p)
			}
		}
		return nil
	})
	return found
}

// TestStopSignals: SIGINT, SIGTERM and SIGHUP each stop a check whose
// module is stuck: exit 130 within seconds, the decrypted copies removed
// from the temp folder, info.json written with "interrupted" and what ran,
// and 'report' and 'check-iocs' on that folder say the check is incomplete.
// (Before: Ctrl-C exited 2 with no info.json; SIGTERM and SIGHUP killed the
// process and left the decrypted plaintext behind.)
func TestStopSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs huella three times in a child process")
	}
	const pw = "interrupt-pw"
	backup := filepath.Join(t.TempDir(), "backup")
	o := samplegen.Scaled(200, 5)
	o.Encrypt, o.Password = true, pw
	if _, err := samplegen.GenerateIOSBackup(backup, o); err != nil {
		t.Fatal(err)
	}
	pwFile := writeTree(t, t.TempDir(), map[string]string{"pw": pw}) + "/pw"
	bundle := writeBundle(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp, data := t.TempDir(), t.TempDir()
			out := filepath.Join(t.TempDir(), "out")
			marker := filepath.Join(t.TempDir(), "stuck")
			args := []string{"check", backup, "--output", out, "--password-file", pwFile, "--iocs", bundle}
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), "HUELLA_TEST_CHILD=1", "HUELLA_TEST_ARGS="+strings.Join(args, "\x1f"),
				"HUELLA_TEST_MARKER="+marker, "TMPDIR="+tmp, "HUELLA_DATA="+data, "HUELLA_IOCS=", "HUELLA_BACKUP_PASSWORD=")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			deadline := time.Now().Add(2 * time.Minute)
			for !exists(marker) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the stuck module never started\n%s%s", stdout.String(), stderr.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			if p := plaintextIn(tmp); len(p) == 0 {
				t.Fatal("no decrypted database in the temp folder: the test proves nothing")
			}
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 30 s after %s", sig)
			}
			took := time.Since(sent)
			t.Logf("stopped %s after %s", took.Round(time.Millisecond), sig)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != results.ExitInterrupted {
				t.Fatalf("exit %v, want %d\n%s%s", err, results.ExitInterrupted, stdout.String(), stderr.String())
			}
			if took > 10*time.Second {
				t.Errorf("took %s to stop", took)
			}
			if p := plaintextIn(tmp); len(p) > 0 {
				t.Errorf("decrypted plaintext left behind: %v", p)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
				t.Errorf("temp folder not emptied: %v", ents)
			}
			testutil.ValidateResults(t, out)
			info := readInfo(t, out)
			if !info.Interrupted || info.Summary.ExitStatus != results.ExitInterrupted || info.Summary.Level != "incomplete" {
				t.Errorf("info.json: interrupted %v, summary %+v", info.Interrupted, info.Summary)
			}
			if m := moduleByName(info, "test.stuck"); m.Status != results.StatusInterrupted {
				t.Errorf("stuck module: %+v", m)
			}
			if !strings.Contains(stdout.String(), "Verdict: INCOMPLETE") || !strings.Contains(stdout.String(), "huella report") {
				t.Errorf("console:\n%s", stdout.String())
			}
			if strings.Contains(stdout.String()+stderr.String(), pw) {
				t.Error("the password reached the console")
			}

			// The folder is usable: report and check-iocs say it is incomplete.
			w := newWorld(t)
			r := w.huella("", "report", out)
			if r.code != 0 || !strings.Contains(r.stdout, "Verdict: INCOMPLETE") || !strings.Contains(r.stdout, "the check was interrupted") {
				t.Errorf("report: exit %d\n%s", r.code, r.console())
			}
			html, _ := os.ReadFile(filepath.Join(out, "report.html"))
			if !bytes.Contains(html, []byte("The check was interrupted before it finished")) {
				t.Error("report.html does not say the check was interrupted")
			}
			re := filepath.Join(t.TempDir(), "recheck")
			r = w.huella("", "check-iocs", out, "--iocs", bundle, "--output", re)
			if r.code != results.ExitPartial || !strings.Contains(r.stdout, "did not finish: the check was interrupted") {
				t.Errorf("check-iocs: exit %d\n%s", r.code, r.console())
			}
			testutil.ValidateResults(t, re)
		})
	}
}

// TestStopWhenTheReaderHangs: when the code that opens the evidence never
// returns, the stop signal still ends the run: after deps.forceAfter (or a
// second signal) Main removes the run's temporary folder itself, decrypted
// copies included, and exits 130, leaving no results folder.
func TestStopWhenTheReaderHangs(t *testing.T) {
	for _, second := range []bool{false, true} {
		tmp := t.TempDir()
		out := filepath.Join(t.TempDir(), "out")
		marker := filepath.Join(t.TempDir(), "opening")
		args := []string{"check", t.TempDir(), "--output", out, "--iocs", writeBundle(t)}
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "HUELLA_TEST_CHILD=1", "HUELLA_TEST_STUCK_OPEN=1", "HUELLA_TEST_ARGS="+strings.Join(args, "\x1f"),
			"HUELLA_TEST_MARKER="+marker, "TMPDIR="+tmp, "HUELLA_DATA="+t.TempDir(), "HUELLA_IOCS=")
		var console bytes.Buffer
		cmd.Stdout, cmd.Stderr = &console, &console
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		for deadline := time.Now().Add(time.Minute); !exists(marker); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("never started opening\n%s", console.String())
			}
		}
		if len(plaintextIn(tmp)) == 0 {
			t.Fatal("no plaintext to remove: the test proves nothing")
		}
		sent := time.Now()
		cmd.Process.Signal(syscall.SIGTERM)
		if second {
			time.Sleep(200 * time.Millisecond)
			cmd.Process.Signal(syscall.SIGTERM)
		}
		var err error
		select {
		case err = <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("still running\n%s", console.String())
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != results.ExitInterrupted {
			t.Errorf("second signal %v: exit %v, want 130\n%s", second, err, console.String())
		}
		took := time.Since(sent)
		if second && took > time.Second || !second && (took < 2*time.Second || took > 6*time.Second) {
			t.Errorf("second signal %v: stopped after %s", second, took)
		}
		if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
			t.Errorf("second signal %v: temp folder not emptied: %v", second, ents)
		}
		if exists(out) {
			t.Errorf("a results folder was created although the evidence never opened")
		}
	}
}

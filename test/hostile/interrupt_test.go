package hostile

import (
	"archive/tar"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestInterruptEndsPromptly: Ctrl-C (SIGINT) ends a check within 2 s,
// whatever it is doing, and leaves nothing in the temporary folder: during
// the open step (extracting a large tar) and while modules read a large
// sms.db. How the interruption is reported (exit status, info.json) is the
// command's business; here only the promptness and the cleanup are held.
func TestInterruptEndsPromptly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send")
	}
	if testing.Short() {
		t.Skip("builds large inputs; CI runs it")
	}
	bin := buildHuella(t)
	cases := []struct {
		name   string
		after  time.Duration // into the phase
		opened bool          // the phase: after the open step (modules), or during it
		build  func(t *testing.T, dir string) string
	}{
		{"while extracting a 300,000-entry tar", 300 * time.Millisecond, false, func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "dump.tar.gz")
			sms := soundSMS(t, dir)
			writeTarGz(t, p, func(yield func(tarEntry) bool) {
				if !yield(fileEntry(smsPath, sms)) {
					return
				}
				for i := range 300_000 {
					if !yield(tarEntry{tar.Header{Name: fmt.Sprintf("private/var/mobile/Media/d%03d/f%d", i%300, i), Typeflag: tar.TypeReg}, nil}) {
						return
					}
				}
			})
			return p
		}},
		{"while modules read a 400,000-message sms.db", 300 * time.Millisecond, true, func(t *testing.T, dir string) string {
			root := filepath.Join(dir, "dump")
			smsDB(t, filepath.Join(root, smsPath), 400_000, plainText)
			return root
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			ev := c.build(t, base)
			tmp := caseTemp(t)
			cmd := exec.Command(bin, "check", ev, "--output", filepath.Join(base, "out"), "--no-feed-cache", "--quiet", "--workers", "1")
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "HUELLA_DATA="+base, "HUELLA_IOCS=", "HOME="+base)
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Wait for the phase to interrupt: the open step from the start,
			// the modules once command.log says the evidence opened.
			logPath := filepath.Join(base, "out", "command.log")
			deadline := time.Now().Add(30 * time.Second)
			for {
				select {
				case <-done:
					t.Fatalf("finished before the interruption: make the input larger\n%s", out.String())
				case <-time.After(20 * time.Millisecond):
				}
				log, _ := os.ReadFile(logPath)
				if strings.Contains(string(log), "evidence opened") == c.opened || time.Now().After(deadline) {
					break
				}
			}
			time.Sleep(c.after)
			cmd.Process.Signal(os.Interrupt)
			sent := time.Now()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 10 s after SIGINT\n%s", out.String())
			}
			took := time.Since(sent)
			t.Logf("ended %v after SIGINT, exit %d", took.Round(time.Millisecond), cmd.ProcessState.ExitCode())
			measured("interrupt: "+c.name, took, 0, 0, cmd.ProcessState.ExitCode())
			if took > 2*time.Second {
				t.Errorf("ended %v after SIGINT, want at most 2 s", took)
			}
			if cmd.ProcessState.ExitCode() == 0 {
				t.Errorf("an interrupted check exited 0")
			}
			if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
				t.Errorf("temporary folder not emptied: %d entries (first %s)", len(ents), ents[0].Name())
			}
			if strings.Contains(out.String(), "panic:") {
				t.Errorf("panic:\n%s", out.String())
			}
			log, _ := os.ReadFile(filepath.Join(base, "out", "command.log"))
			if opened := strings.Contains(string(log), "evidence opened"); opened != c.opened {
				t.Errorf("interrupted in the wrong phase (evidence opened: %v); adjust the input or the delay\n%s", opened, log)
			}
		})
	}
}

package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/huella-project/huella/internal/results"
)

// stopSignals end a run: Ctrl-C, a service manager's stop, a closed
// terminal. (On Windows, SIGTERM is what a console close or logoff sends;
// SIGHUP is never sent there, and listening for it is harmless.)
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// Main runs the command line as the huella binary does: the first stop
// signal cancels the run, which then stops its modules, keeps what ran
// (info.json says "interrupted"), removes every temporary file (decrypted
// copies included) and exits 130. If the run does not return in time (code
// blocked in a read), Main removes the run's temporary folders itself.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return mainWith(args, stdin, stdout, stderr, realDeps())
}

// mainWith is Main with the given deps. d.forceAfter is how long it waits,
// after a stop signal, for the command to clean up and write its
// interrupted results before it removes the temporary folders itself and
// exits. A second signal skips the wait.
func mainWith(args []string, stdin io.Reader, stdout, stderr io.Writer, d deps) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, stopSignals...)
	defer signal.Stop(sigs)
	done := make(chan int, 1)
	go func() { done <- runWith(ctx, args, stdin, stdout, stderr, d) }()
	select {
	case code := <-done:
		return code
	case sig := <-sigs:
		cancel()
		fmt.Fprintf(stderr, "\nhuella: %v: stopping (what ran is kept; temporary files are removed)\n", sig)
	}
	select {
	case <-done:
	case <-sigs:
		removeRunTemps()
		fmt.Fprintln(stderr, "huella: stopped at once; temporary files removed")
	case <-time.After(d.forceAfter):
		removeRunTemps()
		fmt.Fprintf(stderr, "huella: the run did not stop within %s; temporary files removed\n", d.forceAfter)
	}
	return results.ExitInterrupted
}

// runTemps are the private temporary folders of runs in progress (the
// evidence's decrypted or extracted copies live inside them), so that a
// forced stop can remove them even while a goroutine still uses one.
var runTemps = struct {
	sync.Mutex
	dirs map[string]bool
}{dirs: map[string]bool{}}

// newRunTemp makes a run's private temporary folder (0700) and registers
// it; the returned function removes it.
func newRunTemp(prefix string) (string, func(), error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, fmt.Errorf("private temporary folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	runTemps.Lock()
	runTemps.dirs[dir] = true
	runTemps.Unlock()
	return dir, func() {
		os.RemoveAll(dir)
		runTemps.Lock()
		delete(runTemps.dirs, dir)
		runTemps.Unlock()
	}, nil
}

func removeRunTemps() {
	runTemps.Lock()
	defer runTemps.Unlock()
	for d := range runTemps.dirs {
		os.RemoveAll(d)
		delete(runTemps.dirs, d)
	}
}

package hostile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// tempLimit is the most temporary disk one hostile case may use: the
// default budget's floor (huella's runs here are tiny inputs, so their
// budget is the floor).
const tempLimit = 1 << 30

// tempRoot holds every case's TMPDIR. When the tests run as root on Linux
// it is a tmpfs of tempFSSize, so a case that defeats the budget fails on a
// full tmpfs instead of filling the machine's disk; elsewhere it is a plain
// folder and the budget is checked by measurement alone.
var (
	tempRoot  string
	tempIsFS  bool
	unmountFn func()
)

// tempFSSize leaves room above tempLimit so that an overrun is measured
// rather than cut short.
const tempFSSize = tempLimit + 256<<20

func TestMain(m *testing.M) {
	var err error
	tempRoot, err = os.MkdirTemp("", "huella-hostile-tmp-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	tempIsFS, unmountFn = mountTmpfs(tempRoot, tempFSSize)
	code := m.Run()
	if unmountFn != nil {
		unmountFn()
	}
	os.RemoveAll(tempRoot)
	os.Exit(code)
}

// caseTemp is a fresh TMPDIR for one case inside tempRoot.
func caseTemp(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp(tempRoot, "case-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// diskMeter samples the temporary disk a run uses, every few milliseconds:
// on the tmpfs from the file system's own count (which includes files
// already deleted but still open), elsewhere by walking the folder.
type diskMeter struct {
	dir  string
	base int64
	stop chan struct{}
	done sync.WaitGroup
	mu   sync.Mutex
	peak int64
}

func startMeter(dir string) *diskMeter {
	m := &diskMeter{dir: dir, stop: make(chan struct{})}
	m.base = m.sample()
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			m.record()
			select {
			case <-m.stop:
				m.record()
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

func (m *diskMeter) record() {
	v := m.sample() - m.base
	m.mu.Lock()
	m.peak = max(m.peak, v)
	m.mu.Unlock()
}

func (m *diskMeter) sample() int64 {
	if tempIsFS {
		if used, ok := fsUsed(m.dir); ok {
			return used
		}
	}
	var n int64
	_ = filepath.WalkDir(m.dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += allocated(fi)
			}
		}
		return nil
	})
	return n
}

// Peak stops the meter and returns the most temporary disk seen in use.
func (m *diskMeter) Peak() int64 {
	close(m.stop)
	m.done.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peak
}

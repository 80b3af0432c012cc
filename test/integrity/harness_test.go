// Package integrity proves huella's promises about evidence: nothing in it
// changes, nothing appears beside it, temporary copies go away, output
// folders are private, secrets stay in memory, and nothing talks to the
// network. Every test builds or copies its evidence into a folder of its own.
package integrity

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/cli"
)

// fileState is everything about a file that an accidental write would change.
type fileState struct {
	Sum     string
	Size    int64
	Mode    fs.FileMode
	ModTime time.Time
	Link    string
}

// snapshot records root and everything below it. Directories are included so
// that a file created and removed again still shows (the folder's mtime moves).
func snapshot(t *testing.T, root string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fileState{Size: fi.Size(), Mode: fi.Mode(), ModTime: fi.ModTime()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			st.Link, err = os.Readlink(p)
		case fi.Mode().IsRegular():
			st.Sum, err = sha256File(p)
		case fi.IsDir():
			st.Size = 0 // directory sizes are file-system noise
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = st
		return err
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", root, err)
	}
	return out
}

func sha256File(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// diffSnapshots lists every path that changed, appeared or disappeared.
func diffSnapshots(before, after map[string]fileState) []string {
	var d []string
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			d = append(d, "removed "+p)
		case a != b:
			d = append(d, "changed "+p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			d = append(d, "appeared "+p)
		}
	}
	sort.Strings(d)
	return d
}

func assertUnchanged(t *testing.T, what string, before map[string]fileState, root string) {
	t.Helper()
	if d := diffSnapshots(before, snapshot(t, root)); len(d) > 0 {
		t.Errorf("%s: the evidence changed:\n  %s", what, strings.Join(d, "\n  "))
	}
}

// sandbox is one test's world: TMPDIR points into it, so the private temp
// folder and anything a library writes to the system temp folder is seen.
type sandbox struct {
	t    *testing.T
	root string
	tmp  string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	root := t.TempDir()
	s := &sandbox{t: t, root: root, tmp: filepath.Join(root, "tmp")}
	for _, d := range []string{s.tmp, filepath.Join(root, "data"), filepath.Join(root, "home")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TMPDIR", s.tmp)
	t.Setenv("HUELLA_IOCS", "")
	t.Setenv("HUELLA_DATA", filepath.Join(root, "data"))
	t.Setenv("HUELLA_BACKUP_PASSWORD", "")
	return s
}

// dir returns a new folder inside the sandbox.
func (s *sandbox) dir(name string) string {
	p := filepath.Join(s.root, name)
	if err := os.MkdirAll(p, 0o755); err != nil {
		s.t.Fatal(err)
	}
	return p
}

type runResult struct {
	code           int
	stdout, stderr string
}

// run executes huella in-process and checks the temp folder is empty after.
func (s *sandbox) run(args ...string) runResult {
	s.t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	r := runResult{code, out.String(), errb.String()}
	noPanic(s.t, r.stdout+r.stderr)
	s.assertTmpEmpty(strings.Join(args, " "))
	return r
}

func (s *sandbox) assertTmpEmpty(what string) {
	s.t.Helper()
	ents, err := os.ReadDir(s.tmp)
	if err != nil {
		s.t.Fatal(err)
	}
	if len(ents) > 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		s.t.Errorf("%s: left in the temp folder: %v", what, names)
	}
}

func noPanic(t *testing.T, text string) {
	t.Helper()
	for _, bad := range []string{"panic:", "goroutine ", "runtime error"} {
		if strings.Contains(text, bad) {
			t.Errorf("output holds %q:\n%s", bad, text)
		}
	}
}

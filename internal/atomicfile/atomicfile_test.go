package atomicfile

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteJSONReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.WriteJSON("info.json", map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteJSON("info.json", map[string]string{"b": "<x>"}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "info.json")); got != "{\n  \"b\": \"<x>\"\n}\n" {
		t.Errorf("got %q", got)
	}
	if e := entries(t, dir); len(e) != 1 {
		t.Errorf("temporary files left: %v", e)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(filepath.Join(dir, "info.json"))
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", fi.Mode().Perm())
		}
	}
}

// TestFailuresKeepThePreviousFile: an encoding error, a producer error or
// an empty body never replaces the good copy and leaves no temporary file.
func TestFailuresKeepThePreviousFile(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.WriteJSON("x.json", 1); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	cases := []struct {
		name string
		do   func() error
		want error
	}{
		{"encode error", func() error { return d.WriteJSON("x.json", math.Inf(1)) }, nil},
		{"producer error after writing", func() error {
			return d.WriteWith("x.json", func(w io.Writer) error { w.Write([]byte("partial")); return boom })
		}, boom},
		{"empty", func() error { return d.WriteWith("x.json", func(io.Writer) error { return nil }) }, ErrEmpty},
		{"failed streaming file", func() error {
			f, err := d.Create("x.json")
			if err != nil {
				return err
			}
			f.WriteString("half")
			f.Fail(boom)
			return f.Commit()
		}, boom},
		{"name with a folder", func() error { return d.WriteJSON("../x.json", 1) }, nil},
	}
	for _, c := range cases {
		err := c.do()
		if err == nil {
			t.Errorf("%s: no error", c.name)
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
		if got := readFile(t, filepath.Join(dir, "x.json")); got != "1\n" {
			t.Errorf("%s: previous file changed to %q", c.name, got)
		}
		if e := entries(t, dir); len(e) != 1 {
			t.Errorf("%s: left %v", c.name, e)
		}
	}
}

// TestLinksAreNotFollowed: links planted in an output folder, to a file
// outside it, are replaced, never written through.
func TestLinksAreNotFollowed(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(outside, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"info.json", "command.log"} {
		if err := os.Symlink(outside, filepath.Join(dir, n)); err != nil {
			t.Skip("symbolic links unavailable:", err)
		}
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.WriteJSON("info.json", "new"); err != nil {
		t.Fatal(err)
	}
	lf, err := d.CreateLog("command.log")
	if err != nil {
		t.Fatal(err)
	}
	lf.WriteString("log line\n")
	lf.Close()
	if got := readFile(t, outside); got != "keep me" {
		t.Errorf("written through a link: %q", got)
	}
	for _, n := range []string{"info.json", "command.log"} {
		fi, err := os.Lstat(filepath.Join(dir, n))
		if err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s is not a regular file now: %v %v", n, fi, err)
		}
	}
}

func TestWriteFileAndCommitTwice(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	if err := WriteBytes(p, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "{}\n" {
		t.Errorf("got %q", got)
	}
	d, _ := OpenDir(filepath.Dir(p))
	defer d.Close()
	f, err := d.Create("a")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("x")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Errorf("second commit: %v", err)
	}
	f.Abort() // after commit: nothing happens
	if got := readFile(t, filepath.Join(filepath.Dir(p), "a")); got != "x" {
		t.Errorf("got %q", got)
	}
	if !IsTemp(".a.tmp-ABC") || IsTemp("a.json") || !strings.HasPrefix(f.tmp, ".a.tmp-") {
		t.Error("IsTemp")
	}
}

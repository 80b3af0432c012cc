// Package atomicfile is the one way huella writes a file it produces
// (results, the report, downloaded feeds, lock files). Each file is written
// under a temporary name in its final folder, flushed and synced, then
// renamed over the final name, so:
//
//   - a reader never sees half a file, and an interrupted or failed write
//     keeps the previous good copy (or no file at all);
//   - write, encode, flush, sync and close errors all reach the caller,
//     and an empty file is never renamed into place;
//   - nothing is written through a symbolic link planted in the folder:
//     files are opened through an os.Root (no path may leave the folder),
//     the temporary file is created exclusively (O_EXCL never follows a
//     link), and the rename replaces a link rather than its target. This
//     holds on Linux, macOS and Windows alike.
package atomicfile

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// ErrEmpty is returned by Commit when nothing was written: an empty file
// never replaces a good one.
var ErrEmpty = errors.New("nothing was written")

// Dir is a folder files are written into. It holds the folder open, so a
// folder swapped for a link after opening is not followed either.
type Dir struct {
	root *os.Root
	path string
}

// OpenDir opens an existing folder for writing.
func OpenDir(path string) (*Dir, error) {
	r, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	return &Dir{root: r, path: path}, nil
}

// Path is the folder's path as given to OpenDir.
func (d *Dir) Path() string { return d.path }

// Close releases the folder.
func (d *Dir) Close() error { return d.root.Close() }

// checkName accepts only a plain file name: outputs live directly in their
// folder, and a name can never point elsewhere.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || filepath.Base(name) != name {
		return fmt.Errorf("atomicfile: %q is not a plain file name", name)
	}
	return nil
}

// File is a file being written. Nothing appears under its name until
// Commit; Abort (or a failed Commit) removes every trace of it.
type File struct {
	d     *Dir
	name  string
	tmp   string
	f     *os.File
	w     *bufio.Writer
	n     int64
	err   error
	mu    sync.Mutex
	ended bool
}

// Create starts writing name in d.
func (d *Dir) Create(name string) (*File, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	for range 100 {
		tmp := "." + name + ".tmp-" + rand.Text()[:12]
		f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(d.path, name), err)
		}
		return &File{d: d, name: name, tmp: tmp, f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
	}
	return nil, fmt.Errorf("%s: no free temporary name", filepath.Join(d.path, name))
}

// IsTemp says whether a folder entry is one of this package's temporary
// files (left behind only if the process was killed mid-write).
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// Write buffers p. The first error sticks: Commit then fails with it.
func (f *File) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return 0, f.err
	}
	if f.ended {
		return 0, os.ErrClosed
	}
	n, err := f.w.Write(p)
	f.n += int64(n)
	if err != nil {
		f.err = err
	}
	return n, err
}

// WriteString is Write for strings.
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// Fail makes Commit fail with err (for a producer that met an error midway
// through writing).
func (f *File) Fail(err error) {
	f.mu.Lock()
	if f.err == nil && err != nil {
		f.err = err
	}
	f.mu.Unlock()
}

// Commit flushes, syncs and renames the file into place. It fails, leaving
// any previous file untouched, if any write failed or nothing was written.
func (f *File) Commit() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ended {
		return nil
	}
	f.ended = true
	err := f.err
	if err == nil {
		err = f.w.Flush()
	}
	if err == nil && f.n == 0 {
		err = ErrEmpty
	}
	if err == nil {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = f.d.root.Rename(f.tmp, f.name)
	}
	if err != nil {
		f.d.root.Remove(f.tmp)
		return fmt.Errorf("%s: %w", filepath.Join(f.d.path, f.name), err)
	}
	f.d.syncDir()
	return nil
}

// Abort discards the file. It is safe after Commit (then it does nothing).
func (f *File) Abort() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ended {
		return
	}
	f.ended = true
	f.f.Close()
	f.d.root.Remove(f.tmp)
}

// syncDir makes the rename itself durable where the system allows it
// (Windows has no directory handles to sync).
func (d *Dir) syncDir() {
	if runtime.GOOS == "windows" {
		return
	}
	if df, err := d.root.Open("."); err == nil {
		df.Sync()
		df.Close()
	}
}

// WriteWith writes name through write, atomically.
func (d *Dir) WriteWith(name string, write func(io.Writer) error) error {
	f, err := d.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Abort()
		return fmt.Errorf("%s: %w", filepath.Join(d.path, name), err)
	}
	return f.Commit()
}

// WriteJSON writes v as indented JSON (no HTML escaping: these files are
// read by tools, and the report escapes for itself).
func (d *Dir) WriteJSON(name string, v any) error {
	return d.WriteWith(name, func(w io.Writer) error { return EncodeJSON(w, v) })
}

// EncodeJSON is the JSON form every results file uses.
func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteFile writes the file at path atomically (its folder must exist).
func WriteFile(path string, write func(io.Writer) error) error {
	d, err := OpenDir(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.WriteWith(filepath.Base(path), write)
}

// WriteBytes writes b to path atomically.
func WriteBytes(path string, b []byte) error {
	return WriteFile(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// CreateLog creates name for appending as the run goes (command.log), a
// fresh file: whatever was there, a link included, is removed first and the
// file is created exclusively, so no link is ever followed.
func (d *Dir) CreateLog(name string) (*os.File, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := d.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return d.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
}

// Remove deletes name from the folder (a link itself, never its target).
func (d *Dir) Remove(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return d.root.Remove(name)
}

// Entries lists the folder's entry names.
func (d *Dir) Entries() ([]string, error) {
	f, err := d.root.Open(".")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

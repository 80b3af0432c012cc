package scratch

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/huella-project/huella/internal/source/evfile"
)

// Dir is a private temporary folder (0700) whose writes draw on a Budget.
// Close removes it; a goroutine still running after Close (a module that
// overran its deadline) cannot recreate it: new files are made through an
// os.Root on the removed folder, which fails, and the budget refuses.
type Dir struct {
	path   string
	root   *os.Root
	budget *Budget
	once   sync.Once
}

// New makes a private folder under parent ("" = the system's) drawing on b.
func New(parent, prefix string, b *Budget) (*Dir, error) {
	p, err := os.MkdirTemp(parent, prefix)
	if err != nil {
		return nil, fmt.Errorf("private temporary folder: %w", err)
	}
	if err := os.Chmod(p, 0o700); err != nil {
		os.RemoveAll(p)
		return nil, err
	}
	r, err := os.OpenRoot(p)
	if err != nil {
		os.RemoveAll(p)
		return nil, err
	}
	if b == nil {
		b = Unlimited()
	}
	return &Dir{path: p, root: r, budget: b}, nil
}

// Path is the folder's path on disk.
func (d *Dir) Path() string { return d.path }

// Budget is the budget the folder draws on.
func (d *Dir) Budget() *Budget { return d.budget }

// Join is the on-disk path of rel inside the folder.
func (d *Dir) Join(rel string) string { return filepath.Join(d.path, filepath.FromSlash(rel)) }

// Mkdir makes the folder rel (and its parents) and returns its path.
func (d *Dir) Mkdir(rel string) (string, error) {
	if d.budget.isClosed() {
		return "", ErrClosed
	}
	if err := d.root.MkdirAll(rel, 0o700); err != nil {
		return "", err
	}
	return d.Join(rel), nil
}

// MkdirTemp makes a new uniquely named folder and returns its path.
func (d *Dir) MkdirTemp(prefix string) (string, error) {
	if d.budget.isClosed() {
		return "", ErrClosed
	}
	for i := 0; ; i++ {
		rel := fmt.Sprintf("%s%d", prefix, seq())
		err := d.root.Mkdir(rel, 0o700)
		if err == nil {
			return d.Join(rel), nil
		}
		if !os.IsExist(err) || i > 100 {
			return "", err
		}
	}
}

var (
	seqMu sync.Mutex
	seqN  int
)

func seq() int {
	seqMu.Lock()
	defer seqMu.Unlock()
	seqN++
	return seqN
}

// Create makes the new file rel after reserving declared bytes for what.
// The returned writer refuses to write more than declared: the evidence
// lied about a size, and the budget counted the declared one.
func (d *Dir) Create(rel, what string, declared int64) (*File, error) {
	if err := d.budget.Reserve(what, declared); err != nil {
		return nil, err
	}
	f, err := d.root.OpenFile(rel, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		d.budget.Release(declared)
		return nil, err
	}
	return &File{f: f, what: what, left: declared, budget: d.budget}, nil
}

// CopyIn copies r into the new file rel, at most declared bytes, reserved
// first. It returns the path on disk.
func (d *Dir) CopyIn(rel, what string, r io.Reader, declared int64) (string, error) {
	f, err := d.Create(rel, what, declared)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// A partial copy is of no use; its room goes back with it.
		if d.root.Remove(rel) == nil {
			d.budget.Release(f.written)
		}
		return "", err
	}
	return d.Join(rel), nil
}

// Close removes the folder and refuses every later write of the run.
func (d *Dir) Close() error {
	var err error
	d.once.Do(func() {
		d.budget.Close()
		d.root.Close()
		err = os.RemoveAll(d.path)
	})
	return err
}

// File is a temporary file being written within its reservation.
type File struct {
	f       *os.File
	what    string
	left    int64
	written int64
	budget  *Budget
}

// Write refuses bytes past the reservation and writes after the run ended.
func (f *File) Write(p []byte) (int, error) {
	if int64(len(p)) > f.left {
		return 0, fmt.Errorf("%s: more bytes than declared (%s reserved): %w", f.what, evfile.Size(f.left), ErrBudget)
	}
	if f.budget.isClosed() {
		return 0, fmt.Errorf("%s: %w", f.what, ErrClosed)
	}
	n, err := f.f.Write(p)
	f.left -= int64(n)
	f.written += int64(n)
	return n, err
}

// Extend reserves n more bytes for the file from the run's budget, for a
// file written piece by piece (the pack of a compressed dump's contents):
// each piece is reserved before it is written, as a whole file would be.
func (f *File) Extend(n int64) error {
	if err := f.budget.Reserve(f.what, n); err != nil {
		return err
	}
	f.left += n
	return nil
}

// Close closes the file; unused reservation is given back.
func (f *File) Close() error {
	f.budget.Release(f.left)
	f.left = 0
	return f.f.Close()
}

// Discard removes a closed file and gives its room back to the budget
// (a pack of a compressed archive that turned out not to be a dump).
func (f *File) Discard() error {
	err := os.Remove(f.f.Name())
	if err == nil {
		f.budget.Release(f.written)
		f.written = 0
	}
	return err
}

// Truncate shrinks the file (padding removed after decryption).
func (f *File) Truncate(size int64) error {
	if size > f.written {
		return fmt.Errorf("%s: cannot grow a temporary file by truncation", f.what)
	}
	if err := f.f.Truncate(size); err != nil {
		return err
	}
	f.budget.Release(f.written - size)
	f.written = size
	return nil
}

// Name is the file's path on disk.
func (f *File) Name() string { return f.f.Name() }

// DiskUsage is the space the file or folder at p takes on disk (allocated
// blocks, so sparse files count for what they really hold).
func DiskUsage(p string) int64 {
	fi, err := os.Lstat(p)
	if err != nil {
		return 0
	}
	if !fi.IsDir() {
		if fi.Mode()&fs.ModeSymlink != 0 {
			if fi, err = os.Stat(p); err != nil || fi.IsDir() {
				if err == nil {
					return dirUsage(p)
				}
				return 0
			}
		}
		return allocated(fi)
	}
	return dirUsage(p)
}

// Allocated is the disk a file really takes (blocks where the system
// reports them, else its size).
func Allocated(fi fs.FileInfo) int64 { return allocated(fi) }

func dirUsage(p string) int64 {
	var n int64
	_ = filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += allocated(fi)
			}
		}
		return nil
	})
	return n
}

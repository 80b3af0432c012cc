package phoneexport

import (
	"errors"
	"io/fs"
	"path"
)

// ErrNotOpened is what opening a file of a Safari export that is not on the
// allow list returns: the file may hold passwords or payment cards.
var ErrNotOpened = errors.New("never opened: a file of a Safari export that may hold secrets")

// allowFS shows only the folders and the allowed files of base: the other
// files are absent from listings, and opening one by name fails without
// touching it. Whether a name is a folder is read from its parent's
// listing, so even a refused file is never opened to find out.
type allowFS struct {
	base  fs.FS
	allow func(name string) bool
}

func (a *allowFS) isDir(name string) bool {
	if name == "." {
		return true
	}
	ents, err := fs.ReadDir(a.base, path.Dir(name))
	if err != nil {
		return false
	}
	for _, e := range ents {
		if e.Name() == path.Base(name) {
			return e.IsDir()
		}
	}
	return false
}

func (a *allowFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if a.allow(name) || a.isDir(name) {
		return a.base.Open(name)
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: ErrNotOpened}
}

func (a *allowFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !a.isDir(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	ents, err := fs.ReadDir(a.base, name)
	out := ents[:0:0]
	for _, e := range ents {
		if e.IsDir() || a.allow(path.Join(name, e.Name())) {
			out = append(out, e)
		}
	}
	return out, err
}

func (a *allowFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if a.allow(name) || a.isDir(name) {
		return fs.Stat(a.base, name)
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// refused lists, sorted, the regular files of base that allow leaves out
// (at most max, by name only: none is opened).
func refused(base fs.FS, allow func(string) bool, max int) []string {
	var out []string
	_ = fs.WalkDir(base, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if len(out) >= max {
			return fs.SkipAll
		}
		if !d.IsDir() && !allow(p) && path.Base(p) != ".DS_Store" {
			out = append(out, p)
		}
		return nil
	})
	return out
}

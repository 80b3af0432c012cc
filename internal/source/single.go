package source

import (
	"io/fs"
	"path/filepath"
	"time"

	"github.com/huella-project/huella/internal/source/evfile"
)

// OneFile is the evidence tree of a single file handed over on its own:
// a folder holding just that file, under name (its own base name, or the
// name the modules look for). It is read through evfile.Dir, so a named
// pipe or a link out of its folder is refused as anywhere else.
func OneFile(p, name string) fs.FS {
	return &oneFile{dir: evfile.Dir(filepath.Dir(p)), name: name, real: filepath.Base(p)}
}

// oneFile is a folder holding one file: the evidence a person hands over
// when it is a single file (an App Privacy Report, one crash report, a bug
// report's text). name is the file's logical name, real its name in dir.
type oneFile struct {
	dir        evfile.Dir
	name, real string
}

func (f *oneFile) Open(name string) (fs.File, error) {
	switch {
	case !fs.ValidPath(name):
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	case name == ".":
		ents, err := f.ReadDir(".")
		if err != nil {
			return nil, err
		}
		return &DirFile{Path: ".", Info: dirInfo{}, Entries: ents}, nil
	case name == f.name:
		return f.dir.Open(f.real)
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (f *oneFile) Stat(name string) (fs.FileInfo, error) {
	switch name {
	case ".":
		return dirInfo{}, nil
	case f.name:
		fi, err := f.dir.Stat(f.real)
		if err != nil {
			return nil, err
		}
		return namedInfo{fi, f.name}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

func (f *oneFile) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	fi, err := f.Stat(f.name)
	if err != nil {
		return nil, err
	}
	return []fs.DirEntry{fs.FileInfoToDirEntry(fi)}, nil
}

// LocalPath lets readers that need a path on disk use the file in place.
func (f *oneFile) LocalPath(name string) (string, bool) {
	if name != f.name {
		return "", false
	}
	return f.dir.LocalPath(f.real)
}

type namedInfo struct {
	fs.FileInfo
	name string
}

func (n namedInfo) Name() string { return n.name }

type dirInfo struct{}

func (dirInfo) Name() string       { return "." }
func (dirInfo) Size() int64        { return 0 }
func (dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o500 }
func (dirInfo) ModTime() time.Time { return time.Time{} }
func (dirInfo) IsDir() bool        { return true }
func (dirInfo) Sys() any           { return nil }

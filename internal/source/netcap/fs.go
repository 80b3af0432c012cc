package netcap

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/source"
)

// tree is the logical file system: each logical file is a file of an
// underlying evidence file system (an evfile.Dir, a zip, an extracted
// archive), so every read still goes through that file system's checks.
type tree struct {
	files map[string]entry    // logical path -> where the bytes are
	dirs  map[string][]string // logical folder -> its children's names, sorted
}

type entry struct {
	fsys fs.FS
	name string
}

func newTree() *tree { return &tree{files: map[string]entry{}, dirs: map[string][]string{".": nil}} }

// add places a file at a free logical path, adding " (2)"-style suffixes
// when two inputs share a name; it returns the path used.
func (t *tree) add(logical string, fsys fs.FS, name string) string {
	p := logical
	for i := 2; ; i++ {
		if _, taken := t.files[p]; !taken {
			if _, isDir := t.dirs[p]; !isDir {
				break
			}
		}
		ext := path.Ext(logical)
		p = strings.TrimSuffix(logical, ext) + "-" + strconv.Itoa(i) + ext
	}
	t.files[p] = entry{fsys: fsys, name: name}
	child := p
	for {
		dir := path.Dir(child)
		base := path.Base(child)
		kids, seen := t.dirs[dir]
		i := sort.SearchStrings(kids, base)
		if i == len(kids) || kids[i] != base {
			t.dirs[dir] = slices.Insert(kids, i, base)
		}
		if seen || dir == "." {
			break
		}
		child = dir
	}
	return p
}

// Open implements fs.FS.
func (t *tree) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if e, ok := t.files[name]; ok {
		f, err := e.fsys.Open(e.name)
		if err != nil {
			return nil, err
		}
		return &namedFile{File: f, name: path.Base(name)}, nil
	}
	if _, ok := t.dirs[name]; ok {
		ents, err := t.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &source.DirFile{Path: name, Info: dirInfo(path.Base(name)), Entries: ents}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// ReadDir implements fs.ReadDirFS.
func (t *tree) ReadDir(name string) ([]fs.DirEntry, error) {
	kids, ok := t.dirs[name]
	if !ok {
		if _, isFile := t.files[name]; isFile {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
		}
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(kids))
	for _, k := range kids {
		p := path.Join(name, k)
		if _, isDir := t.dirs[p]; isDir {
			out = append(out, fs.FileInfoToDirEntry(dirInfo(k)))
			continue
		}
		out = append(out, &lazyEntry{t: t, path: p, base: k})
	}
	return out, nil
}

// Stat implements fs.StatFS.
func (t *tree) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if e, ok := t.files[name]; ok {
		fi, err := fs.Stat(e.fsys, e.name)
		if err != nil {
			return nil, err
		}
		return renamed{fi, path.Base(name)}, nil
	}
	if _, ok := t.dirs[name]; ok {
		return dirInfo(path.Base(name)), nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// lazyEntry is a file's directory entry; its Info is the underlying file's.
type lazyEntry struct {
	t    *tree
	path string
	base string
}

func (e *lazyEntry) Name() string               { return e.base }
func (e *lazyEntry) IsDir() bool                { return false }
func (e *lazyEntry) Type() fs.FileMode          { return 0 }
func (e *lazyEntry) Info() (fs.FileInfo, error) { return e.t.Stat(e.path) }

// namedFile is an underlying file seen under its logical name.
type namedFile struct {
	fs.File
	name string
}

func (f *namedFile) Stat() (fs.FileInfo, error) {
	fi, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	return renamed{fi, f.name}, nil
}

type renamed struct {
	fs.FileInfo
	name string
}

func (r renamed) Name() string { return r.name }

type dirInfo string

func (d dirInfo) Name() string       { return string(d) }
func (d dirInfo) Size() int64        { return 0 }
func (d dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o500 }
func (d dirInfo) ModTime() time.Time { return time.Time{} }
func (d dirInfo) IsDir() bool        { return true }
func (d dirInfo) Sys() any           { return nil }

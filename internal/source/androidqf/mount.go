package androidqf

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/source/androidab"
)

// mountFS shows sub as the folder name inside base, so an unpacked
// backup.ab appears in the acquisition's tree without touching base.
type mountFS struct {
	base fs.FS
	name string
	sub  fs.FS
}

func (m *mountFS) split(name string) (string, bool) {
	if name == m.name {
		return ".", true
	}
	if rel, ok := strings.CutPrefix(name, m.name+"/"); ok {
		return rel, true
	}
	return "", false
}

func (m *mountFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if rel, ok := m.split(name); ok {
		return m.sub.Open(rel)
	}
	return m.base.Open(name)
}

func (m *mountFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if rel, ok := m.split(name); ok {
		return fs.ReadDir(m.sub, rel)
	}
	ents, err := fs.ReadDir(m.base, name)
	if err != nil || name != "." {
		return ents, err
	}
	ents = append(ents, mountEntry(path.Base(m.name)))
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	return ents, nil
}

func (m *mountFS) LocalPath(name string) (string, bool) {
	fsys, rel := m.base, name
	if r, ok := m.split(name); ok {
		fsys, rel = m.sub, r
	}
	if lp, ok := fsys.(interface{ LocalPath(string) (string, bool) }); ok {
		return lp.LocalPath(rel)
	}
	return "", false
}

// EntryIndex passes the archive order of a mounted backup through, so the
// SMS module reads a nested backup.ab in tar order as it does a lone .ab.
func (m *mountFS) EntryIndex(name string) (int, bool) {
	fsys, rel := m.base, name
	if r, ok := m.split(name); ok {
		fsys, rel = m.sub, r
	}
	if ix, ok := fsys.(androidab.EntryIndexer); ok {
		return ix.EntryIndex(rel)
	}
	return 0, false
}

type mountEntry string

func (e mountEntry) Name() string               { return string(e) }
func (e mountEntry) IsDir() bool                { return true }
func (e mountEntry) Type() fs.FileMode          { return fs.ModeDir }
func (e mountEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e mountEntry) Size() int64                { return 0 }
func (e mountEntry) Mode() fs.FileMode          { return fs.ModeDir | 0o500 }
func (e mountEntry) ModTime() time.Time         { return time.Time{} }
func (e mountEntry) Sys() any                   { return nil }

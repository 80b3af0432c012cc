package archive

import (
	"io/fs"
	"os"
	"path/filepath"
)

// DirFS is os.DirFS that also tells SQLite where each file lives on disk
// (source.LocalPather), so databases in a folder are not copied needlessly.
type DirFS string

func (d DirFS) Open(name string) (fs.File, error) { return os.DirFS(string(d)).Open(name) }

func (d DirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return os.DirFS(string(d)).(fs.ReadDirFS).ReadDir(name)
}

func (d DirFS) Stat(name string) (fs.FileInfo, error) {
	return os.DirFS(string(d)).(fs.StatFS).Stat(name)
}

func (d DirFS) LocalPath(name string) (string, bool) {
	if !fs.ValidPath(name) {
		return "", false
	}
	return filepath.Join(string(d), filepath.FromSlash(name)), true
}

package source

import (
	"errors"
	"io"
	"io/fs"
)

// DirFile is an opened folder of an evidence file system that lists its
// folders itself (a backup's manifest, an archive's index, a capture's
// folder of logs): Read fails as on any folder, and ReadDir pages through
// Entries as fs.ReadDirFile promises. List, when set, gives the entries on
// the first ReadDir instead (a folder of a large dump is listed only when
// asked).
type DirFile struct {
	Path    string // the name it was opened as, for errors
	Info    fs.FileInfo
	Entries []fs.DirEntry
	List    func() []fs.DirEntry
}

func (d *DirFile) Stat() (fs.FileInfo, error) { return d.Info, nil }
func (d *DirFile) Close() error               { return nil }

func (d *DirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.Path, Err: errors.New("is a directory")}
}

func (d *DirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.List != nil {
		d.Entries, d.List = d.List(), nil
	}
	if n <= 0 {
		out := d.Entries
		d.Entries = nil
		return out, nil
	}
	if len(d.Entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.Entries))
	out := d.Entries[:n]
	d.Entries = d.Entries[n:]
	return out, nil
}

package opener

import (
	"io/fs"
	"path/filepath"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

func openUnifiedLog(p string, tmp *scratch.Dir) (*source.Evidence, error) {
	fsys := oneFile{dir: evfile.Dir(filepath.Dir(p)), name: filepath.Base(p)}
	ev := &source.Evidence{Kind: source.IOSUnifiedLog, Path: p, FS: fsys, TempDir: tmp.Path(), Temp: tmp}
	ev.Device.Platform = "ios"
	return ev, nil
}

// oneFile is a folder's file system reduced to one file: the evidence is
// that file, not what lies beside it.
type oneFile struct {
	dir  evfile.Dir
	name string
}

func (o oneFile) Open(name string) (fs.File, error) {
	if name != o.name && name != "." {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.dir.Open(name)
}

func (o oneFile) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	fi, err := o.dir.Stat(o.name)
	if err != nil {
		return nil, err
	}
	return []fs.DirEntry{fs.FileInfoToDirEntry(fi)}, nil
}

func (o oneFile) Stat(name string) (fs.FileInfo, error) {
	if name != o.name && name != "." {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return o.dir.Stat(name)
}

package opener

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path/filepath"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// unifiedLogHead is how much of a file is read to recognise a unified-log
// export: its first line, which for `log show --style ndjson` is about a
// kilobyte.
const unifiedLogHead = 64 << 10

// IsUnifiedLogExport says whether the first line of head is a unified-log
// entry as JSON: `log show --style ndjson` writes eventMessage and
// processImagePath, Mandiant's unifiedlog tool (JSON lines) process,
// message and time. Recognised by content: the file may be named anything.
func IsUnifiedLogExport(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if len(head) == 0 || head[0] != '{' {
		return false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(head, &m) != nil {
		return false
	}
	has := func(k string) bool { _, ok := m[k]; return ok }
	return has("eventMessage") && (has("processImagePath") || has("senderImagePath")) ||
		has("process") && has("time") && (has("message") || has("raw_message")) && has("subsystem")
}

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

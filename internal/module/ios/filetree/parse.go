package filetree

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// MaxEntries bounds the walk on hostile evidence; a full iPhone dump holds
// well under this.
const MaxEntries = 10_000_000

// Entry is one folder or file.
type Entry struct {
	Path     string    `json:"path"` // device path, with its leading slash
	Dir      bool      `json:"dir,omitempty"`
	Size     int64     `json:"size,omitempty"`
	Modified time.Time `json:"modified,omitzero"`
}

func run(ctx context.Context, env *module.Env) error {
	n := 0
	if t, ok := env.Evidence.FS.(source.Tree); ok {
		// A dump's index: the tree streams from memory, one record per
		// entry, with no system call and no list of paths.
		err := t.WalkTree(func(p []byte, in source.EntryInfo) error {
			if n++; n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if n > MaxEntries {
				return fmt.Errorf("more than %d entries in the file tree; the rest was not listed", MaxEntries)
			}
			// One string per entry: the logical path, the record's source
			// and the observables are slices of the device path.
			e := Entry{Path: "/" + string(p), Dir: in.Dir, Modified: in.Modified}
			if !in.Dir {
				e.Size = in.Size
			}
			env.Emit(record(e.Path[1:], &e))
			return nil
		})
		if n == 0 && err == nil {
			return module.Absent("file tree")
		}
		return err
	}
	err := fs.WalkDir(env.Evidence.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			env.Unreadable(p, err) // a part of the tree not listed: a gap
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == "." {
			return nil
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if n > MaxEntries {
			return fmt.Errorf("more than %d entries in the file tree; the rest was not listed", MaxEntries)
		}
		e := Entry{Path: "/" + p, Dir: d.IsDir()}
		if fi, err := d.Info(); err == nil {
			e.Modified = fi.ModTime()
			if !e.Dir {
				e.Size = fi.Size()
			}
		}
		env.Emit(record(p, &e))
		return nil
	})
	if n == 0 && err == nil {
		return module.Absent("file tree")
	}
	return err
}

func record(p string, e *Entry) *model.Record {
	r := &model.Record{Source: p, Data: e, Summary: e.Path}
	r.Add(model.KindFilePath, e.Path, "path")
	r.Add(model.KindProcess, path.Base(p), "name")
	r.Stamp(e.Modified, "file_modified")
	return r
}

// Package filetree is the ios.filesystem module: every folder and file of a
// file-system dump, so path and file-name indicators (implant folders such
// as com.apple.xpc.roleaccountd.staging, dropped stage files) are matched
// and every modification time lands on the timeline.
//
// Each entry is one record with its path and a process observable for its
// own name: every component of every path is the name of some entry, so a
// process indicator equal to any path component is matched exactly once, on
// the folder or file that carries it. One stamp (file_modified) per entry is
// kept, as triangle-style correlation needs the quiet preference-file
// changes wherever they are; the timeline spills to disk. A dump's index
// (source.Tree, internal/source/fsdump) is walked from memory, streaming
// one record per entry; other file systems are walked with fs.WalkDir.
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
var MaxEntries = 10_000_000

// Def is the ios.filesystem module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.filesystem",
		Description: "File tree of the dump: every folder and file path, with its modification time.",
		Kinds:       []source.Kind{source.IOSFS},
		Paths:       []string{"**"},
		Run:         run,
	}
}

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
			env.Warn("%s: %v", p, err)
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

package bugreport

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/android/dumpsystext"
	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/android/dumpsys"
	"github.com/huella-project/huella/internal/timestamp"
)

func runGetprop(ctx context.Context, env *module.Env) error {
	// No service is wanted: only the properties block is kept.
	d, name, err := dumpsys.Load(ctx, env, "-")
	if err != nil {
		return err
	}
	if !d.HasProperties {
		return module.Absent("SYSTEM PROPERTIES block in " + name)
	}
	now := time.Now()
	if a := env.Evidence.Device.Acquired; a != nil {
		now = *a
	}
	for _, p := range dumpsystext.ParseGetprop(d.Properties) {
		r := &model.Record{Source: name, Summary: fmt.Sprintf("%s = %s", p.Name, p.Value), Data: p}
		r.Add(model.KindAndroidProperty, p.Name, "name")
		env.Emit(r)
		if p.Name == "ro.build.version.security_patch" {
			env.Report(android.SecurityPatchAge(p.Value, now), r)
		}
	}
	return nil
}

// FileEntry is one device file copied into the bugreport.
type FileEntry struct {
	Path     string    `json:"path"` // device path
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified_time,omitzero"`
}

func runFiles(ctx context.Context, env *module.Env) error {
	root := dumpsys.BugreportRoot(env.Evidence)
	found := env.Find(root + "FS/**")
	if len(found) == 0 {
		return module.Absent(root + "FS/ folder")
	}
	loc := env.Evidence.Device.Location()
	for i, f := range found {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		fi, err := fs.Stat(env.Evidence.FS, f)
		if err != nil {
			env.Unreadable(f, err)
			continue
		}
		e := FileEntry{Path: "/" + strings.TrimPrefix(f, root+"FS/"), Size: fi.Size(), Modified: zipLocal(fi.ModTime(), loc)}
		// A time past 2100 (an extended zip timestamp can say anything)
		// is kept on the record as stored, not in the data as a date.
		merr := timestamp.Check(e.Modified)
		if merr != nil {
			e.Modified = time.Time{}
		}
		r := &model.Record{Source: f, Summary: e.Path, Data: e}
		r.Add(model.KindFilePath, e.Path, "path")
		r.StampChecked(e.Modified, merr, "file_modified")
		env.Emit(r)
	}
	return nil
}

// zipLocal reinterprets a time in the device's zone when the file system
// reports it without one (zip entries store local wall-clock times, which
// archive/zip returns as UTC when no extended timestamp is present).
func zipLocal(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() || t.Year() < 1981 {
		return time.Time{}
	}
	if loc == nil || t.Location() != time.UTC {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}

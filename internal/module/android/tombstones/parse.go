package tombstones

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/android/tombstone"
	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/evfile"
)

func run(ctx context.Context, env *module.Env) error {
	files := env.Find(Paths...)
	if len(files) == 0 {
		return module.Absent("tombstone_* files")
	}
	var parsed []*tombstone.Tombstone
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, err := parseFile(env, f)
		if err != nil {
			env.Warn("%v", err)
			continue
		}
		parsed = append(parsed, t)
	}
	for _, t := range tombstone.Pair(parsed) {
		r := &model.Record{Source: strings.Join(t.Files, ", "), Data: t,
			Summary: fmt.Sprintf("Crash of %q (pid %d, uid %d) with %s", t.ProcessName, t.PID, t.UID, t.Signal.Name)}
		r.Add(model.KindProcess, t.ProcessName, "process_name")
		if exe := t.Executable(); exe != "" && exe != t.ProcessName {
			r.Add(model.KindProcess, exe, "command_line")
		}
		r.Add(model.KindFilePath, t.BinaryPath, "binary_path")
		// App processes are named after their package ("com.app:remote").
		if app, _, _ := strings.Cut(t.ProcessName, ":"); strings.Contains(app, ".") && !strings.Contains(app, "/") {
			r.Add(model.KindAppID, app, "process_name")
		}
		r.Stamp(t.Timestamp, "crash")
		// The two forms of one crash may disagree: a date that is no
		// plausible date is kept as written beside the other's.
		r.StampChecked(time.Time{}, t.TimeErr(), "crash")
		env.Emit(r)
		env.Report(android.PrivilegedCrash(t.ProcessName, t.UID, t.Signal.Name), r)
	}
	return nil
}

func parseFile(env *module.Env, name string) (*tombstone.Tombstone, error) {
	if path.Ext(name) == ".pb" {
		b, err := env.ReadFile(name, evfile.Limit{Kind: "tombstone", Max: tombstone.MaxSize})
		if err != nil {
			return nil, err
		}
		return tombstone.ParseProto(name, b)
	}
	f, err := env.Open(name, evfile.Stream)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return tombstone.ParseText(name, f)
}

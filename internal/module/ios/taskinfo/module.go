// Package taskinfo is the ios.taskinfo module: taskinfo.txt, the kernel's
// list of every task when the sysdiagnose was taken, with how long each
// had been running. It names processes ps.txt can miss and dates their
// start.
package taskinfo

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

var Patterns = []string{"taskinfo.txt", "**/taskinfo.txt"}

var limit = evfile.Limit{Kind: "task listing", Max: 1 << 30}

// Def is the ios.taskinfo module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.taskinfo",
		Description: "Every task the kernel listed when the sysdiagnose was taken (taskinfo.txt), with when each started.",
		Kinds:       []source.Kind{source.IOSSysdiagnose},
		Paths:       Patterns,
		Run:         run,
	}
}

// Row is one task.
type Row struct {
	File string `json:"file"`
	Task
	StartedAt *time.Time `json:"started_at,omitempty"`
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Patterns...)
	if len(found) == 0 {
		return module.Absent("taskinfo.txt")
	}
	taken, hasTaken := sysdiag.Taken(env.Evidence)
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := env.Open(name, limit)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		tasks, declared, err := Parse(f, name)
		f.Close()
		if err != nil {
			if len(tasks) == 0 {
				env.Unreadable(name, err)
				continue
			}
			sysdiag.StoppedEarly(env, name, err)
		}
		if declared >= 0 && declared != len(tasks) {
			env.Warn("%s: declares %d tasks, %d read", name, declared, len(tasks))
		}
		for _, t := range tasks {
			row := &Row{File: name, Task: t}
			r := &model.Record{Source: name, Data: row,
				Summary: fmt.Sprintf("Task %s (PID %d) was running when the sysdiagnose was taken", t.Name, t.PID)}
			sysdiag.AddProcess(r, t.Name, "", "name")
			if hasTaken && t.RunTime >= 0 {
				st := taken.Add(-time.Duration(t.RunTime) * time.Second).UTC()
				row.StartedAt = &st
				r.Stamp(st, "process_started")
			}
			env.Emit(r)
		}
	}
	return nil
}

// Package sysps is the ios.processes module: the process list a sysdiagnose
// captured (ps.txt, ps_thread.txt). It is the only live view of what ran on
// the phone, so an implant that left no file behind can still show here.
package sysps

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

var Patterns = []string{"ps.txt", "ps_thread.txt", "**/ps.txt", "**/ps_thread.txt"}

// Def is the ios.processes module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.processes",
		Description: "Processes running when the sysdiagnose was taken (ps.txt, ps_thread.txt), and processes running from unusual folders.",
		Kinds:       []source.Kind{source.IOSSysdiagnose},
		Paths:       Patterns,
		Run:         run,
	}
}

// Row is one process as recorded.
type Row struct {
	File string `json:"file"`
	Process
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Patterns...)
	if len(found) == 0 {
		return module.Absent("ps.txt")
	}
	// ps.txt and ps_thread.txt list the same processes: one record each.
	seen := map[string]bool{}
	flagged := map[string]bool{}
	var errs []error
	for _, name := range found {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		procs, err := read(env.Evidence, name)
		if err != nil {
			errs = append(errs, err)
		}
		for _, p := range procs {
			key := strconv.Itoa(p.PID) + "\x00" + p.Command
			if seen[key] {
				continue
			}
			seen[key] = true
			r := record(name, p)
			env.Emit(r)
			if f := heuristics.UnusualProcess(p.Executable, name); f != nil && !flagged[p.Executable] {
				flagged[p.Executable] = true
				d := f.Detection(r)
				d.Observable = &model.Observable{Kind: model.KindFilePath, Value: p.Executable, Field: "executable"}
				env.Detect(d)
			}
		}
	}
	return errors.Join(errs...)
}

func read(ev *source.Evidence, name string) ([]Process, error) {
	f, err := ev.Open(name, evfile.Limit{Kind: "process listing", Max: 512 << 20})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, name)
}

func record(file string, p Process) *model.Record {
	r := &model.Record{Source: file, Data: &Row{File: file, Process: p},
		Summary: fmt.Sprintf("Process %s (PID %d, user %s) was running", p.Executable, p.PID, p.User)}
	r.Add(model.KindProcess, path.Base(p.Executable), "command")
	if path.IsAbs(p.Executable) {
		r.Add(model.KindFilePath, p.Executable, "command")
	}
	return r
}

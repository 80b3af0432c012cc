// Package spindump is the ios.spindump module: spindump-nosymbols.txt, the
// stack sample every sysdiagnose takes of all running processes. It names
// more processes than ps.txt (each with its path, parent and how long it
// had run), and lists the binary images each had loaded, so an implant
// running under a borrowed name or a library loaded from an odd folder
// shows here.
package spindump

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

// Patterns: at the archive's top, or deeper in a re-packed one.
var Patterns = []string{"spindump-nosymbols.txt", "**/spindump-nosymbols.txt"}

var limit = evfile.Limit{Kind: "spindump", Max: 1 << 30}

// Def is the ios.spindump module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.spindump",
		Description: "Processes the sysdiagnose's spindump sampled (spindump-nosymbols.txt): names, paths, parents, start times and libraries loaded from unusual folders.",
		Kinds:       []source.Kind{source.IOSSysdiagnose},
		Paths:       Patterns,
		Run:         run,
	}
}

// Row is one sampled process.
type Row struct {
	File string `json:"file"`
	Process
	StartedAt *time.Time `json:"started_at,omitempty"`
	SampledAt *time.Time `json:"sampled_at,omitempty"`
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Patterns...)
	if len(found) == 0 {
		return module.Absent("spindump-nosymbols.txt")
	}
	flag := sysdiag.NewFlagger(env)
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := env.Open(name, limit)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		rep, err := Parse(f, name)
		f.Close()
		if err != nil {
			if len(rep.Processes) == 0 {
				env.Unreadable(name, err)
				continue
			}
			sysdiag.StoppedEarly(env, name, err)
		}
		for _, p := range rep.Processes {
			r := record(name, rep, p)
			env.Emit(r)
			flag.Check(p.Path, name, r)
			for _, img := range p.Images {
				flag.Check(img, name, r)
			}
		}
	}
	return nil
}

func record(file string, rep *Report, p Process) *model.Record {
	row := &Row{File: file, Process: p}
	r := &model.Record{Source: file, Data: row}
	exe := p.Path
	if exe == "" {
		exe = p.Name
	}
	r.Summary = fmt.Sprintf("Process %s (PID %d) was running when the spindump sampled", exe, p.PID)
	sysdiag.AddProcess(r, p.Name, p.Path, "path")
	r.Add(model.KindAppID, p.CodesigningID, "codesigning_id")
	for _, img := range p.Images {
		r.Add(model.KindFilePath, img, "image")
	}
	if !rep.Date.IsZero() {
		at := rep.Date.UTC()
		row.SampledAt = &at
		r.Stamp(at, "process_running")
		if p.SinceFork >= 0 {
			st := at.Add(-time.Duration(p.SinceFork) * time.Second)
			row.StartedAt = &st
			r.Stamp(st, "process_started")
		}
	}
	return r
}

// Package logdatastats is the ios.logdata_statistics module: the
// statistics logd keeps about its own log files
// (system_logs.logarchive/Extra/logdata.statistics.*.txt, and .jsonl from
// iOS 16.4). Each record lists, with a time, every process that wrote
// into one log file, so it is a dated list of the binaries that ran over
// the whole log window, readable without decoding the binary logs.
package logdatastats

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

var Patterns = []string{
	"system_logs.logarchive/Extra/logdata.statistics.*",
	"**/Extra/logdata.statistics.*",
}

var limit = evfile.Limit{Kind: "log statistics", Max: 1 << 30}

// maxProcesses bounds the distinct processes kept in memory.
const maxProcesses = 200_000

// Def is the ios.logdata_statistics module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.logdata_statistics",
		Description: "Processes that wrote to the phone's logs, with the first and last time each did (logdata.statistics files of the log archive).",
		Kinds:       []source.Kind{source.IOSSysdiagnose},
		Paths:       Patterns,
		Run:         run,
	}
}

// Seen is one process across every statistics record: the record's data.
type Seen struct {
	Process string    `json:"process"`
	First   time.Time `json:"first,omitzero"`
	Last    time.Time `json:"last,omitzero"`
	Records int       `json:"records"`
	Types   []string  `json:"log_types,omitempty"`
	Files   []string  `json:"statistics_files"`
}

func run(ctx context.Context, env *module.Env) error {
	var found []string
	for _, f := range env.Find(Patterns...) {
		if strings.HasSuffix(f, ".txt") || strings.HasSuffix(f, ".jsonl") {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return module.Absent("logdata.statistics files")
	}
	seen := map[string]*Seen{}
	dropped := 0
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		add := func(e Entry) {
			s := seen[e.Process]
			if s == nil {
				if len(seen) >= maxProcesses {
					dropped++
					return
				}
				s = &Seen{Process: e.Process}
				seen[e.Process] = s
			}
			s.Records++
			if !e.Time.IsZero() {
				if s.First.IsZero() || e.Time.Before(s.First) {
					s.First = e.Time
				}
				if e.Time.After(s.Last) {
					s.Last = e.Time
				}
			}
			if e.Type != "" && len(s.Types) < 16 && !contains(s.Types, e.Type) {
				s.Types = append(s.Types, e.Type)
			}
			if len(s.Files) < 16 && !contains(s.Files, name) {
				s.Files = append(s.Files, name)
			}
		}
		f, err := env.Open(name, limit)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		if strings.HasSuffix(name, ".jsonl") {
			var bad int
			bad, err = ParseJSONL(f, name, add)
			if bad > 0 {
				env.Warn("%s: %d lines are not statistics records", name, bad)
			}
		} else {
			err = ParseText(f, name, add)
		}
		f.Close()
		if err != nil && ctx.Err() == nil {
			sysdiag.StoppedEarly(env, name, err)
		}
	}
	sysdiag.NotKept(env, "log statistics processes", maxProcesses, dropped)
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	flag := sysdiag.NewFlagger(env)
	for _, k := range keys {
		s := seen[k]
		r := &model.Record{Source: s.Files[0], Data: s,
			Summary: fmt.Sprintf("Process %s wrote to the logs (%d statistics records)", s.Process, s.Records)}
		exe := s.Process
		if !strings.HasPrefix(exe, "/") {
			sysdiag.AddProcess(r, exe, "", "process")
		} else {
			sysdiag.AddProcess(r, path.Base(exe), exe, "process")
		}
		r.Stamp(s.First, "log_first_seen")
		if !s.Last.Equal(s.First) {
			r.Stamp(s.Last, "log_last_seen")
		}
		env.Emit(r)
		flag.Check(exe, s.Files[0], r)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

package sysps

import (
	"context"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Row is one process as recorded. StartedAt places the STARTED column in
// time (with the capture time from the archive's name and the phone's
// zone), to the minute, hour or day ps printed.
type Row struct {
	File string `json:"file"`
	Process
	StartedAt        *time.Time `json:"started_at,omitempty"`
	StartedPrecision string     `json:"started_precision,omitempty"`
	// RunningAt is when the sysdiagnose listed the process.
	RunningAt *time.Time `json:"running_at,omitempty"`
}

func run(ctx context.Context, env *module.Env) error {
	// ps.txt and ps_thread.txt list the same processes: one record each.
	seen := map[string]bool{}
	flag := sysdiag.NewFlagger(env)
	flag.Field = "executable"
	taken, hasTaken := sysdiag.Taken(env.Evidence)
	if hasTaken {
		if loc := sysdiag.Zone(env.Evidence); loc != nil {
			taken = taken.In(loc)
		}
	}
	return module.EachFile("ps.txt", Paths, func(_ context.Context, env *module.Env, name string) error {
		procs, err := read(env.Evidence, name) // what was read before an error is kept
		for _, p := range procs {
			key := strconv.Itoa(p.PID) + "\x00" + p.Command
			if seen[key] {
				continue
			}
			seen[key] = true
			r := record(name, p, taken, hasTaken)
			env.Emit(r)
			flag.Check(p.Executable, name, r)
		}
		return err
	})(ctx, env)
}

func read(ev *source.Evidence, name string) ([]Process, error) {
	f, err := ev.Open(name, evfile.Limit{Kind: "process listing", Max: 512 << 20})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, name)
}

func record(file string, p Process, taken time.Time, hasTaken bool) *model.Record {
	row := &Row{File: file, Process: p}
	r := &model.Record{Source: file, Data: row,
		Summary: fmt.Sprintf("Process %s (PID %d, user %s) was running", p.Executable, p.PID, p.User)}
	if hasTaken {
		at := taken.UTC()
		row.RunningAt = &at
		r.Stamp(at, "process_running")
		if t, prec, ok := StartTime(p.Started, taken); ok {
			u := t.UTC()
			row.StartedAt, row.StartedPrecision = &u, prec
			// Only a start known to the minute goes on the timeline: an
			// hour or a day would place it at a moment it did not happen.
			if prec == PrecisionMinute {
				r.Stamp(u, "process_started")
			}
		}
	}
	r.Add(model.KindProcess, path.Base(p.Executable), "command")
	if path.IsAbs(p.Executable) {
		r.Add(model.KindFilePath, p.Executable, "command")
	}
	return r
}

// Process is one row of ps output.
type Process struct {
	User    string `json:"user,omitempty"`
	PID     int    `json:"pid"`
	PPID    int    `json:"ppid,omitempty"`
	Started string `json:"started,omitempty"` // as ps printed it; StartTime dates it
	Command string `json:"command"`
	// Executable is the command without its arguments.
	Executable string `json:"executable"`
}

const (
	maxLine = 256 << 10
	maxRows = 500_000
)

// Parse reads ps.txt or ps_thread.txt: a header naming the columns, COMMAND
// last, then one row per process. ps -M (ps_thread.txt) adds thread rows
// without a command, which are skipped.
func Parse(r io.Reader, name string) ([]Process, error) {
	lines := applelog.NewLines(r, maxLine)
	var cols []string
	var out []Process
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) == 0 {
			continue
		}
		if cols == nil {
			if f[len(f)-1] == "COMMAND" || f[len(f)-1] == "CMD" {
				cols = f
			}
			continue
		}
		if len(f) < len(cols) {
			continue
		}
		p, ok := row(cols, f)
		if !ok {
			continue
		}
		if len(out) >= maxRows {
			return out, fmt.Errorf("%s: more than %d processes; the rest was not read", name, maxRows)
		}
		out = append(out, p)
	}
	if err := lines.Err(); err != nil {
		return out, fmt.Errorf("%s: %w", name, err)
	}
	if cols == nil {
		return nil, fmt.Errorf("%s: no ps header (USER ... COMMAND) found", name)
	}
	return out, nil
}

func row(cols, f []string) (Process, bool) {
	var p Process
	pidSeen := false
	for i, c := range cols[:len(cols)-1] {
		v := f[i]
		switch c {
		case "USER":
			p.User = v
		case "PID":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return p, false
			}
			p.PID, pidSeen = n, true
		case "PPID":
			p.PPID, _ = strconv.Atoi(v)
		case "STARTED", "STIME":
			p.Started = v
		}
	}
	if !pidSeen {
		return p, false
	}
	p.Command = strings.Join(f[len(cols)-1:], " ")
	p.Executable = Executable(p.Command)
	return p, p.Command != ""
}

// Executable cuts the arguments off a command line. App bundle paths hold
// spaces, so for an absolute path the cut is at the first " -" option or
// after the ".app/<name>" part, not at the first space.
func Executable(cmd string) string {
	if !strings.HasPrefix(cmd, "/") {
		exe, _, _ := strings.Cut(cmd, " ")
		return exe
	}
	if i := strings.Index(cmd, " -"); i >= 0 {
		cmd = cmd[:i]
	}
	if i := strings.Index(cmd, ".app/"); i >= 0 {
		// The executable is named like its bundle ("My App.app/My App").
		bundle := cmd[strings.LastIndexByte(cmd[:i], '/')+1 : i]
		rest := cmd[i+len(".app/"):]
		if strings.HasPrefix(rest, bundle) {
			return cmd[:i+len(".app/")+len(bundle)]
		}
		if j := strings.IndexByte(rest, ' '); j >= 0 {
			return cmd[:i+len(".app/")+j]
		}
		return strings.TrimSpace(cmd)
	}
	if i := strings.IndexByte(cmd, ' '); i >= 0 {
		return cmd[:i]
	}
	return cmd
}

package taskinfo

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
)

// Task is one process block of taskinfo.txt.
type Task struct {
	Name string `json:"name"`
	PID  int    `json:"pid"`
	// RunTime is "run time" in seconds: how long the process had run when
	// the sysdiagnose was taken (-1 when absent).
	RunTime int64 `json:"run_time_seconds"`
}

const (
	maxLine  = 256 << 10
	maxTasks = 100_000
)

// Parse reads taskinfo.txt: a "num tasks: N" line, then one block per
// process opened by `process: "name" [pid]` with indented "key: value"
// lines ("run time: 1234 s") and its threads. Only the fields naming and
// dating the process are kept. tasks is the count the file declares (-1
// when absent), to tell a cut file.
func Parse(r io.Reader, name string) (out []Task, tasks int, err error) {
	lines := applelog.NewLines(r, maxLine)
	tasks = -1
	cur := -1
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		switch {
		case strings.HasPrefix(line, "num tasks:"):
			if n, err := strconv.Atoi(strings.TrimSpace(line[len("num tasks:"):])); err == nil && n >= 0 {
				tasks = n
			}
		case strings.HasPrefix(line, "process:"):
			n, pid, ok := nameAndPID(strings.TrimSpace(line[len("process:"):]))
			if !ok {
				cur = -1
				continue
			}
			if len(out) >= maxTasks {
				return out, tasks, fmt.Errorf("%s: more than %d processes; the rest was not read", name, maxTasks)
			}
			out = append(out, Task{Name: n, PID: pid, RunTime: -1})
			cur = len(out) - 1
		case cur >= 0 && strings.HasPrefix(line, "run time:"):
			v := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line[len("run time:"):]), "s"))
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 && n < 100*365*86400 && out[cur].RunTime < 0 {
				out[cur].RunTime = n
			}
		}
	}
	if err := lines.Err(); err != nil {
		return out, tasks, fmt.Errorf("%s: %w", name, err)
	}
	if tasks < 0 && len(out) == 0 {
		return nil, tasks, fmt.Errorf("%s: not a taskinfo listing (no \"num tasks\" line and no process block)", name)
	}
	return out, tasks, nil
}

// nameAndPID reads `"launchd" [1]`.
func nameAndPID(s string) (string, int, bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", 0, false
	}
	end := strings.LastIndexByte(s, '"')
	if end <= 0 {
		return "", 0, false
	}
	name := s[1:end]
	rest := strings.TrimSpace(s[end+1:])
	if !strings.HasPrefix(rest, "[") {
		return "", 0, false
	}
	j := strings.IndexByte(rest, ']')
	if j < 0 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(rest[1:j])
	if err != nil || pid < 0 || name == "" {
		return "", 0, false
	}
	return name, pid, true
}

// Row is one task.
type Row struct {
	File string `json:"file"`
	Task
	StartedAt *time.Time `json:"started_at,omitempty"`
}

func run(ctx context.Context, env *module.Env) error {
	taken, hasTaken := sysdiag.Taken(env.Evidence)
	return sysdiag.Each(ctx, env, "taskinfo.txt", Paths, limit, func(name string, f io.Reader) error {
		tasks, declared, err := Parse(f, name)
		if err != nil {
			if len(tasks) == 0 {
				env.Unreadable(name, err)
				return nil
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
		return nil
	})
}

package aqf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
)

// Process is one running process.
type Process struct {
	User    string `json:"user,omitempty"`
	PID     string `json:"pid,omitempty"`
	PPID    string `json:"ppid,omitempty"`
	Label   string `json:"label,omitempty"` // SELinux context (ps -Z)
	State   string `json:"state,omitempty"`
	Name    string `json:"proc_name"`
	Cmdline string `json:"cmdline,omitempty"`
}

const maxProcesses = 200_000

// ParsePS reads "ps -A" output (optionally with -Z): a header line, then
// one process per line with the name last. WCHAN may be empty, so columns
// are found by header position only for the name's right edge.
func ParsePS(r io.Reader) ([]Process, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []Process
	header := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if header {
			header = false
			if strings.Contains(line, "PID") {
				continue
			}
		}
		if len(f) < 3 {
			continue
		}
		var p Process
		if strings.HasPrefix(f[0], "u:r") || strings.HasPrefix(f[0], "u:object_r") {
			p.Label, f = f[0], f[1:]
		}
		if len(f) < 3 {
			continue
		}
		p.User, p.PID, p.PPID = f[0], f[1], f[2]
		p.Name = strings.TrimSuffix(strings.TrimPrefix(f[len(f)-1], "["), "]")
		if len(f) >= 2 {
			if s := f[len(f)-2]; len(s) == 1 && strings.ContainsAny(s, "RSDTtZXxKWPI") {
				p.State = s
			}
		}
		if len(out) >= maxProcesses {
			return out, fmt.Errorf("more than %d processes; stopped", maxProcesses)
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

// parseProcessesJSON reads the collector's processes.json, a list of
// objects whose key names vary between androidqf versions.
func parseProcessesJSON(b []byte) ([]Process, error) {
	var raw []map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON list of processes: %w", err)
	}
	str := func(m map[string]any, keys ...string) string {
		for _, k := range keys {
			switch v := m[k].(type) {
			case string:
				if v != "" {
					return v
				}
			case float64:
				return fmt.Sprint(int64(v))
			}
		}
		return ""
	}
	out := make([]Process, 0, len(raw))
	for _, m := range raw {
		p := Process{
			User: str(m, "user", "uid"), PID: str(m, "pid"), PPID: str(m, "ppid"),
			Label: str(m, "context", "label", "selinux_context"), Name: str(m, "name", "proc_name", "process_name"),
			Cmdline: str(m, "cmdline", "command_line"),
		}
		if p.Name == "" && p.Cmdline != "" {
			p.Name = strings.Fields(p.Cmdline)[0]
		}
		if p.Name != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

func runProcesses(ctx context.Context, env *module.Env) error {
	b, name, err := readAll(env, "processes.json", "processes.txt", "ps.txt")
	if err != nil {
		return err
	}
	var procs []Process
	if strings.HasSuffix(name, ".json") {
		procs, err = parseProcessesJSON(b)
	} else {
		procs, err = ParsePS(bytes.NewReader(b))
	}
	if err != nil {
		if len(procs) == 0 {
			return fmt.Errorf("%s: %w", name, err)
		}
		env.Warn("%s: %v", name, err)
	}
	for i := range procs {
		p := &procs[i]
		// gatekeeperd is a standard daemon whose name collides with a
		// published indicator, which gives false alarms (as MVT notes).
		if p.Name == "gatekeeperd" {
			continue
		}
		r := &model.Record{Source: name, Summary: fmt.Sprintf("Process %s (pid %s, user %s)", p.Name, p.PID, p.User), Data: p}
		r.Add(model.KindProcess, p.Name, "proc_name")
		if app := appIDOf(p.Name); app != "" {
			r.Add(model.KindAppID, app, "proc_name")
		}
		env.Emit(r)
	}
	return nil
}

// appIDOf returns the package part of an app process name
// ("com.whatsapp:pushservice" → "com.whatsapp"), or "" for native ones.
func appIDOf(name string) string {
	pkg, _, _ := strings.Cut(name, ":")
	if !strings.Contains(pkg, ".") || strings.ContainsAny(pkg, "/ @") || strings.HasPrefix(pkg, ".") {
		return ""
	}
	return pkg
}

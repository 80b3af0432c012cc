package spindump

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/timestamp"
)

// Report is what spindump-nosymbols.txt says: when it sampled and every
// process it saw.
type Report struct {
	Date      time.Time `json:"date,omitzero"`
	RawDate   string    `json:"raw_date,omitempty"`
	OSVersion string    `json:"os_version,omitempty"`
	Processes []Process `json:"-"`
	// Binary is set when the text part ended at "Spindump binary format":
	// the rest was not read (it holds no process names).
	Binary bool `json:"-"`

	dateErr error // Date/Time is no plausible date: every process record keeps RawDate
}

// Process is one "Process:" block.
type Process struct {
	Name          string `json:"name"`
	PID           int    `json:"pid"`
	Path          string `json:"path,omitempty"`
	Parent        string `json:"parent,omitempty"`
	PPID          int    `json:"ppid,omitempty"`
	UID           string `json:"uid,omitempty"`
	CodesigningID string `json:"codesigning_id,omitempty"`
	// SinceFork is "Time Since Fork" in seconds (-1 when absent).
	SinceFork int64 `json:"since_fork_seconds"`
	// Images are the binary images the process had loaded from outside
	// the folders iOS runs code from (a dylib planted in /private/var/db
	// shows here); system libraries are left out, there are hundreds.
	Images []string `json:"unusual_images,omitempty"`
}

// Limits: a real spindump is a few megabytes with some hundreds of
// processes.
const (
	maxLine      = 256 << 10
	maxProcesses = 100_000
	maxImages    = 256
)

const separator = "------------------------------------------------------------"

// Parse reads spindump-nosymbols.txt: "Key: value" header lines up to a
// line of dashes, then one block per process, each opened by
// "Process: name [pid]" and holding "Path:", "Parent:", "UID:", "Time
// Since Fork:" lines, thread stacks and a "Binary Images:" list
// ("start - end name version <UUID> /path"). "Spindump binary format"
// ends the text. A truncated or garbled file yields what was read before
// the problem, with the error.
func Parse(r io.Reader, name string) (*Report, error) {
	lines := applelog.NewLines(r, maxLine)
	rep := &Report{}
	header := true
	var cur *Process
	inImages := false
	seenImg := map[string]bool{}
	flush := func() {
		if cur != nil {
			rep.Processes = append(rep.Processes, *cur)
			cur = nil
		}
	}
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		switch {
		case line == "":
			continue
		case line == "Spindump binary format":
			rep.Binary = true
			flush()
			return rep, nil
		case header && strings.HasPrefix(line, "----------"):
			header = false
			continue
		case header:
			k, v, ok := field(line)
			if !ok {
				continue
			}
			switch k {
			case "Date/Time":
				rep.RawDate = v
				rep.Date, rep.dateErr = parseDate(v)
			case "OS Version":
				rep.OSVersion = v
			}
			continue
		}
		if strings.HasPrefix(line, "Process:") {
			flush()
			if len(rep.Processes) >= maxProcesses {
				return rep, fmt.Errorf("%s: more than %d processes; the rest was not read", name, maxProcesses)
			}
			n, pid := nameAndPID(strings.TrimSpace(line[len("Process:"):]))
			cur = &Process{Name: n, PID: pid, SinceFork: -1}
			inImages = false
			clear(seenImg)
			continue
		}
		if cur == nil {
			continue
		}
		if line == "Binary Images:" {
			inImages = true
			continue
		}
		if inImages {
			if p := imagePath(line); p != "" && ios.UnusualExecPath(p) && !seenImg[p] && len(cur.Images) < maxImages {
				seenImg[p] = true
				cur.Images = append(cur.Images, p)
			}
			continue
		}
		k, v, ok := field(line)
		if !ok {
			continue
		}
		switch k {
		case "Path":
			cur.Path = v
		case "Parent":
			cur.Parent, cur.PPID = nameAndPID(v)
		case "UID":
			cur.UID = v
		case "Codesigning ID":
			cur.CodesigningID = v
		case "Time Since Fork":
			if n, err := strconv.ParseInt(strings.TrimSuffix(v, "s"), 10, 64); err == nil && n >= 0 && n < 100*365*86400 {
				cur.SinceFork = n
			}
		}
	}
	flush()
	if err := lines.Err(); err != nil {
		return rep, fmt.Errorf("%s: %w", name, err)
	}
	if header {
		return rep, fmt.Errorf("%s: no spindump header (Date/Time ... then a line of dashes) found", name)
	}
	return rep, nil
}

// field splits a "Key: value" line (header or process block) at its first
// colon, both sides trimmed; ok is false for a line without one.
func field(line string) (key, value string, ok bool) {
	k, v, ok := strings.Cut(line, ":")
	return strings.TrimSpace(k), strings.TrimSpace(v), ok
}

// nameAndPID splits "launchd [1]" (or "??? [0]").
func nameAndPID(s string) (string, int) {
	i := strings.LastIndexByte(s, '[')
	if i < 0 || !strings.HasSuffix(s, "]") {
		return s, -1
	}
	pid, err := strconv.Atoi(s[i+1 : len(s)-1])
	if err != nil || pid < 0 {
		pid = -1
	}
	return strings.TrimSpace(s[:i]), pid
}

// imagePath takes the path at the end of a binary image line
// ("0x1000 - 0x2000 name 1.0 <UUID> /usr/lib/x.dylib"): what follows the
// UUID in angle brackets.
func imagePath(line string) string {
	i := strings.LastIndexByte(line, '>')
	if i < 0 {
		return ""
	}
	p := strings.TrimSpace(line[i+1:])
	if !strings.HasPrefix(p, "/") {
		return ""
	}
	return p
}

// parseDate reads "2023-05-24 13:29:15.759 -0700" (fractions optional).
// Text that is no plausible date is the zero time and an error keeping it.
func parseDate(s string) (time.Time, error) {
	return timestamp.ParseText(s, "2006-01-02 15:04:05.999999999 -0700", "2006-01-02 15:04:05 -0700")
}

// Row is one sampled process.
type Row struct {
	File string `json:"file"`
	Process
	StartedAt *time.Time `json:"started_at,omitempty"`
	SampledAt *time.Time `json:"sampled_at,omitempty"`
}

func run(ctx context.Context, env *module.Env) error {
	flag := sysdiag.NewFlagger(env)
	return sysdiag.Each(ctx, env, "spindump-nosymbols.txt", Paths, limit, func(name string, f io.Reader) error {
		rep, err := Parse(f, name)
		if err != nil {
			if len(rep.Processes) == 0 {
				env.Unreadable(name, err)
				return nil
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
		return nil
	})
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
	r.StampChecked(time.Time{}, rep.dateErr, "process_running") // nothing unless the date is impossible
	if !rep.Date.IsZero() {
		at := rep.Date.UTC()
		row.SampledAt = &at
		r.Stamp(at, "process_running")
		if p.SinceFork >= 0 {
			st := at.Add(-time.Duration(p.SinceFork) * time.Second)
			if timestamp.InRange(st) { // a crafted "Time Since Fork" can reach before 1970: Stamp keeps it raw
				row.StartedAt = &st
			}
			r.Stamp(st, "process_started")
		}
	}
	return r
}

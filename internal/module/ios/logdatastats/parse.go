package logdatastats

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/timestamp"
)

// Entry is one process a statistics record lists: the process logged into
// the log file the record describes, at about that time.
type Entry struct {
	Time    time.Time // when the record was written (zero when unknown)
	Process string    // the process's path, as logd wrote it
	LogFile string    // the tracev3 file the record is about
	Type    string    // the log file's kind (Persist, Special...)
	TimeErr error     // the record's time is no plausible date (kept as written)
}

const (
	maxLine    = 4 << 20
	maxEntries = 5_000_000
)

// procLine is a process line of the text form: "- [ 1234, 5.67, /path ]".
var procLine = regexp.MustCompile(`^-\s*\[\s*\d+\s*,\s*[0-9.eE+-]+\s*,\s*(.+?)\s*\]$`)

// ParseText reads logdata.statistics.*.txt (iOS before 16.4): records
// opened by "--- !logd statistics record", with "time : ...", "file :
// ...", "type : ..." lines and one "- [ count, percent, path ]" line per
// process. emit receives every process line; a record whose time does not
// parse still names its processes (zero time).
func ParseText(r io.Reader, name string, emit func(Entry)) error {
	lines := applelog.NewLines(r, maxLine)
	in := false
	var cur Entry
	n := 0
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if strings.HasPrefix(line, "--- !") {
			in = strings.HasPrefix(line, "--- !logd statistics record")
			cur = Entry{}
			continue
		}
		if !in {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "-") {
			switch strings.TrimSpace(k) {
			case "time":
				cur.Time, cur.TimeErr = parseTime(strings.TrimSpace(v))
			case "file":
				cur.LogFile = strings.TrimSpace(v)
			case "type":
				cur.Type = strings.TrimSpace(v)
			}
			continue
		}
		if m := procLine.FindStringSubmatch(line); m != nil {
			if n >= maxEntries {
				return fmt.Errorf("%s: more than %d process lines; the rest was not read", name, maxEntries)
			}
			n++
			e := cur
			e.Process = m[1]
			emit(e)
		}
	}
	if err := lines.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// jsonRecord is one line of the JSON-lines form (iOS 16.4 and later).
type jsonRecord struct {
	UnixTime    json.Number `json:"unixTime"`
	Type        string      `json:"type"`
	File        string      `json:"file"`
	ProcessList []struct {
		Process string `json:"process"`
	} `json:"processList"`
}

// ParseJSONL reads logdata.statistics.*.jsonl: one JSON object per line
// with unixTime (seconds), type, file and processList[].process. Lines
// that are not such objects are counted in bad, not fatal.
func ParseJSONL(r io.Reader, name string, emit func(Entry)) (bad int, err error) {
	lines := applelog.NewLines(r, maxLine)
	n := 0
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if line == "" {
			continue
		}
		var rec jsonRecord
		if json.Unmarshal([]byte(line), &rec) != nil {
			bad++
			continue
		}
		var t time.Time
		var terr error
		if f, err := rec.UnixTime.Float64(); err == nil {
			t, terr = timestamp.FromFloat(f, timestamp.UnixEpoch, timestamp.Seconds)
		}
		for _, p := range rec.ProcessList {
			if p.Process == "" {
				continue
			}
			if n >= maxEntries {
				return bad, fmt.Errorf("%s: more than %d process entries; the rest was not read", name, maxEntries)
			}
			n++
			emit(Entry{Time: t, TimeErr: terr, Process: p.Process, LogFile: rec.File, Type: rec.Type})
		}
	}
	if err := lines.Err(); err != nil {
		return bad, fmt.Errorf("%s: %w", name, err)
	}
	return bad, nil
}

// parseTime reads the text form's time: "2023-05-12 13:20:00+0000" (a
// space before the zone and fractions are tolerated). Text that is no
// plausible date is the zero time and an error keeping it.
func parseTime(s string) (time.Time, error) {
	t, err := timestamp.ParseText(s, "2006-01-02 15:04:05-0700", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05.999999999-0700",
		"2006-01-02 15:04:05.999999999 -0700", time.RFC3339Nano)
	return t.UTC(), err
}

// Seen is one process across every statistics record: the record's data.
type Seen struct {
	Process string    `json:"process"`
	First   time.Time `json:"first,omitzero"`
	Last    time.Time `json:"last,omitzero"`
	Records int       `json:"records"`
	Types   []string  `json:"log_types,omitempty"`
	Files   []string  `json:"statistics_files"`

	raw model.RawDates // distinct record times that are no plausible date, kept as written
}

func run(ctx context.Context, env *module.Env) error {
	var found []string
	for _, f := range env.Find(Paths...) {
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
			s.raw.AddOnce("log_seen", e.TimeErr)
			if !e.Time.IsZero() {
				if s.First.IsZero() || e.Time.Before(s.First) {
					s.First = e.Time
				}
				if e.Time.After(s.Last) {
					s.Last = e.Time
				}
			}
			if e.Type != "" && len(s.Types) < 16 && !slices.Contains(s.Types, e.Type) {
				s.Types = append(s.Types, e.Type)
			}
			if len(s.Files) < 16 && !slices.Contains(s.Files, name) {
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
	keys := slices.Sorted(maps.Keys(seen))
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
		r.KeepRaw(s.raw)
		if !s.Last.Equal(s.First) {
			r.Stamp(s.Last, "log_last_seen")
		}
		env.Emit(r)
		flag.Check(exe, s.Files[0], r)
	}
	return nil
}

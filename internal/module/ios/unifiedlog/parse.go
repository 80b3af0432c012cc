package unifiedlog

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/clip"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/logexport"
	"github.com/huella-project/huella/internal/timestamp"
	"github.com/huella-project/huella/internal/urlx"
)

// Entry is the part of one exported log entry huella reads.
type Entry struct {
	Time    time.Time
	Process string // the image path of the process that logged
	Sender  string // the library or binary that wrote the entry
	Message string
	TimeErr error // the entry's time is no plausible date (kept as written)
}

// line holds the fields of both exports: Apple's `log show --style
// ndjson` (timestamp, processImagePath, senderImagePath, eventMessage) and
// Mandiant's unifiedlog tool in JSON lines (time in nanoseconds since
// 1970, process, library, message).
type line struct {
	Timestamp        string      `json:"timestamp"`
	ProcessImagePath string      `json:"processImagePath"`
	SenderImagePath  string      `json:"senderImagePath"`
	EventMessage     string      `json:"eventMessage"`
	Time             json.Number `json:"time"`
	Process          string      `json:"process"`
	Library          string      `json:"library"`
	Message          string      `json:"message"`
}

// Limits: an export is often hundreds of megabytes; lines are bounded,
// entries are streamed and never kept.
const (
	maxLine    = 1 << 20
	maxEntries = 100_000_000
)

// Parse streams the entries of an export to fn. Lines that are not JSON
// objects of either export are counted in bad, not fatal.
func Parse(r io.Reader, name string, fn func(Entry)) (n, bad int, err error) {
	lines := applelog.NewLines(r, maxLine)
	for lines.Scan() {
		b := lines.Bytes()
		if len(b) == 0 || b[0] != '{' {
			if len(strings.TrimSpace(string(b))) > 0 {
				bad++
			}
			continue
		}
		var l line
		if json.Unmarshal(b, &l) != nil {
			bad++
			continue
		}
		e := Entry{Process: l.ProcessImagePath, Sender: l.SenderImagePath, Message: l.EventMessage}
		if e.Process == "" && e.Message == "" {
			e.Process, e.Sender, e.Message = l.Process, l.Library, l.Message
		}
		if e.Process == "" && e.Message == "" {
			bad++
			continue
		}
		e.Time, e.TimeErr = entryTime(l)
		if n >= maxEntries {
			return n, bad, fmt.Errorf("%s: more than %d entries; the rest was not read", name, maxEntries)
		}
		n++
		fn(e)
	}
	if err := lines.Err(); err != nil {
		return n, bad, fmt.Errorf("%s: %w", name, err)
	}
	return n, bad, nil
}

// entryTime reads Apple's text timestamp, else (no text, or text in no
// known form) Mandiant's nanoseconds. A time that is no plausible date is
// the zero time and an error keeping it as written.
func entryTime(l line) (time.Time, error) {
	t, err := timestamp.ParseText(l.Timestamp, "2006-01-02 15:04:05.999999999-0700", "2006-01-02 15:04:05-0700", time.RFC3339Nano)
	var unknown *timestamp.TextError
	if (err == nil && !t.IsZero()) || (err != nil && !errors.As(err, &unknown)) {
		return t.UTC(), err
	}
	if l.Time != "" {
		if f, ferr := l.Time.Float64(); ferr == nil {
			nt, nerr := timestamp.FromFloat(f, timestamp.UnixEpoch, timestamp.Nanoseconds)
			if nerr == nil || err == nil {
				return nt, nerr
			}
		}
	}
	return time.Time{}, err
}

// Binary is a process or library that logged.
type Binary struct {
	Path    string    `json:"path"`
	Role    string    `json:"role"` // process, sender
	First   time.Time `json:"first,omitzero"`
	Last    time.Time `json:"last,omitzero"`
	Entries int       `json:"entries"`
	File    string    `json:"file"`

	raw model.RawDates // distinct entry times that are no plausible date, kept as written
}

// Host is a host named in log messages.
type Host struct {
	Host    string    `json:"host"`
	First   time.Time `json:"first,omitzero"`
	Last    time.Time `json:"last,omitzero"`
	Entries int       `json:"entries"`
	Process string    `json:"process,omitempty"` // the first process that named it
	Example string    `json:"example"`           // the first message naming it
	File    string    `json:"file"`

	raw model.RawDates // distinct entry times that are no plausible date, kept as written
}

func run(ctx context.Context, env *module.Env) error {
	patterns := exportPatterns
	if env.Evidence.Kind == source.IOSSysdiagnose {
		patterns = sysdiagnosePatterns
	}
	var files []string
	for _, f := range env.Evidence.Glob(patterns...) {
		if strings.Contains(path.Base(f), "logdata.statistics") {
			continue // ios.logdata_statistics reads those
		}
		if env.Evidence.Kind == source.IOSUnifiedLog || isExport(env, f) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return module.Absent("a unified-log export (JSON lines)")
	}
	bins := map[string]*Binary{}
	hosts := map[string]*Host{}
	dropped := 0
	for _, name := range files {
		env.Find(name)
		f, err := env.Open(name, limit)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		seen := func(p, role string, at time.Time, terr error) {
			if p == "" {
				return
			}
			key := role + "\x00" + p
			b := bins[key]
			if b == nil {
				if len(bins) >= maxBinaries {
					dropped++
					return
				}
				b = &Binary{Path: p, Role: role, File: name}
				bins[key] = b
			}
			b.Entries++
			b.raw.AddOnce("log_seen", terr)
			widen(&b.First, &b.Last, at)
		}
		i := 0
		n, bad, err := Parse(f, name, func(e Entry) {
			i++
			if i%65536 == 0 && ctx.Err() != nil {
				return
			}
			seen(e.Process, "process", e.Time, e.TimeErr)
			if e.Sender != e.Process {
				seen(e.Sender, "sender", e.Time, e.TimeErr)
			}
			if strings.IndexByte(e.Message, '.') < 0 {
				return
			}
			for _, link := range urlx.ExtractLinks(e.Message) {
				u, ok := urlx.Parse(link)
				if !ok || u.Host == "" || u.IsIP && !strings.Contains(link, "://") {
					continue
				}
				h := hosts[u.Host]
				if h == nil {
					if len(hosts) >= maxHosts {
						dropped++
						continue
					}
					h = &Host{Host: u.Host, Process: e.Process, Example: clip.String(e.Message, 300), File: name}
					hosts[u.Host] = h
				}
				h.Entries++
				h.raw.AddOnce("log_seen", e.TimeErr)
				widen(&h.First, &h.Last, e.Time)
			}
		})
		f.Close()
		if err := ctx.Err(); err != nil {
			return err
		}
		if err != nil {
			sysdiag.StoppedEarly(env, name, err)
		}
		if bad > 0 {
			env.Warn("%s: %d of %d lines are not log entries", name, bad, n+bad)
		}
		if n == 0 {
			env.Unreadable(name, fmt.Errorf("no unified-log entry in %d lines", bad))
		}
	}
	sysdiag.NotKept(env, "unified-log binaries and hosts", maxBinaries, dropped)
	emit(env, bins, hosts)
	return nil
}

func emit(env *module.Env, bins map[string]*Binary, hosts map[string]*Host) {
	flag := sysdiag.NewFlagger(env)
	keys := slices.Sorted(maps.Keys(bins))
	for _, k := range keys {
		b := bins[k]
		verb := "logged"
		if b.Role == "sender" {
			verb = "wrote log entries"
		}
		r := &model.Record{Source: b.File, Data: b, Summary: fmt.Sprintf("%s %s %d time(s)", b.Path, verb, b.Entries)}
		if strings.HasPrefix(b.Path, "/") {
			sysdiag.AddProcess(r, "", b.Path, b.Role)
		} else {
			sysdiag.AddProcess(r, b.Path, "", b.Role)
		}
		stamp(r, b.First, b.Last)
		r.KeepRaw(b.raw)
		env.Emit(r)
		flag.Check(b.Path, b.File, r)
	}
	hk := slices.Sorted(maps.Keys(hosts))
	for _, k := range hk {
		h := hosts[k]
		r := &model.Record{Source: h.File, Data: h, Summary: fmt.Sprintf("Log messages named %s %d time(s)", h.Host, h.Entries)}
		if ip, ok := urlx.ParseIP(h.Host); ok {
			r.Add(model.KindIP, ip.String(), "message")
		} else {
			r.Add(model.KindDomain, h.Host, "message")
		}
		stamp(r, h.First, h.Last)
		r.KeepRaw(h.raw)
		env.Emit(r)
	}
}

func stamp(r *model.Record, first, last time.Time) {
	r.Stamp(first, "log_first_seen")
	if !last.Equal(first) {
		r.Stamp(last, "log_last_seen")
	}
}

func widen(first, last *time.Time, at time.Time) {
	if at.IsZero() {
		return
	}
	if first.IsZero() || at.Before(*first) {
		*first = at
	}
	if at.After(*last) {
		*last = at
	}
}

// isExport reads the first line of a JSON-lines file of a sysdiagnose
// folder to tell an export from other JSON lines.
func isExport(env *module.Env, name string) bool {
	f, err := evfile.Open(env.Evidence.FS, name, limit)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, logexport.Head)
	n, _ := io.ReadFull(bufio.NewReader(f), head)
	return logexport.IsUnifiedLog(head[:n])
}

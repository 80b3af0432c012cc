// Package tombstone parses Android native crash reports ("tombstones") in
// their text form (/data/tombstones/tombstone_NN) and their protobuf form
// (tombstone_NN.pb). Both describe the crashing process; a crash written in
// both forms is paired so it counts once.
package tombstone

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// Tombstone is one crash.
type Tombstone struct {
	File             string    `json:"file_name"`
	BuildFingerprint string    `json:"build_fingerprint,omitempty"`
	Revision         string    `json:"revision,omitempty"`
	Arch             string    `json:"arch,omitempty"`
	Timestamp        time.Time `json:"timestamp,omitzero"` // the crash instant, in the offset the file gave
	WallClock        string    `json:"wall_clock,omitempty"`
	ProcessUptime    int64     `json:"process_uptime,omitempty"` // seconds
	CommandLine      []string  `json:"command_line,omitempty"`
	PID              int64     `json:"pid"`
	TID              int64     `json:"tid"`
	UID              int64     `json:"uid"`
	ProcessName      string    `json:"process_name"` // name of the crashing thread
	BinaryPath       string    `json:"binary_path,omitempty"`
	SELinuxLabel     string    `json:"selinux_label,omitempty"`
	Signal           Signal    `json:"signal_info"`
	Cause            string    `json:"cause,omitempty"`
	Causes           []string  `json:"causes,omitempty"`
	AbortMessage     string    `json:"abort_message,omitempty"`
	Formats          []string  `json:"formats"` // "text", "protobuf", or both after pairing
	Files            []string  `json:"files,omitempty"`

	timeErr error // the timestamp is no plausible date: the record keeps it as written
}

// TimeErr is the error of reading the crash's timestamp: non-nil when it is
// no plausible date, for the record to keep it (model.Record.StampChecked).
func (t *Tombstone) TimeErr() error { return t.timeErr }

// Signal is the fatal signal.
type Signal struct {
	Number   int64  `json:"number"`
	Name     string `json:"name,omitempty"`
	Code     int64  `json:"code"`
	CodeName string `json:"code_name,omitempty"`
}

// Limits for untrusted tombstones. Real ones are under a few megabytes.
const (
	MaxSize = 64 << 20
	maxLine = 1 << 20
)

// Executable is the base name of the command line's program, else of the
// binary path; it is what process indicators name.
func (t *Tombstone) Executable() string {
	p := t.BinaryPath
	if len(t.CommandLine) > 0 && t.CommandLine[0] != "" {
		p = t.CommandLine[0]
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p
}

// key identifies a crash across its two forms: same pid, same process
// thread, same second.
func (t *Tombstone) key() string {
	ts := t.WallClock
	if len(ts) > 19 {
		ts = ts[:19]
	}
	return fmt.Sprintf("%d|%s|%s", t.PID, t.ProcessName, ts)
}

// Pair merges the text and protobuf forms of the same crash, keeping the
// input order of first appearance. The merged record keeps the text values
// and fills gaps from the protobuf, which carries a few fields text lacks.
func Pair(ts []*Tombstone) []*Tombstone {
	var out []*Tombstone
	idx := map[string]int{}
	for _, t := range ts {
		if t == nil {
			continue
		}
		k := t.key()
		if i, ok := idx[k]; ok {
			merge(out[i], t)
			continue
		}
		idx[k] = len(out)
		c := *t
		if len(c.Files) == 0 && c.File != "" {
			c.Files = []string{c.File}
		}
		out = append(out, &c)
	}
	return out
}

func merge(dst, src *Tombstone) {
	dst.Files = append(dst.Files, src.File)
	for _, f := range src.Formats {
		if !slices.Contains(dst.Formats, f) {
			dst.Formats = append(dst.Formats, f)
		}
	}
	fill := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	fill(&dst.BuildFingerprint, src.BuildFingerprint)
	fill(&dst.Revision, src.Revision)
	fill(&dst.Arch, src.Arch)
	fill(&dst.BinaryPath, src.BinaryPath)
	fill(&dst.SELinuxLabel, src.SELinuxLabel)
	fill(&dst.Cause, src.Cause)
	fill(&dst.AbortMessage, src.AbortMessage)
	if len(dst.CommandLine) == 0 {
		dst.CommandLine = src.CommandLine
	}
	if len(dst.Causes) == 0 {
		dst.Causes = src.Causes
	}
	if dst.Timestamp.IsZero() {
		dst.Timestamp = src.Timestamp
	}
	if dst.timeErr == nil {
		dst.timeErr = src.timeErr
	}
}

// parseTime reads tombstone timestamps: "2023-04-12 12:32:40.518290770+0200"
// (or without fraction or offset). It returns the instant (offset kept, UTC
// when absent) and the wall clock with microseconds, as MVT prints it. Text
// that is no plausible date (year 2999, no date form) is the zero time, no
// wall clock, and an error keeping it (timestamp.ParseText).
func parseTime(s string) (time.Time, string, error) {
	t, err := timestamp.ParseText(strings.TrimSpace(s), "2006-01-02 15:04:05.999999999-0700", "2006-01-02 15:04:05-0700",
		"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05")
	if err != nil || t.IsZero() {
		return time.Time{}, "", err
	}
	wall := t.Format("2006-01-02 15:04:05")
	if t.Nanosecond() != 0 {
		wall += fmt.Sprintf(".%06d", t.Nanosecond()/1000)
	}
	return t, wall, nil
}

// Package applelog reads the two text log formats iOS daemons write into a
// sysdiagnose's logs/ folder, one entry per dated line with continuation
// lines appended:
//
//   - MobileInstallation and MobileActivation style:
//     "Mon Apr  7 06:13:34 2025 [234] <notice> (0x16b48f000) -[MIInstaller ...]: message"
//     (the level and thread are absent in older versions);
//   - lockdownd style: "10/13/21 07:57:42.865446 pid=69 handle_get_value: message".
//
// Both print the phone's local time without a zone: the caller gives the
// zone (internal/module/ios/sysdiag). Nothing here knows what a message
// means; the modules do.
//
// Lines is the bounded line reader under them, which the other parsers of
// a sysdiagnose's text files (ps.txt, spindump, taskinfo, shutdown.log,
// logd statistics, a unified-log export) read through too.
package applelog

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// Entry is one log entry.
type Entry struct {
	Time    time.Time `json:"time"`
	PID     int       `json:"pid"`
	Level   string    `json:"level,omitempty"`
	Func    string    `json:"function,omitempty"`
	Message string    `json:"message"`
	Line    int       `json:"line"`
	// TimeErr says the line's date is no plausible date (year 2999, or
	// 1969 in a two-digit year): Time is zero and the error keeps the date
	// as written, for the record (model.Record.StampChecked).
	TimeErr error `json:"-"`
}

// Limits: real logs are a few megabytes; a hostile one cannot make one
// entry, or the count of entries, grow without bound.
const (
	maxLine    = 256 << 10
	maxMessage = 64 << 10
	maxEntries = 2_000_000
)

// ErrTooMany says the log held more entries than are read.
var ErrTooMany = fmt.Errorf("more than %d entries; the rest was not read", maxEntries)

// Parse streams the entries of r to fn, in file order. Lines before the
// first dated line are skipped; a dated line whose time is no plausible
// date still opens an entry (with a zero time) so its message is kept.
func Parse(r io.Reader, loc *time.Location, fn func(Entry)) error {
	if loc == nil {
		loc = time.UTC
	}
	lines := NewLines(r, maxLine)
	var cur *Entry
	var msg strings.Builder
	n := 0
	flush := func() {
		if cur != nil {
			cur.Message = strings.TrimSpace(msg.String())
			fn(*cur)
			cur = nil
		}
		msg.Reset()
	}
	for lines.Scan() {
		line := lines.Text()
		if e, rest, ok := parseHead(line, loc); ok {
			flush()
			if n >= maxEntries {
				return ErrTooMany
			}
			n++
			e.Line = lines.N
			cur = &e
			msg.WriteString(rest)
			continue
		}
		if cur != nil && msg.Len()+len(line)+1 <= maxMessage {
			msg.WriteByte('\n')
			msg.WriteString(line)
		}
	}
	flush()
	return lines.Err()
}

// parseHead reads the dated start of an entry; rest is the message.
func parseHead(line string, loc *time.Location) (Entry, string, bool) {
	if len(line) >= 26 && line[2] == '/' && line[5] == '/' && line[8] == ' ' {
		return lockdownHead(line, loc)
	}
	if len(line) >= 26 && line[3] == ' ' && line[7] == ' ' && line[24] == ' ' && line[25] == '[' {
		return installHead(line, loc)
	}
	return Entry{}, "", false
}

// lockdownHead: "10/13/21 07:57:42.865446 pid=69 func: message".
func lockdownHead(line string, loc *time.Location) (Entry, string, bool) {
	sp := strings.IndexByte(line[9:], ' ')
	if sp < 0 {
		return Entry{}, "", false
	}
	stamp := line[:9+sp]
	rest := line[9+sp+1:]
	if !strings.HasPrefix(rest, "pid=") {
		return Entry{}, "", false
	}
	t, terr := timestamp.ParseTextIn(stamp, loc, "01/02/06 15:04:05.999999")
	var unknown *timestamp.TextError
	if errors.As(terr, &unknown) || (terr == nil && t.IsZero()) {
		return Entry{}, "", false
	}
	rest = rest[4:]
	end := strings.IndexByte(rest, ' ')
	if end < 0 {
		end = len(rest)
	}
	pid, err := strconv.Atoi(rest[:end])
	if err != nil || pid < 0 {
		return Entry{}, "", false
	}
	e := Entry{Time: t, PID: pid, TimeErr: terr}
	rest = strings.TrimSpace(rest[end:])
	e.Func, rest = function(rest)
	return e, rest, true
}

// installHead: "Mon Apr  7 06:13:34 2025 [234] <notice> (0x16b) func: message".
func installHead(line string, loc *time.Location) (Entry, string, bool) {
	t, terr := timestamp.ParseTextIn(line[:24], loc, "Mon Jan _2 15:04:05 2006")
	var unknown *timestamp.TextError
	if errors.As(terr, &unknown) || (terr == nil && t.IsZero()) {
		return Entry{}, "", false
	}
	rest := line[26:]
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return Entry{}, "", false
	}
	pid, err := strconv.Atoi(rest[:end])
	if err != nil || pid < 0 {
		return Entry{}, "", false
	}
	e := Entry{Time: t, PID: pid, TimeErr: terr}
	rest = strings.TrimSpace(rest[end+1:])
	if strings.HasPrefix(rest, "<") {
		if j := strings.IndexByte(rest, '>'); j > 0 {
			e.Level, rest = rest[1:j], strings.TrimSpace(rest[j+1:])
		}
	}
	if strings.HasPrefix(rest, "(0x") {
		if j := strings.IndexByte(rest, ')'); j > 0 {
			rest = strings.TrimSpace(rest[j+1:])
		}
	}
	e.Func, rest = function(rest)
	return e, rest, true
}

// function splits "-[MIInstaller installX:]: message" or "name: message"
// into the function and the message; a message without one is returned
// whole.
func function(s string) (string, string) {
	if strings.HasPrefix(s, "-[") || strings.HasPrefix(s, "+[") {
		if j := strings.Index(s, "]:"); j > 0 {
			return s[:j+1], strings.TrimSpace(s[j+2:])
		}
		return "", s
	}
	j := strings.Index(s, ": ")
	if j <= 0 || strings.ContainsAny(s[:j], " \t") {
		return "", s
	}
	return s[:j], strings.TrimSpace(s[j+2:])
}

package unifiedlog

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// Entry is the part of one exported log entry huella reads.
type Entry struct {
	Time    time.Time
	Process string // the image path of the process that logged
	Sender  string // the library or binary that wrote the entry
	Message string
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
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		b := sc.Bytes()
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
		e.Time = entryTime(l)
		if n >= maxEntries {
			return n, bad, fmt.Errorf("%s: more than %d entries; the rest was not read", name, maxEntries)
		}
		n++
		fn(e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return n, bad, fmt.Errorf("%s: line %d longer than %d bytes", name, lineNo+1, maxLine)
		}
		return n, bad, fmt.Errorf("%s: %w", name, err)
	}
	return n, bad, nil
}

func entryTime(l line) time.Time {
	if l.Timestamp != "" {
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-0700", "2006-01-02 15:04:05-0700", time.RFC3339Nano} {
			if t, err := time.Parse(layout, l.Timestamp); err == nil {
				if timestamp.Check(t) != nil {
					return time.Time{}
				}
				return t.UTC()
			}
		}
	}
	if l.Time != "" {
		if f, err := l.Time.Float64(); err == nil {
			t, _ := timestamp.FromFloat(f, timestamp.UnixEpoch, timestamp.Nanoseconds)
			return t
		}
	}
	return time.Time{}
}

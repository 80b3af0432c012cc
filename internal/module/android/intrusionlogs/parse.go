// Package intrusionlogs reads Android 16's intrusion logging (Advanced
// Protection): newline-delimited JSON, one event per line, keyed by type
// (dns_event, connect_event, security_event), in plain files or zips.
package intrusionlogs

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// Event is one logged event.
type Event struct {
	Type   string         `json:"type"`          // dns_event, connect_event, security_event, or unknown
	Tag    string         `json:"tag,omitempty"` // security events: what happened, e.g. app_process_start
	Time   time.Time      `json:"time,omitzero"`
	Fields map[string]any `json:"fields"` // the event as logged
	File   string         `json:"file"`
	Line   int            `json:"line"`
	// timeErr keeps an event_time that is no plausible date; the record
	// carries the raw value (model.Record.StampChecked).
	timeErr error
}

// securityMeta are security_event keys that are not the tag.
var securityMeta = map[string]bool{"event_id": true, "event_time": true, "event_type": true, "timestamp": true}

// oversized stands for a line longer than maxLine, which is skipped.
var oversized = []byte{0}

const (
	maxLine   = 1 << 20
	maxEvents = 10_000_000
)

// Reader collects events from several files and drops duplicates (the same
// event is often exported in overlapping files).
type Reader struct {
	seen   map[[32]byte]bool
	Events []Event
	Dups   int
	Bad    []string // lines that are not JSON objects, "file:line: why"
}

// NewReader returns an empty Reader.
func NewReader() *Reader { return &Reader{seen: map[[32]byte]bool{}} }

// Add reads one NDJSON stream.
func (r *Reader) Add(name string, in io.Reader) error {
	br := bufio.NewReaderSize(in, 64<<10)
	line := 0
	for {
		b, err := readLine(br)
		if len(b) > 0 {
			line++
			if &b[0] == &oversized[0] {
				r.Bad = append(r.Bad, fmt.Sprintf("%s:%d: line longer than %d bytes", name, line, maxLine))
			} else {
				r.addLine(name, line, b)
			}
			if len(r.Events) > maxEvents {
				return fmt.Errorf("%s: more than %d events; stopped", name, maxEvents)
			}
		} else if err == nil {
			line++
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: line %d: %w", name, line+1, err)
		}
	}
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(buf)+len(frag) > maxLine {
			// Skip the rest of an absurd line rather than hold it.
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err == nil || err == io.EOF {
				return oversized, err
			}
			return nil, err
		}
		buf = append(buf, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimSpace(buf), err
	}
}

func (r *Reader) addLine(name string, line int, b []byte) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		r.Bad = append(r.Bad, fmt.Sprintf("%s:%d: not a JSON object", name, line))
		return
	}
	for _, typ := range sortedKeys(top) {
		fields, _ := top[typ].(map[string]any)
		if fields == nil {
			fields = map[string]any{"value": top[typ]}
		}
		// encoding/json sorts map keys, so this is a canonical form.
		canon, _ := json.Marshal(map[string]any{typ: fields})
		sum := sha256.Sum256(canon)
		if r.seen[sum] {
			r.Dups++
			continue
		}
		r.seen[sum] = true
		ev := Event{Type: typ, Fields: fields, File: name, Line: line}
		if typ == "security_event" {
			for _, k := range sortedKeys(fields) {
				if !securityMeta[k] {
					ev.Tag = k
					break
				}
			}
		}
		ev.Time, ev.timeErr = epoch(fields["event_time"])
		r.Events = append(r.Events, ev)
	}
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// epoch reads event_time. DNS and connect events log milliseconds and
// security events nanoseconds; the magnitude decides (timestamp.UnixInt),
// so a format change cannot move events to 1970 or to the far future. A
// value that is no date between 1970 and 2100 is returned as an error that
// keeps it.
func epoch(v any) (time.Time, error) {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return timestamp.UnixInt(i)
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return time.Time{}, nil
		}
		return timestamp.Unix(f)
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return time.Time{}, nil
		}
		return timestamp.UnixInt(i)
	}
	return time.Time{}, nil
}

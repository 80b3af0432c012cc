package crashreports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/source/evfile"
)

// Header is the one-line JSON header every .ips file starts with.
type Header struct {
	BugType      string    `json:"bug_type,omitempty"`
	AppName      string    `json:"app_name,omitempty"`
	Name         string    `json:"name,omitempty"`
	BundleID     string    `json:"bundleID,omitempty"`
	AppVersion   string    `json:"app_version,omitempty"`
	BuildVersion string    `json:"build_version,omitempty"`
	OSVersion    string    `json:"os_version,omitempty"`
	IncidentID   string    `json:"incident_id,omitempty"`
	RawTimestamp string    `json:"timestamp,omitempty"`
	Time         time.Time `json:"time,omitzero"`
}

// Body is what the crash body adds, when it is the JSON of bug type 309.
type Body struct {
	ProcPath   string `json:"procPath,omitempty"`
	ParentProc string `json:"parentProc,omitempty"`
	Coalition  string `json:"coalitionName,omitempty"`
	Exception  struct {
		Type   string `json:"type,omitempty"`
		Signal string `json:"signal,omitempty"`
	} `json:"exception,omitzero"`
}

const (
	maxHeader = 64 << 10
	maxBody   = 16 << 20
)

// ParseHeader decodes the first line of an .ips file. Fields may be strings
// or numbers (bug_type is a string in iOS 15+, older files vary), so each is
// read loosely.
func ParseHeader(line []byte) (Header, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimSpace(line), &raw); err != nil {
		return Header{}, fmt.Errorf("header is not JSON: %w", err)
	}
	s := func(k string) string {
		v, ok := raw[k]
		if !ok {
			return ""
		}
		var str string
		if json.Unmarshal(v, &str) == nil {
			return str
		}
		var n json.Number
		if json.Unmarshal(v, &n) == nil {
			return n.String()
		}
		return ""
	}
	h := Header{BugType: s("bug_type"), AppName: s("app_name"), Name: s("name"), BundleID: s("bundleID"), AppVersion: s("app_version"),
		BuildVersion: s("build_version"), OSVersion: s("os_version"), IncidentID: s("incident_id"), RawTimestamp: s("timestamp")}
	h.Time = ParseTime(h.RawTimestamp)
	return h, nil
}

// ParseTime reads "2023-06-01 10:22:33.00 +0200" and its variants.
func ParseTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// Read parses the header and, when the rest is JSON, the body. name is used in errors.
func Read(r io.Reader, name string) (Header, Body, error) {
	br := bufio.NewReaderSize(r, 4096)
	line, err := br.ReadSlice('\n')
	if len(line) == 0 && errors.Is(err, io.EOF) {
		// 0 bytes: a report the acquisition copied while it was being
		// written is present but empty, not a damaged file.
		return Header{}, Body{}, &evfile.EmptyError{Name: name}
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		var buf []byte
		buf = append(buf, line...)
		for errors.Is(err, bufio.ErrBufferFull) && len(buf) <= maxHeader {
			line, err = br.ReadSlice('\n')
			buf = append(buf, line...)
		}
		if len(buf) > maxHeader {
			return Header{}, Body{}, fmt.Errorf("%s: first line longer than %d bytes: not an .ips file", name, maxHeader)
		}
		line = buf
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return Header{}, Body{}, fmt.Errorf("%s: %w", name, err)
	}
	h, herr := ParseHeader(line)
	if herr != nil {
		return Header{}, Body{}, fmt.Errorf("%s: %w", name, herr)
	}
	var b Body
	rest, err := evfile.ReadAll(br, name, evfile.Limit{Kind: "crash report body", Max: maxBody})
	if err == nil {
		// A body that is not JSON (older text crash logs) is fine: the
		// header carries what matters.
		_ = json.Unmarshal(rest, &b)
	}
	return h, b, nil
}

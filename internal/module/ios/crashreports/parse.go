package crashreports

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/jsonx"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/timestamp"
)

// maxReports bounds records from hostile evidence full of tiny .ips files.
const maxReports = 200_000

// Report is one .ips file.
type Report struct {
	File string `json:"file"`
	Header
	Body
}

func run(ctx context.Context, env *module.Env) error {
	pats := Paths
	if env.Evidence.Kind == source.IOSCrashReports {
		pats = slices.Concat(Paths, SharedPaths)
	}
	var found []string
	for _, f := range env.Glob(pats...) {
		// Analytics journals are daily summaries, read by ios.version_history.
		if !strings.HasPrefix(path.Base(f), "Analytics-") {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return module.Absent(".ips crash reports")
	}
	if len(found) > maxReports {
		env.Warn("%d .ips files; only the first %d were read", len(found), maxReports)
		found = found[:maxReports]
	}
	var errs []error
	for i, name := range found {
		if i%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		env.Find(name)
		rep, err := readReport(env.Evidence, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		env.Emit(record(rep))
	}
	if len(errs) > 20 {
		env.Warn("%d .ips files could not be read; the first 20 errors follow", len(errs))
		errs = errs[:20]
	}
	return errors.Join(errs...)
}

func readReport(ev *source.Evidence, name string) (*Report, error) {
	f, err := ev.Open(name, evfile.Stream)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, b, err := Read(f, name)
	if err != nil {
		return nil, err
	}
	return &Report{File: name, Header: h, Body: b}, nil
}

func record(rep *Report) *model.Record {
	proc := rep.AppName
	if proc == "" {
		proc = rep.Name
	}
	if proc == "" && rep.ProcPath != "" {
		proc = path.Base(rep.ProcPath)
	}
	r := &model.Record{Source: rep.File, Data: rep}
	r.Summary = fmt.Sprintf("Crash or diagnostic report (bug type %s) for %s", rep.BugType, cmp.Or(proc, "an unknown process"))
	if rep.Format == "text" {
		r.Summary = "Crash log for " + cmp.Or(proc, "an unknown process")
	}
	if rep.Exception.Type != "" {
		r.Summary += " (" + rep.Exception.Type + ")"
	}
	if rep.OSVersion != "" {
		r.Summary += " on " + rep.OSVersion
	}
	r.Add(model.KindProcess, proc, "app_name")
	if rep.Name != "" && rep.Name != proc {
		r.Add(model.KindProcess, rep.Name, "name")
	}
	r.Add(model.KindAppID, rep.BundleID, "bundleID")
	r.Add(model.KindFilePath, rep.ProcPath, "procPath")
	r.Add(model.KindProcess, rep.ParentProc, "parentProc")
	desc := stampDesc(rep.BugType)
	if rep.Format == "text" {
		desc = "crash"
	}
	r.StampChecked(rep.Time, rep.TimeErr(), desc)
	return r
}

// crashTypes are the bug types of process crashes and kernel panics; other
// reports (jetsam, stackshots, resource use) are diagnostics, not crashes.
var crashTypes = map[string]bool{"109": true, "309": true, "210": true}

func stampDesc(bugType string) string {
	if crashTypes[bugType] {
		return "crash"
	}
	return "diagnostic_report"
}

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
	// Format is "text" for an older crash log with no JSON header (.crash,
	// text.go); "" for an .ips file.
	Format string `json:"format,omitempty"`

	timeErr error // the timestamp is no plausible date: records keep it as written
}

// TimeErr is the error of reading the timestamp: non-nil when it is no
// plausible date (year 2999, no known form), for the record to keep it
// (model.Record.StampChecked).
func (h Header) TimeErr() error { return h.timeErr }

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
		t, _ := jsonx.Text(raw[k])
		return t
	}
	h := Header{BugType: s("bug_type"), AppName: s("app_name"), Name: s("name"), BundleID: s("bundleID"), AppVersion: s("app_version"),
		BuildVersion: s("build_version"), OSVersion: s("os_version"), IncidentID: s("incident_id"), RawTimestamp: s("timestamp")}
	h.Time, h.timeErr = ParseTime(h.RawTimestamp)
	return h, nil
}

// ParseTime reads "2023-06-01 10:22:33.00 +0200" and its variants, in UTC.
// Text that is no plausible date is the zero time and an error keeping it
// (timestamp.ParseText).
func ParseTime(s string) (time.Time, error) {
	t, err := timestamp.ParseText(strings.TrimSpace(s), "2006-01-02 15:04:05.999999999 -0700", "2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano)
	return t.UTC(), err
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
		if isTextCrashLog(line) {
			// An older text crash log (text.go).
			h, b := Header{Format: "text"}, Body{}
			fillFromText(&h, &b, parseTextHead(io.MultiReader(bytes.NewReader(line), br)))
			return h, b, nil
		}
		return Header{}, Body{}, fmt.Errorf("%s: %w", name, herr)
	}
	var b Body
	rest, err := evfile.ReadAll(br, name, evfile.Limit{Kind: "crash report body", Max: maxBody})
	if err == nil {
		// A body that is not JSON is the text of older crash logs: its
		// head completes what the header does not say.
		if json.Unmarshal(rest, &b) != nil {
			fillFromText(&h, &b, parseTextHead(bytes.NewReader(rest)))
		}
	}
	return h, b, nil
}

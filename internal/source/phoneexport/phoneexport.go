// Package phoneexport opens the evidence an iPhone owner can produce on the
// phone alone, with no computer: the App Privacy Report (one NDJSON file),
// Safari's Export Browsing Data (a zip) and crash reports shared from
// Analytics Data (.ips files). Each may come as the file the phone wrote, a
// folder holding it, or a zip someone made; each is recognised by content,
// never by the name of the folder it came in.
//
// A Safari export also holds the person's passwords (Passwords.csv) and
// payment cards (PaymentCards.json). Those files are never opened: the
// evidence tree shows only the files on the allow list (names.go), detection
// looks at names before content, and the inputs hashed for the record leave
// them out (source.Evidence.NeverRead).
package phoneexport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
	"github.com/huella-project/huella/internal/timestamp"
)

// Classify names the kind of a tree (a folder or a zip's content) holding
// one of these exports at its root, or "". It looks at names first: a tree
// shaped like a Safari export is one, and nothing in it is opened to find
// out. Otherwise it reads the first line of at most a few files at the root
// whose names an App Privacy Report or a crash report can have.
func Classify(fsys fs.FS) source.Kind {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return ""
	}
	if SafariShaped(ents) {
		return source.IOSSafariExport
	}
	sniffed := 0
	for _, e := range ents {
		if e.Type().IsRegular() && privacyCandidate(e.Name()) && sniffed < 8 {
			sniffed++
			if IsPrivacyReportLine(fileFirstLine(fsys, e.Name())) {
				return source.IOSAppPrivacyReport
			}
		}
	}
	if hasCrashReports(fsys, ents) {
		return source.IOSCrashReports
	}
	return ""
}

// SafariShaped says, from the names at a tree's root alone, whether it is a
// Safari export: a file named as Safari names its files in English, or a
// localised export (only JSON, CSV and HTML files, one of them named like
// a password or payment-card file).
func SafariShaped(ents []fs.DirEntry) bool {
	named, secret, files := false, false, 0
	only := true
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") || n == "__MACOSX" {
			continue
		}
		if e.IsDir() {
			only = false
			continue
		}
		files++
		named = named || safariName(n)
		secret = secret || Secret(n)
		switch strings.ToLower(path.Ext(n)) {
		case ".json", ".csv", ".html":
		default:
			only = false
		}
	}
	return named || secret && only && files > 0
}

// hasCrashReports says whether a tree holds crash reports at its root: a
// file named as one whose first line is an .ips header or a text crash
// log's first line (the first three such files are read). Only the root
// is looked at: a tree wrapped in one folder is looked at again below it
// by the caller, and a sysdiagnose or a file-system dump, which hold crash
// reports deeper down, are not mistaken for a handful of shared ones.
func hasCrashReports(fsys fs.FS, ents []fs.DirEntry) bool {
	sniffed := 0
	for _, e := range ents {
		if sniffed >= 3 {
			break
		}
		if e.Type().IsRegular() && crashCandidate(e.Name()) {
			sniffed++
			if IsCrashReportHead(fileFirstLine(fsys, e.Name())) {
				return true
			}
		}
	}
	return false
}

// Sniff names the kind of a single file from its name and first bytes, or
// "": an App Privacy Report, a crash report, or Safari's history saved on
// its own.
func Sniff(name string, head []byte) source.Kind {
	if Secret(name) {
		return ""
	}
	line := firstLine(strings.NewReader(string(head)))
	switch {
	case IsPrivacyReportLine(line):
		return source.IOSAppPrivacyReport
	case IsCrashReportHead(line):
		return source.IOSCrashReports
	case SafariAllowed(name) && len(line) > 0 && line[0] == '{':
		return source.IOSSafariExport
	}
	return ""
}

// ErrNoHistory: a Safari export (or what looks like one) without a history
// file huella may open.
var ErrNoHistory = errors.New("looks like a Safari export (Export Browsing Data) but holds no History.json: " +
	"huella opens only the files named History….json and Extensions….json, so that the files with passwords and payment cards are never read. " +
	"If the phone's language is not English, Safari named the history file in that language: rename it to History.json and check again")

// Open opens a folder or zip holding one of these exports. kind is the
// kind detection found (or --type forced).
func Open(ctx context.Context, p string, kind source.Kind, tmp *scratch.Dir) (*source.Evidence, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	ev := &source.Evidence{Kind: kind, Path: p, TempDir: tmp.Path(), Temp: tmp, Device: source.Device{Platform: "ios"}}
	var fsys fs.FS
	if fi.IsDir() {
		fsys = evfile.Dir(p)
	} else {
		z, c, err := archive.OpenZipLimits(p, archive.Limits{})
		if err != nil {
			return nil, err
		}
		ev.OnClose(c.Close)
		ev.RefusedEntries(filepath.Base(p), z.Refused)
		fsys = z
	}
	if Classify(fsys) == "" {
		// One folder wrapping everything ("zip -r export.zip export/").
		if sub := archive.StripTopDir(fsys); sub != fsys && Classify(sub) != "" {
			fsys = sub
		}
	}
	ev.FS = fsys
	if kind == source.IOSSafariExport {
		if err := openSafari(ev, fsys); err != nil {
			ev.Close()
			return nil, err
		}
	}
	return ev, ctx.Err()
}

// OpenFile opens a single file handed over on its own.
func OpenFile(ctx context.Context, p string, kind source.Kind, tmp *scratch.Dir) (*source.Evidence, error) {
	if Secret(p) || kind == source.IOSSafariExport && !SafariAllowed(p) {
		return nil, fmt.Errorf("%s: %w", p, ErrNoHistory)
	}
	fsys := source.OneFile(p, filepath.Base(p))
	ev := &source.Evidence{Kind: kind, Path: p, FS: fsys, TempDir: tmp.Path(), Temp: tmp, Device: source.Device{Platform: "ios"}}
	if kind == source.IOSSafariExport {
		if err := openSafari(ev, fsys); err != nil {
			return nil, err
		}
	}
	return ev, ctx.Err()
}

// maxRefusedListed bounds the names of files left unread kept for the
// report.
const maxRefusedListed = 20

// openSafari shows only the allowed files of a Safari export, records the
// others by name (unread) and the export's date from a history file.
func openSafari(ev *source.Evidence, fsys fs.FS) error {
	allow := func(name string) bool { return SafariAllowed(name) }
	ev.FS = SafariFS(fsys)
	ev.NeverRead = NeverRead
	var left []string
	for _, p := range refused(fsys, allow, maxRefusedListed) {
		left = append(left, path.Base(p))
	}
	if len(left) > 0 {
		if ev.Device.Extra == nil {
			ev.Device.Extra = map[string]string{}
		}
		ev.Device.Extra[ExtraNotOpened] = strings.Join(left, ", ")
	}
	histories, _ := fs.Glob(ev.FS, "[Hh][Ii][Ss][Tt][Oo][Rr][Yy]*.[Jj][Ss][Oo][Nn]")
	exts, _ := fs.Glob(ev.FS, "[Ee][Xx][Tt][Ee][Nn][Ss][Ii][Oo][Nn][Ss]*.[Jj][Ss][Oo][Nn]")
	if len(histories) == 0 && len(exts) == 0 {
		return fmt.Errorf("%s: %w", ev.Path, ErrNoHistory)
	}
	for _, h := range histories {
		md, err := ReadMetadata(ev.FS, h)
		if err != nil {
			ev.NoteRefusal(err)
			continue
		}
		if t, err := timestamp.UnixMicros(md.ExportTimeUsec); err == nil && md.ExportTimeUsec > 0 {
			ev.Device.Acquired = &t
		}
		if md.BrowserVersion != "" {
			if ev.Device.Extra == nil {
				ev.Device.Extra = map[string]string{}
			}
			ev.Device.Extra["browser"] = strings.TrimSpace(md.BrowserName + " " + md.BrowserVersion)
		}
		break
	}
	return nil
}

// SafariFS is a Safari export's tree as huella sees it: its folders and
// the files on the allow list (SafariAllowed), nothing else. The other
// files are missing from every listing and cannot be opened through it;
// whether a name is a folder is read from its parent's listing, so no file
// is opened to find out.
func SafariFS(base fs.FS) fs.FS { return &allowFS{base: base, allow: SafariAllowed} }

// ExtraNotOpened is the Device.Extra key listing the files of a Safari
// export that huella left unopened (comma-separated names).
const ExtraNotOpened = "not_opened"

// Metadata is the "metadata" object Safari writes at the top of each JSON
// file of its export.
type Metadata struct {
	BrowserName    string `json:"browser_name,omitempty"`
	BrowserVersion string `json:"browser_version,omitempty"`
	DataType       string `json:"data_type,omitempty"` // history, extensions or payment_cards
	ExportTimeUsec int64  `json:"export_time_usec,omitempty"`
	SchemaVersion  int64  `json:"schema_version,omitempty"`
}

// HistoryLimit bounds one history file of a Safari export: a real one with
// a hundred thousand visits is tens of megabytes.
var HistoryLimit = evfile.Limit{Kind: "Safari export history file", Max: 256 << 20}

// ReadMetadata reads the metadata object of an allowed file of a Safari
// export, streaming past anything before it without keeping it.
func ReadMetadata(fsys fs.FS, name string) (Metadata, error) {
	var md Metadata
	f, err := evfile.Open(fsys, name, HistoryLimit)
	if err != nil {
		return md, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return md, fmt.Errorf("%s: not a JSON object", name)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return md, fmt.Errorf("%s: %w", name, err)
		}
		if k, _ := t.(string); k == "metadata" {
			if err := dec.Decode(&md); err != nil {
				return md, fmt.Errorf("%s: metadata: %w", name, err)
			}
			return md, nil
		}
		if err := skipValue(dec); err != nil {
			return md, fmt.Errorf("%s: %w", name, err)
		}
	}
	return md, fmt.Errorf("%s: no metadata", name)
}

// skipValue reads past one JSON value token by token, holding at most one
// token (a long string) at a time.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth <= 0 {
			return nil
		}
	}
}

// Package source turns every kind of evidence into a read-only fs.FS with a
// logical layout, so modules never care whether files came from a folder, a
// zip, a tar, an encrypted backup or an .ab stream.
//
// Logical layouts, per kind:
//   - ios-backup:  "<Domain>/<relativePath>", e.g. "HomeDomain/Library/SMS/sms.db"
//   - ios-fs:      the device path without the leading slash, e.g. "private/var/mobile/Library/SMS/sms.db"
//   - ios-sysdiagnose: the archive's tree with the top "sysdiagnose_*" folder removed
//   - androidqf, android-bugreport, android-intrusion-logs: the acquisition's own tree
//   - android-backup: the tar inside the .ab ("apps/<pkg>/...")
//   - ios-unified-log: the one export file, under its own name
//   - ios-app-privacy-report, ios-crash-reports: the files as the person
//     saved them (one file, a folder or a zip)
//   - ios-safari-export: the export's own tree, holding only the files that
//     cannot hold secrets (see internal/source/phoneexport)
//   - network: one folder per format, "capture/", "zeek/", "suricata/", "dns/" (see internal/source/netcap)
package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// Kind is an evidence type; its string is what --type takes.
type Kind string

const (
	IOSBackup      Kind = "ios-backup"
	IOSFS          Kind = "ios-fs"
	IOSSysdiagnose Kind = "ios-sysdiagnose"
	AndroidQF      Kind = "androidqf"
	AndroidBackup  Kind = "android-backup"
	Bugreport      Kind = "android-bugreport"
	IntrusionLogs  Kind = "android-intrusion-logs"
	// IOSUnifiedLog is an export of an iPhone's unified log as JSON lines
	// (log show --style ndjson on a Mac, or Mandiant's unifiedlog tool).
	IOSUnifiedLog Kind = "ios-unified-log"
)

// Network is a phone's traffic: packet captures, Zeek, Suricata and DNS
// resolver logs, PiRogue capture folders (internal/source/netcap). It is
// recognised last: a folder that is any phone evidence is that evidence.
const Network Kind = "network"

// Kinds lists every evidence type, in the order detection tries them.
var Kinds = slices.Concat([]Kind{IOSBackup, IOSFS, IOSSysdiagnose, AndroidQF, AndroidBackup, Bugreport, IntrusionLogs, IOSUnifiedLog},
	PhoneKinds, []Kind{Network})

// IsIOS says whether the kind comes from an iPhone.
func (k Kind) IsIOS() bool { return strings.HasPrefix(string(k), "ios") }

// InputFile is one file the user handed over, hashed for the record.
type InputFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Device is what the evidence says about the phone. Fields stay empty when
// unknown; TimeZone is an IANA name when the evidence records one.
type Device struct {
	Platform  string            `json:"platform,omitempty"` // "ios" or "android"
	Name      string            `json:"name,omitempty"`
	Model     string            `json:"model,omitempty"`
	OSVersion string            `json:"os_version,omitempty"`
	Build     string            `json:"build,omitempty"`
	ID        string            `json:"id,omitempty"` // UDID or serial
	TimeZone  string            `json:"time_zone,omitempty"`
	Acquired  *time.Time        `json:"acquired,omitempty"` // acquisition or backup date
	Extra     map[string]string `json:"extra,omitempty"`
}

// Location is the device's zone, or nil when unknown.
func (d *Device) Location() *time.Location {
	if d == nil || d.TimeZone == "" {
		return nil
	}
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		return nil
	}
	return loc
}

// LocalPather is implemented by file systems backed by real files. SQLite
// needs a path on disk; when a file system cannot give one, the bytes are
// copied to the evidence's private temporary folder instead.
type LocalPather interface {
	// LocalPath returns the on-disk path of name, or ok=false when the file
	// is not stored plainly on disk (compressed, encrypted, inside a zip).
	LocalPath(name string) (p string, ok bool)
}

// EntryInfo is what an index of a whole tree knows of one entry without
// opening it.
type EntryInfo struct {
	Dir      bool
	Special  bool // a link, pipe or device: listed, never followed or read
	Size     int64
	Modified time.Time // zero when the evidence does not say
}

// Tree is implemented by file systems that hold an index of their whole
// tree (file-system dumps, internal/source/fsdump): globs and walks read
// the index, so a dump of a million files is neither listed into a slice
// nor walked with a million system calls per module.
type Tree interface {
	// GlobTree returns the regular files matching one MatchGlob pattern,
	// sorted.
	GlobTree(pattern string) []string
	// WalkTree calls fn for every entry in path order (a folder before
	// what it holds). p's bytes are reused after fn returns.
	WalkTree(fn func(p []byte, in EntryInfo) error) error
}

// Evidence is one opened input.
type Evidence struct {
	Kind   Kind
	Path   string // as given by the user
	FS     fs.FS  // logical, read-only tree
	Inputs []InputFile
	// InputsList stands for Inputs when the evidence is a folder of more
	// than MaxListedInputs files: their hashes are in a list file.
	InputsList *InputsList
	Device     Device
	TempDir    string // private (0700); removed by Close
	// Temp is the same folder with the run's disk budget: every temporary
	// write (extraction, decryption, database copies) goes through it.
	// Closing the evidence closes it, and a goroutine still running then
	// can no longer write there.
	Temp *scratch.Dir

	// Notes are problems met while opening (a file whose size did not match
	// its manifest, an entry refused from an archive). They are reported in
	// info.json and the report, never dropped.
	Notes []string
	// NeverRead, when set, says which files below Path the reader leaves
	// alone on purpose (a Safari export's passwords and payment cards):
	// they are not even hashed, and not listed among the inputs.
	NeverRead func(rel string) bool
	// Gaps are the parts of the evidence that could not be opened and so
	// were not checked (an encrypted inner backup without its password, an
	// unreadable nested archive). Each makes the outcome incomplete.
	Gaps []coverage.Gap

	mu      sync.Mutex
	closers []func() error
	index   []string
	indexed bool
	walkErr []*fs.PathError // folders the index could not list
	noted   map[string]bool
	dropped int
}

// OnClose registers cleanup to run when the evidence is closed.
func (e *Evidence) OnClose(f func() error) {
	e.mu.Lock()
	e.closers = append(e.closers, f)
	e.mu.Unlock()
}

// maxNotes bounds the notes of one evidence: an acquisition holding a
// million named pipes gets a thousand lines and a count, not a million.
const maxNotes = 1000

// Note records a problem met while reading the evidence. The same message
// is kept once.
func (e *Evidence) Note(msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.noted[msg] {
		return
	}
	if len(e.Notes) >= maxNotes {
		e.dropped++
		return
	}
	if e.noted == nil {
		e.noted = map[string]bool{}
	}
	e.noted[msg] = true
	e.Notes = append(e.Notes, msg)
}

// NotChecked records a part of the evidence that was not checked, with why
// (and, when the cause's usual fix does not fit, how to fix it).
func (e *Evidence) NotChecked(g coverage.Gap) {
	e.mu.Lock()
	e.Gaps = append(e.Gaps, g)
	e.mu.Unlock()
}

// GapList is a copy of the parts not checked so far, safe while modules
// still run (a module left behind at its time limit may add one).
func (e *Evidence) GapList() []coverage.Gap {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]coverage.Gap(nil), e.Gaps...)
}

// NoteList is a copy of the notes so far, safe while modules still run.
func (e *Evidence) NoteList() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := append([]string(nil), e.Notes...)
	if e.dropped > 0 {
		out = append(out, fmt.Sprintf("%d more problems not listed one by one", e.dropped))
	}
	return out
}

// ReadFile reads a whole evidence file under lim (see evfile.ReadFile). A
// refused file is also recorded as a note naming it, so it is never
// silently left out.
func (e *Evidence) ReadFile(name string, lim evfile.Limit) ([]byte, error) {
	b, err := evfile.ReadFile(e.FS, name, lim)
	e.noteRefusal(err)
	return b, err
}

// Open opens an evidence file for streaming under lim (see evfile.Open),
// noting a refusal as ReadFile does.
func (e *Evidence) Open(name string, lim evfile.Limit) (*evfile.File, error) {
	f, err := evfile.Open(e.FS, name, lim)
	e.noteRefusal(err)
	return f, err
}

// noteRefusal records a refusal of the bounded reader or of the temporary
// disk budget as a note and as a part not checked (coverage.Refused or
// OverLimit), which makes the outcome incomplete.
func (e *Evidence) noteRefusal(err error) {
	if g, ok := RefusalGap(err); ok {
		e.Note(err.Error())
		e.NotChecked(g)
	}
}

// RefusalGap is the part not checked that a refusal of the bounded reader
// or of the temporary disk budget stands for, or a file that is present but
// empty (an *evfile.EmptyError); ok is false for any other error.
func RefusalGap(err error) (coverage.Gap, bool) {
	var re *evfile.RefusedError
	var be *scratch.ExceededError
	var ee *evfile.EmptyError
	switch {
	case err == nil:
		return coverage.Gap{}, false
	case errors.As(err, &ee):
		return coverage.Gap{Part: ee.Name, Cause: coverage.Empty}, true
	case errors.As(err, &be):
		return coverage.Gap{Part: be.What, Cause: coverage.OverLimit, Detail: err.Error(), Fix: "check its size by hand; if the evidence really is that large, give a larger --temp-budget"}, true
	case errors.Is(err, scratch.ErrBudget):
		return coverage.Gap{Part: "temporary files", Cause: coverage.OverLimit, Detail: err.Error()}, true
	case errors.As(err, &re):
		cause := coverage.Refused
		if strings.Contains(re.Reason, "limit") {
			cause = coverage.OverLimit
		}
		return coverage.Gap{Part: re.Name, Cause: cause, Detail: err.Error()}, true
	}
	return coverage.Gap{}, false
}

// RefusedEntries records the entries an archive reader refused (unsafe
// names, links, devices, overlapping data): each as a note, and the lot as
// one part not checked, so the outcome says the archive was not read whole.
func (e *Evidence) RefusedEntries(archive string, refused []string) {
	if len(refused) == 0 {
		return
	}
	for _, r := range refused {
		e.Note(r)
	}
	detail := refused[0]
	if len(refused) > 1 {
		detail = fmt.Sprintf("%s (and %d more)", refused[0], len(refused)-1)
	}
	e.NotChecked(coverage.Gap{Part: fmt.Sprintf("%d entries of %s", len(refused), archive), Cause: coverage.Refused, Detail: detail})
}

// NoteRefusal is noteRefusal for readers outside this package (SQLite
// opens, archive members).
func (e *Evidence) NoteRefusal(err error) { e.noteRefusal(err) }

// closeWait bounds how long Close waits for readers to release their
// files: one still used by a module left behind at its time limit must not
// keep the private folder (decrypted plaintext included) on disk.
const closeWait = time.Second

// Close releases everything and removes the private temporary folder, even
// when a reader is still blocked.
func (e *Evidence) Close() error {
	e.mu.Lock()
	cl := e.closers
	e.closers = nil
	e.mu.Unlock()
	var errs []error
	done := make(chan []error, 1)
	go func() {
		var errs []error
		for i := len(cl) - 1; i >= 0; i-- {
			if err := cl[i](); err != nil {
				errs = append(errs, err)
			}
		}
		done <- errs
	}()
	select {
	case errs = <-done:
	case <-time.After(closeWait):
		errs = append(errs, errors.New("a reader did not release its files (still used by a module left behind); the temporary folder is removed anyway"))
	}
	if e.Temp != nil {
		if err := e.Temp.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if e.TempDir != "" {
		if err := os.RemoveAll(e.TempDir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Files lists every regular file of the logical tree once, sorted. The list
// is built on first use and shared by all modules. Evidence whose FS is a
// Tree (a file-system dump) is never listed here by the pipeline: Glob and
// EachFile read its index instead.
func (e *Evidence) Files() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.indexed {
		return e.index
	}
	e.indexed = true
	if _, ok := e.FS.(Tree); ok {
		// A dump asked for its list anyway: from its index, which knows
		// no unreadable folder (those are gaps from the open step).
		_ = e.eachFile(func(p string) error {
			e.index = append(e.index, p)
			return nil
		})
		sort.Strings(e.index)
		return e.index
	}
	_ = fs.WalkDir(e.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// An unreadable folder: the walk goes on, and Unreadable tells
			// the modules whose files it could hold.
			if len(e.walkErr) < maxNotes {
				e.walkErr = append(e.walkErr, &fs.PathError{Op: "read folder", Path: p, Err: err})
			}
			return nil
		}
		if d.Type().IsRegular() {
			e.index = append(e.index, p)
		}
		return nil
	})
	sort.Strings(e.index)
	return e.index
}

// EachFile calls fn for every regular file of the logical tree, in path
// order, without keeping a list: what a module that looks at every file
// name uses on a dump of a million files. It stops at fn's first error.
func (e *Evidence) EachFile(fn func(name string) error) error {
	return e.eachFile(fn)
}

func (e *Evidence) eachFile(fn func(name string) error) error {
	if t, ok := e.FS.(Tree); ok {
		return t.WalkTree(func(p []byte, in EntryInfo) error {
			if in.Dir || in.Special {
				return nil
			}
			return fn(string(p))
		})
	}
	return fs.WalkDir(e.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable folder: skip it, the walk goes on
		}
		if d.Type().IsRegular() {
			return fn(p)
		}
		return nil
	})
}

// Glob returns the logical paths matching any of the patterns. Patterns use
// path.Match syntax per segment, plus "**" for any number of segments, and
// match case-sensitively (as iOS and Android paths are).
func (e *Evidence) Glob(patterns ...string) []string {
	var out []string
	seen := map[string]bool{}
	var files []string
	for _, pat := range patterns {
		if !strings.ContainsAny(pat, "*?[") {
			// A literal path: Stat it, which also finds files the index does
			// not list (an iOS backup file present on disk but absent from
			// Manifest.db is reachable by name only).
			if fi, err := fs.Stat(e.FS, pat); err == nil && fi.Mode().IsRegular() && !seen[pat] {
				seen[pat] = true
				out = append(out, pat)
			}
			continue
		}
		if t, ok := e.FS.(Tree); ok {
			for _, f := range t.GlobTree(pat) {
				if !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
			continue
		}
		if files == nil {
			files = e.Files()
		}
		for _, f := range files {
			if !seen[f] && MatchGlob(pat, f) {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Unreadable lists what could hold a match of patterns but could not be
// read: folders of the tree that could not be listed, and literal paths
// that could not be looked up for another reason than their absence. A
// module reports these as parts not checked: its artifact may be there,
// and an unreadable folder must never look like an absent artifact.
func (e *Evidence) Unreadable(patterns ...string) []*fs.PathError {
	if _, ok := e.FS.(Tree); !ok {
		// The walk that finds unreadable folders; a dump's index has none
		// (the open step made them gaps), and is not listed for nothing.
		e.Files()
	}
	var out []*fs.PathError
	seen := map[string]bool{}
	add := func(pe *fs.PathError) {
		if !seen[pe.Path] {
			seen[pe.Path] = true
			out = append(out, pe)
		}
	}
	for _, pat := range patterns {
		if !strings.ContainsAny(pat, "*?[") {
			if _, err := fs.Stat(e.FS, pat); err != nil && !errors.Is(err, fs.ErrNotExist) {
				add(&fs.PathError{Op: "look up", Path: pat, Err: err})
				continue
			}
		}
		for _, pe := range e.walkErr {
			if couldHold(pat, pe.Path) {
				add(pe)
			}
		}
	}
	return out
}

// couldHold says whether a path below folder dir could match pattern.
func couldHold(pattern, dir string) bool {
	if dir == "." {
		return true
	}
	pat, name := strings.Split(pattern, "/"), strings.Split(dir, "/")
	for ; len(name) > 0; pat, name = pat[1:], name[1:] {
		if len(pat) == 0 {
			return false
		}
		if pat[0] == "**" {
			return true
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
	}
	return len(pat) > 0
}

// MatchGlob matches a slash path against a pattern where "**" spans any
// number of segments (including none).
func MatchGlob(pattern, name string) bool {
	return matchSegs(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			if len(pat) == 1 {
				return true
			}
			for i := 0; i <= len(name); i++ {
				if matchSegs(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// Errors every encrypted-evidence reader wraps, so the CLI can ask for a
// password once and print one clear message, whatever the evidence type.
var (
	ErrPasswordNeeded = errors.New("encrypted: give --password-file FILE or set HUELLA_BACKUP_PASSWORD (or run on a terminal to be asked)")
	ErrWrongPassword  = errors.New("wrong password: the evidence could not be decrypted with it")
)

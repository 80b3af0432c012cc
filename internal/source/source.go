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
package source

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/huella-project/huella/internal/coverage"
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
)

// Kinds lists every evidence type, in the order detection tries them.
var Kinds = []Kind{IOSBackup, IOSFS, IOSSysdiagnose, AndroidQF, AndroidBackup, Bugreport, IntrusionLogs}

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

// Evidence is one opened input.
type Evidence struct {
	Kind    Kind
	Path    string // as given by the user
	FS      fs.FS  // logical, read-only tree
	Inputs  []InputFile
	Device  Device
	TempDir string // private (0700); removed by Close

	// Notes are problems met while opening (a file whose size did not match
	// its manifest, an entry refused from an archive). They are reported in
	// info.json and the report, never dropped.
	Notes []string
	// Gaps are the parts of the evidence that could not be opened and so
	// were not checked (an encrypted inner backup without its password, an
	// unreadable nested archive). Each makes the outcome incomplete.
	Gaps []coverage.Gap

	mu      sync.Mutex
	closers []func() error
	index   []string
	indexed bool
}

// OnClose registers cleanup to run when the evidence is closed.
func (e *Evidence) OnClose(f func() error) {
	e.mu.Lock()
	e.closers = append(e.closers, f)
	e.mu.Unlock()
}

// Note records a problem met while reading the evidence.
func (e *Evidence) Note(msg string) {
	e.mu.Lock()
	e.Notes = append(e.Notes, msg)
	e.mu.Unlock()
}

// NotChecked records a part of the evidence that was not checked, with why
// (and, when the cause's usual fix does not fit, how to fix it).
func (e *Evidence) NotChecked(g coverage.Gap) {
	e.mu.Lock()
	e.Gaps = append(e.Gaps, g)
	e.mu.Unlock()
}

// Close releases everything and removes the private temporary folder.
func (e *Evidence) Close() error {
	e.mu.Lock()
	cl := e.closers
	e.closers = nil
	e.mu.Unlock()
	var errs []error
	for i := len(cl) - 1; i >= 0; i-- {
		if err := cl[i](); err != nil {
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
// is built on first use and shared by all modules, so a dump with millions
// of files is walked once, not once per module.
func (e *Evidence) Files() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.indexed {
		return e.index
	}
	e.indexed = true
	_ = fs.WalkDir(e.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable folder: skip it, the walk goes on
		}
		if d.Type().IsRegular() {
			e.index = append(e.index, p)
		}
		return nil
	})
	sort.Strings(e.index)
	return e.index
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

// Package module defines the contract every artifact parser follows. A module
// reads one kind of artifact from the evidence's logical file system and
// emits typed records that expose their observables; it never matches
// indicators itself (the pipeline does, generically). Heuristics that need no
// indicator are pure functions in internal/heuristics that a module calls and
// reports through Env.Report.
package module

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Def is one module: an artifact parser described as data. Each module
// package exposes a constructor (Def, or Defs for a package holding several)
// and internal/module/all lists them all explicitly: nothing registers
// itself. A Def is a plain value, so the pipeline, 'huella modules', module
// selection and tests all read the same fields. Modules build theirs with
// New (or IOS, Sysdiagnose, Android, Network) and one reader method
// (FirstDB, EachDB, EachFile, With, Reads), which sets Paths and Run from
// one argument:
//
//	module.IOS("ios.calls", "Call history: ...").
//		FirstDB("CallHistory.storedata", Paths, module.Records(eachCall, (*Call).record))
type Def struct {
	// Name is stable and dotted: "ios.sms", "android.appops". It names the
	// output file (<name>.json) and appears in every finding.
	Name string
	// Description is one plain sentence for 'huella modules' and the
	// report's coverage.
	Description string
	// Kinds lists the evidence types the module applies to.
	Kinds []source.Kind
	// Paths are where the module looks for its artifact: logical paths or
	// globs (see source.Glob), in its order of preference. A file at any of
	// them makes the module read rather than report the artifact absent
	// (TestDeclaredPathsAreWhereModulesLook checks it for every module).
	// 'huella modules --paths' lists them. Files read beside the artifact
	// (WhatsApp's LID.sqlite) and other modules' artifacts consulted on the
	// way (the address book, to tell known senders) are not listed.
	Paths []string
	// Run parses the artifact. Return ErrAbsent (wrapped or not) when the
	// artifact is not in the evidence; any other error marks the module
	// failed, with records emitted so far kept.
	Run func(ctx context.Context, env *Env) error
}

// New starts the Def of a module named name, described in one sentence,
// that applies to evidence of kinds (in the order 'huella modules' lists
// them). It has no Paths and no Run until a reader method (run.go) gives it
// both; without one it is incomplete, which the test of every module
// (internal/module/all) rejects.
func New(name, description string, kinds ...source.Kind) Def {
	return Def{Name: name, Description: description, Kinds: slices.Clone(kinds)}
}

// IOS starts a module of iOS backups and file-system dumps, which both hold
// the phone's own databases and plists (at different paths: declare both).
func IOS(name, description string) Def {
	return New(name, description, source.IOSBackup, source.IOSFS)
}

// InHome is where a file of the phone's home folder (/private/var/mobile)
// is in the two evidence kinds of an IOS module: in a backup's HomeDomain,
// then in a file-system dump, rel being its path inside the home folder
// ("Library/SMS/sms.db").
func InHome(rel string) []string {
	return []string{"HomeDomain/" + rel, "private/var/mobile/" + rel}
}

// Sysdiagnose starts a module of sysdiagnose archives and of the other
// kinds also given (a file-system dump keeps many of the same logs).
func Sysdiagnose(name, description string, also ...source.Kind) Def {
	return New(name, description, slices.Concat([]source.Kind{source.IOSSysdiagnose}, also)...)
}

// Android starts a module of the Android evidence kinds given and of
// androidqf acquisitions, which hold their own files and every other
// Android artifact too (the bug report zip, backup.ab, intrusion logs).
func Android(name, description string, kinds ...source.Kind) Def {
	return New(name, description, slices.Concat(kinds, []source.Kind{source.AndroidQF})...)
}

// Network starts a module of network evidence: captures and logs of the
// phone's traffic (internal/source/netcap).
func Network(name, description string) Def {
	return New(name, description, source.Network)
}

// Applies says whether the module runs on evidence of kind k.
func (d Def) Applies(k source.Kind) bool { return slices.Contains(d.Kinds, k) }

// ErrAbsent says the module's artifact is not in this evidence.
var ErrAbsent = errors.New("artifact not present")

// Absent wraps ErrAbsent with what was looked for, for the coverage table.
func Absent(what string) error { return fmt.Errorf("%w: %s", ErrAbsent, what) }

// Env is what a module sees while it runs.
type Env struct {
	Evidence *source.Evidence
	Log      *slog.Logger
	module   string
	sink     Sink
	ctx      context.Context
	// unreadable are the parts already reported by Glob, once each.
	mu         sync.Mutex
	unreadable map[string]bool
}

// Sink receives a module's output; the pipeline implements it.
type Sink interface {
	Record(module string, r *model.Record)
	Detection(module string, d model.Detection)
	Warn(module string, msg string)
	Artifact(module string, name string) // an artifact the module read
}

// GapSink is implemented by sinks that keep what a module could not check
// (the pipeline does); Env falls back to a warning for sinks that do not.
type GapSink interface {
	Gap(module string, g coverage.Gap)
}

// NewEnv is used by the pipeline and by module tests.
func NewEnv(ev *source.Evidence, module string, sink Sink, log *slog.Logger) *Env {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Env{Evidence: ev, Log: log.With("module", module), module: module, sink: sink, ctx: context.Background()}
}

// WithContext ties the helpers that take no context (OpenDB) to the
// module's run: its deadline and cancellation stop them too.
func (e *Env) WithContext(ctx context.Context) *Env {
	e.ctx = ctx
	return e
}

// Emit hands a record to the pipeline, which matches its observables, writes
// it to <module>.json and adds its stamps to the timeline.
func (e *Env) Emit(r *model.Record) {
	r.Module = e.module
	e.sink.Record(e.module, r)
}

// Detect reports a heuristic finding about a record.
func (e *Env) Detect(d model.Detection) {
	d.Module = e.module
	if d.Kind == "" {
		d.Kind = model.ByHeuristic
	}
	if d.Time == nil && d.Record != nil {
		d.Time = d.Record.FirstTime()
	}
	e.sink.Detection(e.module, d)
}

// Report reports a rule's finding about a record (r may be nil); a nil
// finding, or one a context drops, reports nothing. It is how a module
// hands on what a heuristic in internal/heuristics returned.
func (e *Env) Report(f *rules.Finding, r *model.Record) {
	if f == nil || f.Dropped() {
		return
	}
	e.Detect(f.Detection(r))
}

// Warn records a partial problem ("parsed 10 of 12 package blocks", "row 7:
// bad timestamp") that does not fail the module but must not be silent.
func (e *Env) Warn(format string, args ...any) {
	e.sink.Warn(e.module, fmt.Sprintf(format, args...))
}

// NotChecked reports a part the module should have checked and could not
// (see internal/coverage). It makes the outcome incomplete and is listed,
// with its fix, in info.json, on the console and in the report.
func (e *Env) NotChecked(g coverage.Gap) {
	if gs, ok := e.sink.(GapSink); ok {
		gs.Gap(e.module, g)
		return
	}
	e.sink.Warn(e.module, g.Reason("en"))
}

// Unreadable reports a file the module found but could not read or parse:
// a warning, and a gap, so a module whose every file is unreadable is never
// taken for one that read an empty artifact.
func (e *Env) Unreadable(file string, err error) {
	e.sink.Warn(e.module, fmt.Sprintf("%s: %v", file, err))
	if _, refused := source.RefusalGap(err); refused {
		return // ReadFile, Open or OpenDB recorded it already, with its cause
	}
	if gs, ok := e.sink.(GapSink); ok {
		gs.Gap(e.module, coverage.Gap{Part: file, Cause: coverage.Unreadable, Detail: err.Error()})
	}
}

// Glob returns the logical paths matching any pattern (see source.Glob).
// A folder that could hold a match but could not be read, or a path that
// could not be looked up, is reported as unreadable (a part not checked):
// the artifact may be there, so the module is never taken for one whose
// artifact is absent.
func (e *Env) Glob(patterns ...string) []string {
	found := e.Evidence.Glob(patterns...)
	for _, pe := range e.Evidence.Unreadable(patterns...) {
		e.mu.Lock()
		first := !e.unreadable[pe.Path]
		if first {
			if e.unreadable == nil {
				e.unreadable = map[string]bool{}
			}
			e.unreadable[pe.Path] = true
		}
		e.mu.Unlock()
		switch {
		case !first:
		case e.refused(pe.Err):
		default:
			e.Unreadable(pe.Path, pe.Err)
		}
	}
	return found
}

// Find is Glob that also records the paths found as artifacts read.
func (e *Env) Find(patterns ...string) []string {
	found := e.Glob(patterns...)
	for _, f := range found {
		e.sink.Artifact(e.module, f)
	}
	return found
}

// First returns the first of paths present in the evidence, in the caller's
// order of preference (not sorted), or an ErrAbsent error naming what.
func (e *Env) First(what string, paths ...string) (string, error) {
	found := e.Find(paths...)
	if len(found) == 0 {
		return "", Absent(what)
	}
	for _, p := range paths {
		if slices.Contains(found, p) {
			return p, nil
		}
	}
	return found[0], nil // a glob matched: the first in sorted order
}

// OpenFirstDB opens the first database present among paths (see First and
// OpenDB).
func (e *Env) OpenFirstDB(what string, paths ...string) (*sqlitex.DB, error) {
	p, err := e.First(what, paths...)
	if err != nil {
		return nil, err
	}
	return e.OpenDB(p)
}

// OpenDB opens an evidence database read-only with the WAL recipe of
// sqlitex, its private copy (if any) within the run's disk budget. Values
// cut or left out for their size become warnings of the module; a refused
// file or sidecar also becomes an evidence note.
func (e *Env) OpenDB(name string) (*sqlitex.DB, error) {
	temp := e.Evidence.Temp
	if temp == nil && e.Evidence.TempDir != "" {
		// Evidence built by hand (tests): a private folder inside its TempDir.
		t, err := scratch.New(e.Evidence.TempDir, "db-", nil)
		if err != nil {
			return nil, err
		}
		e.Evidence.OnClose(t.Close)
		temp = t
	}
	db, err := sqlitex.Open(e.ctx, e.Evidence.FS, name, sqlitex.Options{Temp: temp,
		Note: func(msg string) { e.Warn("%s", msg) },
		Skipped: func(what, detail string) {
			e.Warn("%s", detail)
			e.NotChecked(coverage.Gap{Part: what, Cause: coverage.OverLimit, Detail: detail})
		}})
	e.refused(err)
	return db, err
}

// ReadFile reads a whole evidence file, bounded by lim (evfile.ReadFile);
// a refusal is also a note and a part not checked, naming the file.
func (e *Env) ReadFile(name string, lim evfile.Limit) ([]byte, error) {
	b, err := evfile.ReadFile(e.Evidence.FS, name, lim)
	e.refused(err)
	return b, err
}

// ReadPlistDict reads and decodes a plist whose top level is a dictionary,
// within evfile.Plist and plistx's bounds; errors name the file.
func (e *Env) ReadPlistDict(name string) (map[string]any, error) {
	b, err := e.ReadFile(name, evfile.Plist)
	if err != nil {
		return nil, err
	}
	d, err := plistx.DecodeDict(b, plistx.Limits{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// refused records a refusal by the bounded reader, the SQLite policy or the
// disk budget as an evidence note and as a part this module did not check
// (coverage.Refused or OverLimit), which makes the outcome incomplete.
func (e *Env) refused(err error) bool {
	g, ok := source.RefusalGap(err)
	if ok {
		e.Evidence.Note(err.Error())
		e.NotChecked(g)
	}
	return ok
}

// Open opens an evidence file for streaming, bounded by lim (evfile.Open);
// a refusal is also a note and a part not checked, naming the file.
func (e *Env) Open(name string, lim evfile.Limit) (*evfile.File, error) {
	f, err := evfile.Open(e.Evidence.FS, name, lim)
	e.refused(err)
	return f, err
}

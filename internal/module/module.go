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

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Module is one artifact parser.
type Module interface {
	// Name is stable and dotted: "ios.sms", "android.packages". It names the
	// output file (<name>.json) and appears in every finding.
	Name() string
	// Description is one plain sentence for --help and the report's coverage.
	Description() string
	// Kinds lists the evidence types the module applies to.
	Kinds() []source.Kind
	// Run parses the artifact. Return ErrAbsent (wrapped or not) when the
	// artifact is not in the evidence; any other error marks the module
	// failed, with records emitted so far kept.
	Run(ctx context.Context, env *Env) error
}

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
}

// Sink receives a module's output; the pipeline implements it.
type Sink interface {
	Record(module string, r *model.Record)
	Detection(module string, d model.Detection)
	Warn(module string, msg string)
	Artifact(module string, name string) // an artifact the module read
}

// NewEnv is used by the pipeline and by module tests.
func NewEnv(ev *source.Evidence, module string, sink Sink, log *slog.Logger) *Env {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Env{Evidence: ev, Log: log.With("module", module), module: module, sink: sink}
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

// Find returns the logical paths matching any pattern (see source.Glob) and
// records them as artifacts read.
func (e *Env) Find(patterns ...string) []string {
	found := e.Evidence.Glob(patterns...)
	for _, f := range found {
		e.sink.Artifact(e.module, f)
	}
	return found
}

// OpenDB opens an evidence database read-only with the WAL recipe of sqlitex.
func (e *Env) OpenDB(name string) (*sqlitex.DB, error) {
	return sqlitex.Open(e.Evidence.FS, name, e.Evidence.TempDir)
}

// Applies says whether m runs on evidence of kind k.
func Applies(m Module, k source.Kind) bool {
	for _, mk := range m.Kinds() {
		if mk == k {
			return true
		}
	}
	return false
}

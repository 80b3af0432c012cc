// Package moduletest is the one test helper for modules: it builds evidence
// at test time (a folder, or files held in memory), writes fixtures into it
// (SQLite databases, plists, raw files), runs a module.Def over it and keeps
// everything the module reported. Arguments always come in the same order:
// t, then what to run, then the evidence kind, then its content. Only
// _test.go files (and iosbackuptest) import it, so "testing" never reaches
// the binary.
package moduletest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Sink records everything a module reports. It is safe for modules that emit
// from several goroutines.
type Sink struct {
	mu         sync.Mutex
	Records    []*model.Record
	Detections []model.Detection
	Warnings   []string
	Artifacts  []string
}

func (s *Sink) Record(_ string, r *model.Record) {
	s.mu.Lock()
	s.Records = append(s.Records, r)
	s.mu.Unlock()
}

func (s *Sink) Detection(_ string, d model.Detection) {
	s.mu.Lock()
	s.Detections = append(s.Detections, d)
	s.mu.Unlock()
}

func (s *Sink) Warn(_ string, msg string) {
	s.mu.Lock()
	s.Warnings = append(s.Warnings, msg)
	s.mu.Unlock()
}

func (s *Sink) Artifact(_ string, name string) {
	s.mu.Lock()
	s.Artifacts = append(s.Artifacts, name)
	s.mu.Unlock()
}

// Rules lists the rule ids of the detections, in order.
func (s *Sink) Rules() []string {
	var out []string
	for _, d := range s.Detections {
		out = append(out, d.Rule)
	}
	return out
}

// Stamps counts the timestamps of all records.
func (s *Sink) Stamps() int {
	n := 0
	for _, r := range s.Records {
		n += len(r.Times)
	}
	return n
}

// Events counts the timeline events of all records.
func (s *Sink) Events() int {
	n := 0
	for _, r := range s.Records {
		n += len(r.Events())
	}
	return n
}

// Observables returns every observable value of a kind, in order.
func (s *Sink) Observables(k model.Kind) []string {
	var out []string
	for _, r := range s.Records {
		for _, o := range r.Observables {
			if o.Kind == k {
				out = append(out, o.Value)
			}
		}
	}
	return out
}

// Run runs d over ev and returns what it reported plus its error.
func Run(t testing.TB, d module.Def, ev *source.Evidence) (*Sink, error) {
	t.Helper()
	s := &Sink{}
	err := d.Run(context.Background(), module.NewEnv(ev, d.Name, s, nil).WithContext(context.Background()))
	return s, err
}

// MustRun is Run for a module expected to succeed: any error, ErrAbsent
// included, fails the test.
func MustRun(t testing.TB, d module.Def, ev *source.Evidence) *Sink {
	t.Helper()
	s, err := Run(t, d, ev)
	if err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	return s
}

// RunDir is Run over a folder laid out as the logical tree of kind.
func RunDir(t testing.TB, d module.Def, kind source.Kind, dir string) (*Sink, error) {
	t.Helper()
	return Run(t, d, Evidence(t, kind, dir))
}

// Evidence wraps a folder laid out as the logical tree of kind.
func Evidence(t testing.TB, kind source.Kind, dir string) *source.Evidence {
	t.Helper()
	return &source.Evidence{Kind: kind, Path: dir, FS: evfile.Dir(dir), TempDir: t.TempDir()}
}

// MapEvidence is evidence of kind made of in-memory files (logical path to
// content), all modified at the same fixed time.
func MapEvidence(t testing.TB, kind source.Kind, files map[string]string) *source.Evidence {
	t.Helper()
	m := fstest.MapFS{}
	for n, b := range files {
		m[n] = &fstest.MapFile{Data: []byte(b), Mode: 0o644, ModTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	}
	return &source.Evidence{Kind: kind, Path: "test", FS: m, TempDir: t.TempDir()}
}

// Find returns the module named name from defs (a package's Defs()).
func Find(t testing.TB, defs []module.Def, name string) module.Def {
	t.Helper()
	for _, d := range defs {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no module %s", name)
	return module.Def{}
}

// MkdirFor creates the parent folders of a logical path under dir and
// returns the path on disk.
func MkdirFor(t testing.TB, dir, logical string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(logical))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// CopyFile copies a file (a database and its -wal, say) into a test tree,
// creating the parent folders.
func CopyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

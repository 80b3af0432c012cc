// Package androidtest runs Android modules in tests: a recording sink and
// evidence built from in-memory files.
package androidtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Result is everything a module produced.
type Result struct {
	mu         sync.Mutex
	Records    []*model.Record
	Detections []model.Detection
	Warnings   []string
	Artifacts  []string
	Err        error
}

func (r *Result) Record(_ string, rec *model.Record) {
	r.mu.Lock()
	r.Records = append(r.Records, rec)
	r.mu.Unlock()
}

func (r *Result) Detection(_ string, d model.Detection) {
	r.mu.Lock()
	r.Detections = append(r.Detections, d)
	r.mu.Unlock()
}

func (r *Result) Warn(_ string, msg string) {
	r.mu.Lock()
	r.Warnings = append(r.Warnings, msg)
	r.mu.Unlock()
}

func (r *Result) Artifact(_ string, name string) {
	r.mu.Lock()
	r.Artifacts = append(r.Artifacts, name)
	r.mu.Unlock()
}

// Events counts the timeline events of all records.
func (r *Result) Events() int {
	n := 0
	for _, rec := range r.Records {
		n += len(rec.Events())
	}
	return n
}

// Observables returns every observable value of a kind, in order.
func (r *Result) Observables(k model.Kind) []string {
	var out []string
	for _, rec := range r.Records {
		for _, o := range rec.Observables {
			if o.Kind == k {
				out = append(out, o.Value)
			}
		}
	}
	return out
}

// Run runs m on ev. A module error fails the test unless it is ErrAbsent,
// which is returned in Result.Err for the caller to check.
func Run(t testing.TB, m module.Module, ev *source.Evidence) *Result {
	t.Helper()
	res := &Result{}
	env := module.NewEnv(ev, m.Name(), res, nil)
	err := m.Run(context.Background(), env)
	if err != nil && !errors.Is(err, module.ErrAbsent) {
		t.Fatalf("%s: %v", m.Name(), err)
	}
	res.Err = err
	return res
}

// Evidence builds evidence of kind from in-memory files.
func Evidence(t testing.TB, kind source.Kind, files map[string]string) *source.Evidence {
	t.Helper()
	m := fstest.MapFS{}
	for n, b := range files {
		m[n] = &fstest.MapFile{Data: []byte(b), Mode: 0o644, ModTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	}
	return &source.Evidence{Kind: kind, Path: "test", FS: m, TempDir: t.TempDir()}
}

// Find returns the module named name from ms.
func Find(t testing.TB, ms []module.Module, name string) module.Module {
	t.Helper()
	for _, m := range ms {
		if m.Name() == name {
			return m
		}
	}
	t.Fatalf("no module %s", name)
	return nil
}

// Package androidtest runs Android modules in tests: a recording sink and
// evidence built from in-memory files.
package androidtest

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

// Result is everything a module produced, plus the error Run let through.
type Result struct {
	moduletest.Sink
	Err error
}

// Run runs m on ev. A module error fails the test unless it is ErrAbsent,
// which is returned in Result.Err for the caller to check.
func Run(t testing.TB, m module.Module, ev *source.Evidence) *Result {
	t.Helper()
	res := &Result{}
	err := m.Run(context.Background(), module.NewEnv(ev, m.Name(), res, nil))
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

package locationd

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// sink keeps what a module produced, for assertions.
type sink struct {
	mu        sync.Mutex
	records   []*model.Record
	detects   []model.Detection
	warnings  []string
	artifacts []string
}

func (s *sink) Record(_ string, r *model.Record) {
	s.mu.Lock()
	s.records = append(s.records, r)
	s.mu.Unlock()
}
func (s *sink) Detection(_ string, d model.Detection) {
	s.mu.Lock()
	s.detects = append(s.detects, d)
	s.mu.Unlock()
}
func (s *sink) Warn(_ string, m string) {
	s.mu.Lock()
	s.warnings = append(s.warnings, m)
	s.mu.Unlock()
}
func (s *sink) Artifact(_ string, a string) {
	s.mu.Lock()
	s.artifacts = append(s.artifacts, a)
	s.mu.Unlock()
}

// runOn runs m over a folder laid out as the logical tree of kind.
func runOn(t *testing.T, m module.Module, kind source.Kind, dir string) (*sink, error) {
	t.Helper()
	ev := &source.Evidence{Kind: kind, FS: os.DirFS(dir), TempDir: t.TempDir()}
	s := &sink{}
	err := m.Run(context.Background(), module.NewEnv(ev, m.Name(), s, nil))
	return s, err
}

// mkdirFor creates the parent folders of a logical path under dir.
func mkdirFor(t *testing.T, dir, logical string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(logical))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

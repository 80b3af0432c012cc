package dumpsys

import (
	"context"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

type sink struct {
	records    []*model.Record
	detections []model.Detection
	warnings   []string
}

func (s *sink) Record(_ string, r *model.Record)      { s.records = append(s.records, r) }
func (s *sink) Detection(_ string, d model.Detection) { s.detections = append(s.detections, d) }
func (s *sink) Warn(_ string, msg string)             { s.warnings = append(s.warnings, msg) }
func (s *sink) Artifact(_ string, _ string)           {}

func run(t *testing.T, m module.Module, ev *source.Evidence) (*sink, error) {
	t.Helper()
	s := &sink{}
	err := m.Run(context.Background(), module.NewEnv(ev, m.Name(), s, nil))
	return s, err
}

func (s *sink) stamps() int {
	n := 0
	for _, r := range s.records {
		n += len(r.Times)
	}
	return n
}

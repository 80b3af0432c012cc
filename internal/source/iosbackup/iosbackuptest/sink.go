package iosbackuptest

import (
	"sync"

	"github.com/huella-project/huella/internal/model"
)

// Sink collects a module's output in tests (it implements module.Sink).
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

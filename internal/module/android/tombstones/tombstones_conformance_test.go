package tombstones

import (
	"context"
	"errors"
	"os"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/android/tombstone"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
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

func run(t *testing.T, ev *source.Evidence) (*sink, error) {
	s := &sink{}
	err := New().Run(context.Background(), module.NewEnv(ev, "android.tombstones", s, nil))
	return s, err
}

func TestConformanceBugreportTombstones(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/android_data/bugreport")
	s, err := run(t, &source.Evidence{Kind: source.Bugreport, FS: os.DirFS(dir)})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.records) != 2 || s.records[1].Data.(*tombstone.Tombstone).PID != 3559 {
		t.Fatalf("%d records", len(s.records))
	}
	// adbd runs as shell (2000), tzts_daemon as system (1000).
	if len(s.detections) != 2 {
		t.Errorf("%d detections", len(s.detections))
	}
}

func TestBadAndAbsent(t *testing.T) {
	ev := &source.Evidence{Kind: source.Bugreport, FS: fstest.MapFS{
		"FS/data/tombstones/tombstone_05":    {Data: []byte("garbage")},
		"FS/data/tombstones/tombstone_06.pb": {Data: []byte{0xff, 0xff}},
	}}
	s, err := run(t, ev)
	if err != nil || len(s.records) != 0 || len(s.warnings) != 2 {
		t.Errorf("err %v, %d records, warnings %v", err, len(s.records), s.warnings)
	}
	if _, err := run(t, &source.Evidence{Kind: source.Bugreport, FS: fstest.MapFS{}}); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
}

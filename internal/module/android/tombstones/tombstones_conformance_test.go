package tombstones

import (
	"errors"
	"os"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/android/tombstone"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

func TestConformanceBugreportTombstones(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/android_data/bugreport")
	s, err := moduletest.Run(t, Def(), &source.Evidence{Kind: source.Bugreport, FS: os.DirFS(dir)})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2 || s.Records[1].Data.(*tombstone.Tombstone).PID != 3559 {
		t.Fatalf("%d records", len(s.Records))
	}
	// adbd runs as shell (2000), tzts_daemon as system (1000).
	if len(s.Detections) != 2 {
		t.Errorf("%d detections", len(s.Detections))
	}
}

func TestBadAndAbsent(t *testing.T) {
	ev := &source.Evidence{Kind: source.Bugreport, FS: fstest.MapFS{
		"FS/data/tombstones/tombstone_05":    {Data: []byte("garbage")},
		"FS/data/tombstones/tombstone_06.pb": {Data: []byte{0xff, 0xff}},
	}}
	s, err := moduletest.Run(t, Def(), ev)
	if err != nil || len(s.Records) != 0 || len(s.Warnings) != 2 {
		t.Errorf("err %v, %d records, warnings %v", err, len(s.Records), s.Warnings)
	}
	if _, err := moduletest.Run(t, Def(), &source.Evidence{Kind: source.Bugreport, FS: fstest.MapFS{}}); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
}

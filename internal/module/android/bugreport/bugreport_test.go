package bugreport

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestGetpropAndFiles(t *testing.T) {
	acq := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	mod := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	dump := "------ SYSTEM PROPERTIES (getprop) ------\n[ro.build.version.security_patch]: [2023-01-05]\n[sys.foobar]: [1]\n------\n" +
		strings.Repeat("-", 79) + "\nDUMP OF SERVICE package:\nx\n"
	ev := &source.Evidence{Kind: source.Bugreport, Device: source.Device{Acquired: &acq}, FS: fstest.MapFS{
		"dumpstate-2024.txt":              {Data: []byte(dump)},
		"FS/data/tombstones/tombstone_00": {Data: []byte("x"), ModTime: mod},
	}}
	tests := []struct {
		m          module.Def
		records    int
		detections int
		obs        model.Kind
	}{
		{moduletest.Find(t, Defs(), "android.bugreport_getprop"), 2, 1, model.KindAndroidProperty},
		{moduletest.Find(t, Defs(), "android.bugreport_files"), 1, 0, model.KindFilePath},
	}
	for _, tc := range tests {
		s := &moduletest.Sink{}
		if err := tc.m.Run(context.Background(), module.NewEnv(ev, tc.m.Name, s, nil)); err != nil {
			t.Fatalf("%s: %v", tc.m.Name, err)
		}
		if len(s.Records) != tc.records || len(s.Detections) != tc.detections || s.Records[0].Observables[0].Kind != tc.obs {
			t.Errorf("%s: %d records, %d detections", tc.m.Name, len(s.Records), len(s.Detections))
		}
	}
	s := &moduletest.Sink{}
	moduletest.Find(t, Defs(), "android.bugreport_files").Run(context.Background(), module.NewEnv(ev, "f", s, nil))
	if s.Records[0].Observables[0].Value != "/data/tombstones/tombstone_00" || !s.Records[0].Times[0].Time.Equal(mod) {
		t.Errorf("%+v", s.Records[0])
	}
	empty := &source.Evidence{Kind: source.Bugreport, FS: fstest.MapFS{"dumpstate.txt": {Data: []byte(strings.Repeat("-", 79) + "\nDUMP OF SERVICE a:\n")}}}
	if err := moduletest.Find(t, Defs(), "android.bugreport_getprop").Run(context.Background(), module.NewEnv(empty, "g", &moduletest.Sink{}, nil)); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("getprop without properties: %v", err)
	}
}

// TestImpossibleModTimeKeptRaw: a copied file dated past 2100 keeps the
// time on its record, not in its data as a date.
func TestImpossibleModTimeKeptRaw(t *testing.T) {
	ev := &source.Evidence{Kind: source.Bugreport, FS: fstest.MapFS{
		"FS/data/tombstones/tombstone_00": {Data: []byte("x"), ModTime: time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)}}}
	s := moduletest.MustRun(t, moduletest.Find(t, Defs(), "android.bugreport_files"), ev)
	if len(s.Records) != 1 {
		t.Fatalf("%d records", len(s.Records))
	}
	moduletest.KeepsRaw(t, s.Records[0], map[string]string{"file_modified": "2999-01-01T00:00:00Z"})
	if e := s.Records[0].Data.(FileEntry); !e.Modified.IsZero() {
		t.Errorf("modified %v", e.Modified)
	}
}

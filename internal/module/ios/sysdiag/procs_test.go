package sysdiag

import (
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

// TestFlagger: an unusual executable path is reported once per module
// however many records name it, with the path as the finding's observable
// in the record's field; an ordinary or empty path is not.
func TestFlagger(t *testing.T) {
	tests := []struct {
		name  string
		field string // "" keeps NewFlagger's
		paths []string
		want  []model.Observable
	}{
		{"staging folder", "", []string{"/private/var/db/com.apple.xpc.roleaccountd.staging/bh"},
			[]model.Observable{{Kind: model.KindFilePath, Value: "/private/var/db/com.apple.xpc.roleaccountd.staging/bh", Field: "path"}}},
		{"once per path", "", []string{"/private/var/tmp/x", "/private/var/tmp/x", "/private/var/tmp/y"},
			[]model.Observable{{Kind: model.KindFilePath, Value: "/private/var/tmp/x", Field: "path"}, {Kind: model.KindFilePath, Value: "/private/var/tmp/y", Field: "path"}}},
		{"the record's field", "executable", []string{"/private/var/tmp/x"},
			[]model.Observable{{Kind: model.KindFilePath, Value: "/private/var/tmp/x", Field: "executable"}}},
		{"ordinary path", "", []string{"/usr/libexec/lockdownd", "/System/Library/CoreServices/SpringBoard.app/SpringBoard"}, nil},
		{"no path", "", []string{""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &moduletest.Sink{}
			f := NewFlagger(module.NewEnv(moduletest.MapEvidence(t, source.IOSSysdiagnose, nil), "test", sink, nil))
			if tt.field != "" {
				f.Field = tt.field
			}
			for _, p := range tt.paths {
				f.Check(p, "ps.txt", &model.Record{Summary: p})
			}
			if len(sink.Detections) != len(tt.want) {
				t.Fatalf("%d detections, want %d: %+v", len(sink.Detections), len(tt.want), sink.Detections)
			}
			for i, d := range sink.Detections {
				if d.Observable == nil || *d.Observable != tt.want[i] {
					t.Errorf("detection %d observable %+v, want %+v", i, d.Observable, tt.want[i])
				}
			}
		})
	}
}

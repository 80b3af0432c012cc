package globalprefs

import (
	"errors"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestLockdown(t *testing.T) {
	tests := []struct {
		name  string
		prefs map[string]any
		sev   []model.Severity
	}{
		{"enabled", map[string]any{"LDMGlobalEnabled": true, "AppleLocale": "es_MX"}, []model.Severity{model.Informational}},
		{"disabled", map[string]any{"LDMGlobalEnabled": false}, []model.Severity{model.Low}},
		{"never set", map[string]any{"AppleLocale": "es_MX"}, nil},
		{"wrong type", map[string]any{"LDMGlobalEnabled": "yes"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			moduletest.Plist(t, dir, Paths[0], tt.prefs)
			sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.Records) != len(tt.prefs) {
				t.Errorf("%d records, want %d", len(sink.Records), len(tt.prefs))
			}
			var got []model.Severity
			for _, d := range sink.Detections {
				got = append(got, d.Severity)
				if d.Record == nil || d.Record.Data.(*Entry).Entry != "LDMGlobalEnabled" {
					t.Errorf("detection not tied to the LDM record: %+v", d)
				}
			}
			if len(got) != len(tt.sev) || (len(got) == 1 && got[0] != tt.sev[0]) {
				t.Errorf("severities %v, want %v", got, tt.sev)
			}
			if tt.name == "wrong type" && len(sink.Warnings) != 1 {
				t.Errorf("warnings %v", sink.Warnings)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
	dir := t.TempDir()
	moduletest.File(t, dir, Paths[1], []byte("bplist00 truncated"))
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); err == nil || errors.Is(err, module.ErrAbsent) {
		t.Errorf("garbage plist: %v", err)
	}
}

package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadRun(t *testing.T) {
	const info = `{"schema_version":3,"recheck_of":"r1"}`
	const dets = `{"detections":[{"module":"m","rule":"r"}]}`
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string // "" for success
	}{
		{"both files", map[string]string{"info.json": info, "detections.json": dets}, ""},
		{"no info.json", map[string]string{"detections.json": dets}, "is not a huella results folder (no readable info.json)"},
		{"info.json not JSON", map[string]string{"info.json": "{", "detections.json": dets}, "is not a huella results folder (no readable info.json)"},
		{"no detections.json", map[string]string{"info.json": info}, "detections.json"},
		{"detections.json not JSON", map[string]string{"info.json": info, "detections.json": "[1"}, "detections.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			gotInfo, gotDets, err := ReadRun(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(tt.wantErr, "results folder") && !strings.Contains(err.Error(), dir) {
					t.Fatalf("err %v, want one naming %s with %q", err, dir, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if gotInfo.SchemaVersion != 3 || gotInfo.RecheckOf != "r1" || len(gotDets.Detections) != 1 || gotDets.Detections[0].Rule != "r" {
				t.Errorf("got info %+v, detections %+v", gotInfo, gotDets)
			}
		})
	}
}

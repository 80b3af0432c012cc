package uuid2path

import (
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestModule(t *testing.T) {
	for _, c := range []struct {
		name       string
		entries    map[string]any
		detections int
	}{
		{"clean", map[string]any{"0a1b": "/usr/libexec/locationd", "ffee": "/System/Library/CoreServices/SpringBoard.app/SpringBoard", "odd": 3}, 0},
		{"planted", map[string]any{"0a1b": "/usr/libexec/locationd", "ffee": "/private/var/tmp/bh"}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			moduletest.Plist(t, dir, "logs/tailspindb/UUIDToBinaryLocations", c.entries)
			s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSSysdiagnose, dir))
			if len(s.Records) != 2 || len(s.Detections) != c.detections {
				t.Fatalf("%d records %v warnings %v", len(s.Records), s.Rules(), s.Warnings)
			}
			if b := s.Records[0].Data.(Binary); b.UUID != "0A1B" || b.Path != "/usr/libexec/locationd" {
				t.Errorf("%+v", b)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><plist version="1.0"><dict><key>a</key><string>/x</string></dict></plist>`))
	f.Add([]byte("bplist00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		bins, _, err := Parse(b)
		if err != nil && len(bins) > 0 {
			t.Fatal("records with an error")
		}
		for _, x := range bins {
			if x.Path == "" {
				t.Fatalf("empty path %+v", x)
			}
		}
	})
}

// A file-system dump holds the index at private/var/db/spindump.
func TestFileSystemDump(t *testing.T) {
	dir := t.TempDir()
	moduletest.Plist(t, dir, "private/var/db/spindump/UUIDToBinaryLocations", map[string]any{"0a1b": "/private/var/tmp/bh"})
	s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if len(s.Records) != 1 || len(s.Detections) != 1 {
		t.Fatalf("%d records %v", len(s.Records), s.Rules())
	}
}

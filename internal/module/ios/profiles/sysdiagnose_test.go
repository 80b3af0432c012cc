package profiles

import (
	"testing"
	"time"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

// A sysdiagnose keeps the installed profiles' stubs under logs/MCState: a
// root certificate there is found as in a backup, dated by InstallDate.
func TestSysdiagnoseProfileStubs(t *testing.T) {
	for _, c := range []struct {
		name    string
		payload string
		rules   int
	}{
		{"clean", "com.apple.wifi.managed", 0},
		{"planted", "com.apple.security.root", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			moduletest.Plist(t, dir, "logs/MCState/Shared/profile-0a1b2c.stub", map[string]any{
				"PayloadUUID": "11111111-2222-4333-8444-555555555555", "PayloadDisplayName": "Settings",
				"InstallDate":    time.Date(2026, 11, 20, 21, 30, 0, 0, time.UTC),
				"PayloadContent": []any{map[string]any{"PayloadType": c.payload}},
			})
			s := moduletest.MustRun(t, Defs()[0], moduletest.Evidence(t, source.IOSSysdiagnose, dir))
			if len(s.Records) != 1 || s.Stamps() != 1 || len(s.Detections) != c.rules {
				t.Fatalf("%d records %v", len(s.Records), s.Rules())
			}
		})
	}
}

package android

import (
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
)

// The cases of MVT's DumpsysADBState tests (started 2025-06-20T18:00:00Z,
// host key "QUJDRA== acquisition@host").
func TestTrustedADBKeyInContext(t *testing.T) {
	started := time.Date(2025, 6, 20, 18, 0, 0, 0, time.UTC)
	acq := ADBAcquisition{Started: started, HostKey: "QUJDRA== acquisition@host"}
	tests := []struct {
		name  string
		key   string
		valid bool
		last  time.Time
		acq   ADBAcquisition
		sev   model.Severity
		want  string // "" = no detection
	}{
		{"host key, connected 2 days before", "QUJDRA==", true, time.UnixMilli(1750266000000), acq, model.Informational, "android.adb.host_trusted_before"},
		{"host key, connected 1 hour before", "QUJDRA==", true, time.UnixMilli(1750438800000), acq, 0, ""},
		{"host key, never connected", "QUJDRA==", true, time.Time{}, acq, 0, ""},
		{"another computer", "RUZHSA==", true, time.Time{}, acq, model.Low, "android.adb.other_computer"},
		{"invalid key", "not-base64", false, time.Time{}, acq, model.Low, "android.adb.invalid_key"},
		{"no host key recorded", "RUZHSA==", true, time.Time{}, ADBAcquisition{Started: started}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := TrustedADBKeyInContext(tt.key, "u@h", "AA:BB", tt.valid, tt.last, tt.acq)
			if tt.want == "" {
				if d != nil {
					t.Fatalf("unexpected detection %+v", d)
				}
				return
			}
			if d == nil || d.Severity != tt.sev || d.Rule != tt.want {
				t.Fatalf("got %+v, want %s %q", d, tt.sev, tt.want)
			}
		})
	}
	if d := ADBHostKeyMissing(2); d.Severity != model.Low || !strings.Contains(d.Text("en"), "2 computer(s)") {
		t.Errorf("%+v", d)
	}
	if ADBKeyBase64("  QUJDRA==  a@b ") != "QUJDRA==" || ADBKeyBase64("") != "" {
		t.Error("ADBKeyBase64")
	}
}

package opener

import (
	"testing"
	"time"
)

func TestSysdiagnoseTaken(t *testing.T) {
	for name, want := range map[string]string{
		"sysdiagnose_2026.11.20_18-30-00-0600_iPhone-OS_iPhone_22B83":        "2026-11-20T18:30:00-06:00",
		"sysdiagnose_2024.03.01_10-00-00+0100_iPhone-OS_iPhone_21D61.tar.gz": "2024-03-01T10:00:00+01:00",
		"IN_PROGRESS_sysdiagnose_2023.06.12_14-23-55+0530_iPhone-OS_x":       "2023-06-12T14:23:55+05:30",
		"/a/b/sysdiagnose_2026.01.02_00-00-00-0000_iPhone-OS_iPhone_23A1":    "2026-01-02T00:00:00Z",
	} {
		got, ok := SysdiagnoseTaken(name)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("%s -> %v %v, want %s", name, got.Format(time.RFC3339), ok, want)
		}
		if w, _ := time.Parse(time.RFC3339, want); !got.Equal(w) {
			t.Errorf("%s: %v is not the moment %s", name, got, want)
		}
	}
	for _, bad := range []string{"evidence.tar.gz", "sysdiagnose_2026.13.20_18-30-00-0600", "sysdiagnose_2026.11.20_25-30-00-0600",
		"sysdiagnose_1999.11.20_18-30-00-0600", "sysdiagnose_2026.11.20_18-30-00-9900"} {
		if got, ok := SysdiagnoseTaken(bad); ok {
			t.Errorf("%s -> %v", bad, got)
		}
	}
}

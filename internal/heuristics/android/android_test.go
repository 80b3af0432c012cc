package android

import (
	"testing"

	"github.com/huella-project/huella/internal/model"
)

func TestTmpFile(t *testing.T) {
	for _, c := range []struct {
		path, mode string
		want       model.Severity // -1: no finding
	}{
		{"/data/local/tmp/wd", "-rwxr-xr-x", model.High}, // Predator staged its binary here
		{"/data/local/tmp/notes.txt", "-rw-r--r--", model.Medium},
		{"/data/local/tmp/collector", "-rwxr-xr-x", -1}, // androidqf's own
		{"/data/local/tmp/", "drwxrwx--x", -1},
		{"/sdcard/Download/x", "-rwxr-xr-x", -1},
	} {
		d := TmpFile(c.path, c.mode)
		got := model.Severity(-1)
		if d != nil {
			got = d.Severity
		}
		if got != c.want {
			t.Errorf("TmpFile(%q, %q) = %v, want %v", c.path, c.mode, got, c.want)
		}
	}
}

func TestDangerousSetting(t *testing.T) {
	for _, c := range []struct {
		key, value string
		want       model.Severity // -1: no finding
	}{
		{"package_verifier_enable", "0", model.Medium},
		{"package_verifier_enable", "1", -1},
		{"install_non_market_apps", "1", model.Medium},
		// Acquisition needs adb: on, it is worth a line, not an alarm.
		{"adb_enabled", "1", model.Low},
		{"adb_wifi_enabled", "1", model.Low},
		{"adb_wifi_enabled", "0", -1},
		{"not_a_setting", "1", -1},
	} {
		d := DangerousSetting("global", c.key, c.value)
		got := model.Severity(-1)
		if d != nil {
			got = d.Severity
		}
		if got != c.want {
			t.Errorf("DangerousSetting(%q, %q) = %v, want %v", c.key, c.value, got, c.want)
		}
	}
}

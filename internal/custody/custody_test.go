package custody

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	mx := time.FixedZone("", -6*3600)
	for in, want := range map[string]Window{
		"2026-11-20T14:00:00-06:00/2026-11-20T18:00:00-06:00": {time.Date(2026, 11, 20, 14, 0, 0, 0, mx), time.Date(2026, 11, 20, 18, 0, 0, 0, mx)},
		"2026-11-20T14:00-06:00/2026-11-20T18:00-06:00":       {time.Date(2026, 11, 20, 14, 0, 0, 0, mx), time.Date(2026, 11, 20, 18, 0, 0, 0, mx)},
		"2026-11-20T20:00:00Z/PT4H":                           {time.Date(2026, 11, 20, 20, 0, 0, 0, time.UTC), time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)},
		"2026-11-20T20:00:00Z/P1DT2H30M":                      {time.Date(2026, 11, 20, 20, 0, 0, 0, time.UTC), time.Date(2026, 11, 21, 22, 30, 0, 0, time.UTC)},
		" 2026-11-20T14:00:00-06:00/2026-11-20T21:00:00Z ":    {time.Date(2026, 11, 20, 14, 0, 0, 0, mx), time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC)},
	} {
		got, err := Parse(in)
		if err != nil || !got.From.Equal(want.From) || !got.To.Equal(want.To) {
			t.Errorf("%q -> %v %v, want %v", in, got, err, want)
		}
	}
	w, _ := Parse("2026-11-20T14:00:00-06:00/2026-11-20T18:00:00-06:00")
	if w.Text() != "2026-11-20 14:00 – 2026-11-20 18:00 (UTC-06:00)" || w.String() != "2026-11-20T14:00:00-06:00/2026-11-20T18:00:00-06:00" {
		t.Errorf("%q %q", w.Text(), w.String())
	}
	if !w.Contains(w.From) || !w.Contains(w.To) || w.Contains(w.To.Add(time.Nanosecond)) {
		t.Error("both ends belong to the window, nothing after")
	}
	for _, bad := range []string{"", "/", "2026-11-20T14:00:00-06:00", "2026-11-20T14:00:00/2026-11-20T18:00:00",
		"2026-11-20T14:00:00Z/2026-11-20T14:00:00Z", "2026-11-20T14:00:00Z/PT", "2026-11-20T14:00:00Z/P", "2026-11-20T14:00:00Z/PT-1H",
		"2026-11-20T14:00:00Z/P400D", "2026-11-20T14:00:00Z/a/b", "2199-01-01T00:00:00Z/PT1H", "2026-11-20T14:00:00Z/PT9999999H"} {
		if w, err := Parse(bad); err == nil {
			t.Errorf("%q accepted: %v", bad, w)
		}
	}
}

func TestClassifyAndTrack(t *testing.T) {
	w, _ := Parse("2026-11-20T14:00:00-06:00/PT4H")
	in := w.From.Add(time.Hour)
	tr := NewTracker(w)
	events := []struct {
		at                    time.Time
		module, desc, summary string
		kind                  Kind
	}{
		{w.From.Add(-48 * time.Hour), "ios.sms", "sms_received", "hola", Other},
		{in, "ios.lockdown_log", "pairing", "Paired with computer X", Pairing},
		{in, "ios.backup_info", "backup", "Backup of iPhone", Pairing},
		{in, "android.dumpsys_packages", "package_first_install", "Package x 1 (unknown installer)", ADBInstall},
		{in, "android.dumpsys_packages", "package_first_install", "Package x 1 (com.android.vending)", AppInstall},
		{in, "android.dumpsys_packages", "package_first_install", "Package com.sec.x 5.0 (preinstalled)", Reset},
		{in, "ios.profiles", "configuration_profile_install", "com.apple.security.root installed: x", Certificate},
		{in, "ios.profiles", "configuration_profile_install", "com.apple.vpn.managed installed: x", Profile},
		{in, "ios.profile_events", "profile_operation", "Process mdmd: install of profile x", Profile},
		{in, "android.appops", "READ_CLIPBOARD allow foreground", "App operations of com.android.shell (uid 2000, 3 ops)", ADB},
		{in, "ios.crash_reports", "crash", "c", Crash},
		{in.Add(time.Minute), "ios.crash_reports", "crash", "c", Crash},
		{in.Add(2 * time.Minute), "ios.crash_reports", "crash", "c", Crash},
		{in, "android.intrusion_logs", "finding:x", "a finding's own event", Other},
		{w.To.Add(72 * time.Hour), "ios.sms", "sms_received", "later", Other},
		{w.To.Add(time.Hour), "ios.shutdown_log", "reboot", "after", Other},
	}
	for _, e := range events {
		if got := tr.Observe(e.at, e.module, e.desc, e.summary, ""); got != e.kind {
			t.Errorf("%s %s: %q, want %q", e.module, e.desc, got, e.kind)
		}
	}
	s := tr.Summary()
	if s.Events != 12 || s.HandsOn() != 8 || len(s.Bursts) != 1 || s.Bursts[0].Crashes != 3 || len(tr.Events) != 12 {
		t.Errorf("%+v", s)
	}
	cov := map[string]string{}
	for _, src := range s.Sources {
		cov[src.Module] = src.Coverage
	}
	if cov["ios.sms"] != Covers || cov["ios.shutdown_log"] != StartsAfter || cov["android.intrusion_logs"] != "" {
		t.Errorf("%v", cov)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("2026-11-20T14:00:00-06:00/2026-11-20T18:00:00-06:00")
	f.Add("2026-11-20T14:00Z/P1W2DT3H4M5S")
	f.Fuzz(func(t *testing.T, s string) {
		w, err := Parse(s)
		if err != nil {
			if !strings.Contains(err.Error(), "custody window") {
				t.Fatalf("error does not say what it is about: %v", err)
			}
			return
		}
		if !w.To.After(w.From) || w.To.Sub(w.From) > MaxSpan || w.From.Year() < 1970 || w.To.Year() > 2100 {
			t.Fatalf("bad window %v from %q", w, s)
		}
		if back, err := Parse(w.String()); err != nil || !back.From.Equal(w.From) || !back.To.Equal(w.To) {
			t.Fatalf("%q does not read back: %v %v", w.String(), back, err)
		}
	})
}

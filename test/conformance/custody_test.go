package conformance

import (
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/testutil"
)

// The custody window on MVT's real test artifacts (../shared/fixtures/mvt),
// each with a window around its own events: what the window holds is
// summarised, and only what means hands-on access is a finding. The iOS
// backup was made in its window (a computer had the phone); the bugreport's
// window holds an app from Google Play (an install, not adb); the androidqf
// acquisition's and the Android backup's windows hold battery and message
// events only. The Samsung apps of the system image, first installed at
// the factory's placeholder date, are no adb install.
func TestCustodyWindowOnMVTFixtures(t *testing.T) {
	cases := []struct {
		name, fixture, window string
		rules                 []string // custody findings, rule:severity, sorted
		events                int      // at least
		kinds                 map[custody.Kind]int
	}{
		{"iOS backup", "fixtures/mvt/ios_backup", "2021-12-03T10:00:00-06:00/2021-12-03T18:00:00-06:00",
			[]string{"correlation.custody.pairing:high"}, 100, map[custody.Kind]int{custody.Pairing: 1}},
		{"bugreport", "fixtures/mvt/android_data/bugreport", "2020-06-11T20:00:00-04:00/2020-06-12T08:00:00-04:00",
			[]string{"correlation.custody.app_install:medium"}, 1, map[custody.Kind]int{custody.AppInstall: 1}},
		{"bugreport, factory date", "fixtures/mvt/android_data/bugreport", "2008-12-31T12:00:00Z/2008-12-31T20:00:00Z",
			nil, 1, map[custody.Kind]int{custody.Reset: 1}},
		{"androidqf", "fixtures/mvt/androidqf", "2023-07-24T00:00:00Z/2023-07-27T00:00:00Z", nil, 3, nil},
		{"Android backup", "fixtures/mvt/android_backup/backup.ab", "2020-01-20T00:00:00Z/2020-01-21T00:00:00Z", nil, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := check(t, testutil.Shared(t, c.fixture), "--custody", c.window)
			if r.code == results.ExitError {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			testutil.ValidateResults(t, r.out)
			info := readInfo(t, r.out)
			if info.Custody == nil || info.Custody.Events < c.events {
				t.Fatalf("custody %+v, want at least %d events", info.Custody, c.events)
			}
			for k, n := range c.kinds {
				if info.Custody.Kinds[k] != n {
					t.Errorf("%s events: %d, want %d (%v)", k, info.Custody.Kinds[k], n, info.Custody.Kinds)
				}
			}
			if want := c.kinds; len(want) == 0 && info.Custody.HandsOn() != 0 {
				t.Errorf("%d hands-on events: %v", info.Custody.HandsOn(), info.Custody.Kinds)
			}
			var got []string
			for _, d := range readDetections(t, r.out) {
				if strings.HasPrefix(d.Rule, "correlation.custody.") {
					got = append(got, d.Rule+":"+d.Severity.String())
				}
			}
			slices.Sort(got)
			if strings.Join(got, ",") != strings.Join(c.rules, ",") {
				t.Errorf("custody findings %v, want %v", got, c.rules)
			}
		})
	}
}

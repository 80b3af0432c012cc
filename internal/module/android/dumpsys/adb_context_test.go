package dumpsys

import (
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidqf"
)

// TestADBKeysAcquisitionContext replays MVT's DumpsysADBState cases: the
// acquisition started 2025-06-20T18:00:00Z from host key QUJDRA==.
func TestADBKeysAcquisitionContext(t *testing.T) {
	started := time.Date(2025, 6, 20, 18, 0, 0, 0, time.UTC)
	adb := func(lastMs string) string {
		return dumpSection("adb", "{\n  debugging_manager={\n    connected_to_adb=true\n"+
			"    user_keys=QUJDRA== acquisition@host\nRUZHSA== other@host\nnot-base64 bad@host\n\n"+
			"    keystore=<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<keyStore version=\"1\">\n"+
			"<adbKey key=\"QUJDRA== acquisition@host\" lastConnection=\""+lastMs+"\" />\n</keyStore>\n\n  }\n}")
	}
	type want struct {
		sev  model.Severity
		text string
	}
	tests := []struct {
		name    string
		kind    source.Kind
		hostKey string
		last    string
		want    []want
	}{
		{"androidqf, host key seen 2 days before", source.AndroidQF, "QUJDRA== acquisition@host", "1750266000000",
			[]want{{model.Informational, "at least a day before"}, {model.Low, "other than the one that collected this evidence"}, {model.Low, "invalid key"}}},
		{"androidqf, host key seen 1 hour before", source.AndroidQF, "QUJDRA== acquisition@host", "1750438800000",
			[]want{{model.Low, "other than"}, {model.Low, "invalid"}}},
		{"androidqf without host key", source.AndroidQF, "", "1750438800000",
			[]want{{model.Low, "invalid"}, {model.Low, "did not record its own computer's key"}}},
		{"bugreport: every key reported", source.Bugreport, "", "1750438800000",
			[]want{{model.Informational, "acquisition@host"}, {model.Informational, "other@host"}, {model.Low, "invalid key"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := moduletest.MapEvidence(t, tt.kind, map[string]string{"dumpsys.txt": adb(tt.last)})
			ev.Device.Acquired = &started
			ev.Device.Extra = map[string]string{androidqf.ExtraADBHostKey: tt.hostKey}
			res := moduletest.MustRun(t, moduletest.Find(t, Defs(), "android.adb_keys"), ev)
			if len(res.Records) != 4 {
				t.Fatalf("%d records, want 4 (3 user keys, 1 keystore)", len(res.Records))
			}
			if len(res.Detections) != len(tt.want) {
				t.Fatalf("%d detections, want %d: %+v", len(res.Detections), len(tt.want), res.Detections)
			}
			for i, w := range tt.want {
				d := res.Detections[i]
				if d.Severity != w.sev || !strings.Contains(d.Reason, w.text) {
					t.Errorf("detection %d = %s %q, want %s %q", i, d.Severity, d.Reason, w.sev, w.text)
				}
			}
		})
	}
}

func TestPackageStamps(t *testing.T) {
	pkg := "Packages:\n  Package [com.x] (1):\n    userId=10200\n    timeStamp=2024-01-10 09:19:39\n    firstInstallTime=2024-01-09 08:00:00\n    lastUpdateTime=2024-01-10 09:19:40\n"
	ev := moduletest.MapEvidence(t, source.Bugreport, map[string]string{"dumpstate.txt": dumpSection("package", pkg)})
	res := moduletest.MustRun(t, moduletest.Find(t, Defs(), "android.dumpsys_packages"), ev)
	if len(res.Records) != 1 {
		t.Fatalf("%d records", len(res.Records))
	}
	var got []string
	for _, s := range res.Records[0].Times {
		got = append(got, s.Desc+" "+s.Time.Format("2006-01-02 15:04:05"))
	}
	want := "package_install 2024-01-10 09:19:39,package_first_install 2024-01-09 08:00:00,package_last_update 2024-01-10 09:19:40"
	if strings.Join(got, ",") != want {
		t.Errorf("stamps %v, want %s", got, want)
	}
}

// An app without an installer is "unknown installer" (sideloaded, or sent
// over adb) unless it is part of the system image: the custody window
// reads the difference from the summary.
func TestPackageInstallerSummary(t *testing.T) {
	pkg := "Packages:\n  Package [com.sys] (1):\n    userId=1000\n    pkgFlags=[ SYSTEM HAS_CODE ]\n    firstInstallTime=2008-12-31 16:00:00\n" +
		"  Package [com.side] (2):\n    userId=10201\n    pkgFlags=[ HAS_CODE ]\n    firstInstallTime=2024-01-09 08:00:00\n" +
		"  Package [com.store] (3):\n    userId=10202\n    pkgFlags=[ HAS_CODE ]\n    installerPackageName=com.android.vending\n"
	ev := moduletest.MapEvidence(t, source.Bugreport, map[string]string{"dumpstate.txt": dumpSection("package", pkg)})
	res := moduletest.MustRun(t, moduletest.Find(t, Defs(), "android.dumpsys_packages"), ev)
	var got []string
	for _, r := range res.Records {
		got = append(got, r.Summary)
	}
	want := "Package com.sys  (preinstalled),Package com.side  (unknown installer),Package com.store  (com.android.vending)"
	if strings.Join(got, ",") != want {
		t.Errorf("summaries %q, want %q", got, want)
	}
}

// TestImpossibleWallTimesKeptRaw: dumpsys times that are no plausible date
// (year 2999, a broken date) are kept as printed on the record, not turned
// into no date; the 1970 placeholder stays "never".
func TestImpossibleWallTimesKeptRaw(t *testing.T) {
	for _, c := range []struct {
		module, section, body string
		want                  map[string]string
	}{
		{"android.dumpsys_packages", "package",
			"Packages:\n  Package [com.x] (1):\n    userId=10200\n    timeStamp=2999-01-10 09:19:39\n    firstInstallTime=1970-01-01 08:00:00\n    lastUpdateTime=2024-13-45 09:19:40\n",
			map[string]string{"package_install": "2999-01-10 09:19:39", "package_last_update": "2024-13-45 09:19:40"}},
		{"android.appops", "appops",
			"  Uid 2000:\n    Package com.android.shell:\n      REQUEST_INSTALL_PACKAGES (allow):\n          Access: [top-s] 2999-01-02 03:04:05.000 (-1d)\n",
			map[string]string{"REQUEST_INSTALL_PACKAGES access top-s": "2999-01-02 03:04:05.000"}},
	} {
		t.Run(c.module, func(t *testing.T) {
			ev := moduletest.MapEvidence(t, source.Bugreport, map[string]string{"dumpstate.txt": dumpSection(c.section, c.body)})
			res := moduletest.MustRun(t, moduletest.Find(t, Defs(), c.module), ev)
			if len(res.Records) != 1 {
				t.Fatalf("%d records", len(res.Records))
			}
			r := res.Records[0]
			moduletest.KeepsRaw(t, r, c.want)
			if len(r.RawTimes) != len(c.want) || len(r.Times) != 0 {
				t.Errorf("raw times %+v, stamps %+v", r.RawTimes, r.Times)
			}
		})
	}
}

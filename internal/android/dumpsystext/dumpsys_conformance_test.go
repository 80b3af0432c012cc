package dumpsystext

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/huella-project/huella/internal/testutil"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.Shared(t, "fixtures/mvt/android_data"), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConformanceAndroidQFPackageSection(t *testing.T) {
	f, err := os.Open(filepath.Join(testutil.Shared(t, "fixtures/mvt/androidqf"), "dumpsys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Read(f, "dumpsys.txt", nil, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Services["package"]
	if s == nil {
		t.Fatal("no package section")
	}
	// MVT's section keeps the duration line; ours moves it to Trailer.
	if got := len(s.Body) + 1 + len(s.Trailer); got != 3907 {
		t.Errorf("package section length %d, want 3907", got)
	}
	for _, want := range []string{"accessibility", "package", "appops", "adb", "dbinfo", "batterystats", "platform_compat"} {
		if _, ok := d.Services[want]; !ok {
			t.Errorf("section %s missing", want)
		}
	}
}

func TestConformanceFixtures(t *testing.T) {
	acc := ParseAccessibility(fixture(t, "dumpsys_accessibility.txt"))
	if len(acc) != 4 || acc[0].Package != "com.android.settings" || acc[0].Service != "com.android.settings/com.samsung.android.settings.development.gpuwatch.GPUWatchInterceptor" {
		t.Errorf("accessibility old: %+v", acc)
	}
	acc14 := ParseAccessibility(fixture(t, "dumpsys_accessibility_v14_or_later.txt"))
	if len(acc14) != 1 || acc14[0].Package != "com.malware.accessibility" || acc14[0].Service != "com.malware.service.malwareservice" || !acc14[0].Enabled {
		t.Errorf("accessibility v14: %+v", acc14)
	}

	pk := fixture(t, "dumpsys_packages.txt")
	act := ParseActivities(pk)
	if len(act) != 4 || act[0].Package != "com.samsung.android.app.social" || act[0].Component != "com.samsung.android.app.social/.feed.FeedsActivity" {
		t.Errorf("activities: %+v", act)
	}
	rec := ParseReceivers(pk)
	if len(rec) != 4 || rec[0].Intent != "com.android.storagemanager.automatic.SHOW_NOTIFICATION" || rec[0].Package != "com.android.storagemanager" {
		t.Errorf("receivers: %+v", rec)
	}
	res := ParsePackages(pk)
	if res.Blocks != 2 || len(res.Packages) != 2 {
		t.Fatalf("packages: %d of %d", len(res.Packages), res.Blocks)
	}
	p0 := res.Packages[0]
	if p0.Name != "com.samsung.android.provider.filterprovider" || p0.VersionName != "5.0.07" || p0.FirstInstallTime != "2008-12-31 16:00:00" || !p0.System {
		t.Errorf("package 0: %+v", p0)
	}

	ops := ParseAppops(fixture(t, "dumpsys_appops.txt"))
	if len(ops) != 13 {
		t.Fatalf("appops: %d packages, want 13", len(ops))
	}
	if ops[0].Package != "com.android.phone" || ops[0].UID != "0" || len(ops[0].Permissions) != 1 || ops[0].Permissions[0].Name != "MANAGE_IPSEC_TUNNELS" || ops[0].Permissions[0].Access != "allow" {
		t.Errorf("appops[0]: %+v", ops[0])
	}
	if ops[6].Package != "com.sec.factory.camera" || len(ops[6].Permissions[1].Entries) != 1 {
		t.Errorf("appops[6]: %+v", ops[6])
	}
	if len(ops[11].Permissions) != 4 {
		t.Errorf("appops[11]: %d permissions", len(ops[11].Permissions))
	}
	install := 0
	for _, p := range ops {
		for _, perm := range p.Permissions {
			if perm.Name == "REQUEST_INSTALL_PACKAGES" {
				install++
			}
		}
	}
	if install != 2 {
		t.Errorf("REQUEST_INSTALL_PACKAGES holders %d, want 2", install)
	}

	bat := fixture(t, "dumpsys_battery.txt")
	daily := ParseBatteryDaily(bat)
	if len(daily) != 3 {
		t.Errorf("battery daily: %+v", daily)
	}
	hist := ParseBatteryHistory(bat)
	if len(hist) != 5 || hist[0].Package != "com.samsung.android.app.reminder" || hist[1].Event != "end_job" ||
		hist[2].Event != "start_top" || hist[2].UID != "u0a280" || hist[2].Package != "com.whatsapp" || hist[3].Event != "end_top" || hist[4].Package != "com.sec.android.app.launcher" {
		t.Errorf("battery history: %+v", hist)
	}

	db := ParseDBInfo(fixture(t, "dumpsys_dbinfo.txt"))
	if len(db) != 5 || db[0].Action != "executeForCursorWindow" || db[0].SQL != "PRAGMA database_list;" || db[0].Path != "/data/user/0/com.wssyncmldm/databases/idmsdk.db" {
		t.Errorf("dbinfo: %+v", db)
	}

	pc := ParsePlatformCompat(fixture(t, "dumpsys_platform_compat.txt"))
	if len(pc) != 2 || pc[0] != "org.torproject.torbrowser" || pc[1] != "org.article19.circulo.next" {
		t.Errorf("platform compat: %v", pc)
	}

	props := ParseGetprop(fixture(t, "getprop.txt"))
	if len(props) != 13 || props[0] != (Property{"af.fast_track_multiplier", "1"}) {
		t.Errorf("getprop: %d %+v", len(props), props)
	}
}

func TestConformanceADB(t *testing.T) {
	for _, tc := range []struct {
		file, fp, user string
	}{
		{"dumpsys_adb.txt", "F0:A1:3D:8C:B3:F4:7B:09:9F:EE:8B:D8:38:2E:BD:C6", "user@linux"},
		{"dumpsys_adb_wifi.txt", "F0:A1:3D:8C:B3:F4:7B:09:9F:EE:8B:D8:38:2E:BD:C6", "user@linux"},
		{"dumpsys_adb_xml.txt", "F0:0B:27:08:E3:68:7B:FA:4C:79:A2:B4:BF:0E:CF:70", "user@laptop"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			d, err := Read(stringsReader(fixture(t, tc.file)), tc.file, []string{"adb"}, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := d.Service("adb")
			var user, store []ADBKey
			for _, k := range ParseADB([]byte(body)) {
				if k.Source == "user_keys" {
					user = append(user, k)
				} else {
					store = append(store, k)
				}
			}
			if len(user) != 1 || user[0].Fingerprint != tc.fp || user[0].User != tc.user {
				t.Errorf("user keys: %+v", user)
			}
			if len(store) != 1 || store[0].Fingerprint != tc.fp {
				t.Errorf("keystore keys: %+v", store)
			}
			if tc.file == "dumpsys_adb_xml.txt" && len(store) == 1 && store[0].LastConnected.UnixMilli() != 1628501829898 {
				t.Errorf("last connected %v", store[0].LastConnected)
			}
		})
	}
}

func TestConformanceBugreport(t *testing.T) {
	f, err := os.Open(filepath.Join(testutil.Shared(t, "fixtures/mvt/android_data/bugreport"), "dumpstate.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Read(f, "dumpstate.txt", nil, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if d.HasProperties {
		t.Error("this dumpstate has no SYSTEM PROPERTIES block")
	}
	ops, _ := d.Service("appops")
	if n := len(ParseAppops(ops)); n != 12 {
		t.Errorf("appops packages %d, want 12", n)
	}
	pk, _ := d.Service("package")
	res := ParsePackages(pk)
	if res.Blocks != 2 || len(res.Packages) != 2 {
		t.Fatalf("packages %d of %d", len(res.Packages), res.Blocks)
	}
	if res.Packages[0].Installer != "" || len(res.Packages[0].Permissions) != 4 {
		t.Errorf("package 0: installer %q, %d permissions", res.Packages[0].Installer, len(res.Packages[0].Permissions))
	}
	if p := res.Packages[1]; p.Name != "com.instagram.android" || p.Installer != "com.android.vending" || len(p.Permissions) != 32 {
		t.Errorf("package 1: %s installer %q, %d permissions", p.Name, p.Installer, len(p.Permissions))
	}
}

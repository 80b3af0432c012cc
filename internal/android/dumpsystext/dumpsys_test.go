package dumpsystext

import (
	"fmt"
	"strings"
	"testing"
)

// bugreport builds a dumpstate text around the given service bodies.
func bugreport(sections ...[2]string) string {
	var b strings.Builder
	b.WriteString("== dumpstate: 2024-01-01 00:00:00\n------ SYSTEM PROPERTIES (getprop) ------\n[ro.build.version.security_patch]: [2020-01-05]\n[sys.foobar]: [1]\n------ 0.01s was the duration of 'SYSTEM PROPERTIES' ------\n")
	for _, s := range sections {
		b.WriteString(strings.Repeat("-", 79) + "\nDUMP OF SERVICE " + s[0] + ":\n" + s[1] + "\n--------- 0.1s was the duration of dumpsys " + s[0] + ", ending at: 2024-01-01\n")
	}
	return b.String()
}

// packageBlock renders one vendor-style block with a blank line inside.
func packageBlock(name string, system bool) string {
	flags := "HAS_CODE"
	if system {
		flags = "SYSTEM HAS_CODE"
	}
	return fmt.Sprintf("  Package [%s] (abc):\n    userId=10100\n    versionName=1.2\n\n    firstInstallTime=2024-01-02 03:04:05\n    installerPackageName=com.android.vending\n    pkgFlags=[ %s ]\n    requested permissions:\n      android.permission.READ_SMS\n\n    User 0: installed=true\n      runtime permissions:\n        android.permission.READ_SMS: granted=true\n", name, flags)
}

func TestReadSections(t *testing.T) {
	text := bugreport([2]string{"package", "Packages:\n" + packageBlock("a.b", false)}, [2]string{"CRITICAL appops", "x"})
	tests := []struct {
		name string
		want []string
		svc  []string
	}{
		{"all", nil, []string{"package", "appops"}},
		{"filtered", []string{"appops"}, []string{"appops"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Read(strings.NewReader(text), "x.txt", tc.want, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Services) != len(tc.svc) {
				t.Fatalf("services %v", d.Services)
			}
			for _, s := range tc.svc {
				if _, ok := d.Services[s]; !ok {
					t.Errorf("missing %s", s)
				}
			}
			if !d.HasProperties || len(ParseGetprop(d.Properties)) != 2 {
				t.Errorf("properties %q", d.Properties)
			}
		})
	}
	if _, err := Read(strings.NewReader("hello\n"), "empty.txt", nil, DefaultLimits); err == nil || !strings.Contains(err.Error(), "empty.txt") {
		t.Errorf("want an error naming the file, got %v", err)
	}
}

func TestReadLimits(t *testing.T) {
	long := strings.Repeat("x", 5000)
	text := "DUMP OF SERVICE package:\n" + long + "\nshort\n" + strings.Repeat("-", 78) + "\n"
	d, err := Read(strings.NewReader(text), "x", nil, Limits{MaxLine: 100, MaxSection: 150})
	if err != nil {
		t.Fatal(err)
	}
	s := d.Services["package"]
	if !s.Truncated || len(s.Body) > 150 {
		t.Errorf("limits not applied: %d bytes, truncated=%v", len(s.Body), s.Truncated)
	}
}

func TestPackagesVendorBlankLines(t *testing.T) {
	body := "Packages:\n" + packageBlock("a.one", false) + "\n\n" + packageBlock("a.two", true) + "\n" + packageBlock("a.three", false) +
		"\nHidden system packages:\n  Package [a.hidden] (x):\n    userId=1\n"
	res := ParsePackages(body)
	if res.Blocks != 3 || len(res.Packages) != 3 {
		t.Fatalf("parsed %d of %d blocks: %+v", len(res.Packages), res.Blocks, res.Packages)
	}
	tests := []struct {
		i      int
		name   string
		system bool
	}{{0, "a.one", false}, {1, "a.two", true}, {2, "a.three", false}}
	for _, tc := range tests {
		p := res.Packages[tc.i]
		if p.Name != tc.name || p.System != tc.system || p.Installer != "com.android.vending" || p.FirstInstallTime != "2024-01-02 03:04:05" ||
			len(p.RequestedPermissions) != 1 || len(p.Permissions) != 1 || !p.Permissions[0].Granted || p.Permissions[0].Type != "runtime" {
			t.Errorf("package %d: %+v", tc.i, p)
		}
	}
}

func TestPackagesPerUser(t *testing.T) {
	tests := []struct {
		name, block, first string
		runtime            int
	}{
		{"user 0 wins", "    User 0: installed=true\n      firstInstallTime=2024-01-10 09:19:39\n      runtime permissions:\n        android.permission.CAMERA: granted=true\n    User 95: installed=false\n      firstInstallTime=1970-01-01 01:00:00\n      runtime permissions:\n        android.permission.CAMERA: granted=false\n        android.permission.RECORD_AUDIO: granted=false\n", "2024-01-10 09:19:39", 1},
		{"only user 10", "    User 10: installed=true\n      firstInstallTime=2024-02-10 09:19:39\n      runtime permissions:\n        android.permission.CAMERA: granted=true\n", "2024-02-10 09:19:39", 1},
		{"flags", "    pkgFlags=[ HAS_CODE ALLOW_BACKUP ]\n", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := ParsePackageBlock(tc.block)
			if p.FirstInstallTime != tc.first || len(p.Permissions) != tc.runtime || p.System {
				t.Errorf("%+v", p)
			}
		})
	}
}

func TestReceiversMisindented(t *testing.T) {
	tests := []struct{ name, body string }{
		{"middle", "Receiver Resolver Table:\n  Non-Data Actions:\n      a.b.C:\n        1 x.y/.R\n  android.intent.action.MY_PACKAGE_REPLACED:\n        2 com.psycatgames.nhiegame/.R\n"},
		{"first", "Receiver Resolver Table:\n  Non-Data Actions:\n    android.intent.action.MY_PACKAGE_REPLACED:\n        2 com.psycatgames.nhiegame/.R\n\n      a.b.C:\n        1 x.y/.R\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			found := false
			for _, h := range ParseReceivers(tc.body) {
				if h.Intent == "android.intent.action.MY_PACKAGE_REPLACED" && h.Package == "com.psycatgames.nhiegame" {
					found = true
				}
			}
			if !found {
				t.Errorf("receivers: %+v", ParseReceivers(tc.body))
			}
		})
	}
}

func TestBatteryDaily(t *testing.T) {
	day := func(from, body string) string {
		return "  Daily from " + from + "-00-00-00 to " + from + "-23-00-00:\n    Package changes:\n" + body
	}
	tests := []struct {
		name    string
		text    string
		n       int
		actions []string
	}{
		{"uninstall then downgrade", day("2022-08-16", "      Update com.example.app vers=10\n      Update com.example.removed vers=0\n") + day("2022-08-17", "      Update com.example.app vers=9\n"), 3, []string{"update", "uninstall", "downgrade"}},
		{"newest first, upgrade", day("2026-01-10", "      Update a vers=102\n") + day("2026-01-05", "      Update a vers=101\n"), 2, []string{"update", "update"}},
		{"newest first, downgrade", day("2026-01-10", "      Update a vers=101\n") + day("2026-01-05", "      Update a vers=102\n"), 2, []string{"update", "downgrade"}},
		{"reinstall is not a downgrade", day("2026-01-15", "      Update a vers=10\n") + day("2026-01-10", "      Update a vers=0\n") + day("2026-01-05", "      Update a vers=102\n"), 3, []string{"update", "uninstall", "update"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseBatteryDaily(tc.text)
			if len(got) != tc.n {
				t.Fatalf("%+v", got)
			}
			for i, a := range tc.actions {
				if got[i].Action != a {
					t.Errorf("[%d] %+v, want %s", i, got[i], a)
				}
			}
		})
	}
}

func TestBatteryHistoryAbsolute(t *testing.T) {
	text := "07-15 20:27:39.431 (2) 100 +job=u0a123:\"com.example/.ExampleJob\"\n07-15 20:27:40.431 (2) 100 -job=u0a123:\"com.example/.ExampleJob\"\n"
	got := ParseBatteryHistory(text)
	want := HistoryEvent{TimeElapsed: "07-15 20:27:39.431", Event: "start_job", UID: "u0a123", Package: "com.example", Service: "com.example/.ExampleJob"}
	if len(got) != 2 || got[0] != want || got[1].Event != "end_job" {
		t.Errorf("%+v", got)
	}
}

func TestDBInfoNoPid(t *testing.T) {
	text := "Connection pool for /data/user/0/com.example/databases/current.db:\n      Most recently executed operations:\n        0: [07-15 20:27:39.431] executeForCursorWindow took 0ms - succeeded, sql=\"SELECT 1\", path=/data/user/0/com.example/databases/current.db\n"
	got := ParseDBInfo(text)
	if len(got) != 1 || got[0].PID != nil || got[0].Time != "07-15 20:27:39.431" || got[0].SQL != "SELECT 1" || got[0].Action != "executeForCursorWindow" {
		t.Errorf("%+v", got)
	}
}

func TestADBKeysFile(t *testing.T) {
	tests := []struct {
		line  string
		valid bool
		fp    string
	}{
		{"QAAAAAcgbytJst31DsaSP7hn8QcBXKR9NPVPK9MZssFVSNIP user@laptop", true, "F0:0B:27:08:E3:68:7B:FA:4C:79:A2:B4:BF:0E:CF:70"},
		{"not-base64 me@host", false, ""},
	}
	for _, tc := range tests {
		ks := ParseADBKeysFile([]byte("# comment\n" + tc.line + "\n"))
		if len(ks) != 1 || ks[0].Valid != tc.valid || ks[0].Fingerprint != tc.fp {
			t.Errorf("%q: %+v", tc.line, ks)
		}
	}
}

func TestDeviceAdmins(t *testing.T) {
	text := "Current Device Policy Manager state:\n  Enabled Device Admins (User 0, provisioningState: 0):\n    com.spy.app/.Admin:\n      uid=10200\n  Other:\n    x/y:\n"
	got := ParseDeviceAdmins(text)
	if len(got) != 1 || got[0] != "com.spy.app/.Admin" {
		t.Errorf("%v", got)
	}
}

// Short keys end in base64 padding, which must not read as a "name=" field
// ending the user_keys list (MVT's ADB-state tests use such keys).
func TestParseADBPaddedKeys(t *testing.T) {
	sec := "{\n  debugging_manager={\n    user_keys=QUJDRA== a@host\nRUZHSA== b@host\nnot-base64 c@host\n    connected_to_adb=true\n  }\n}"
	keys := ParseADB([]byte(sec))
	var got []string
	for _, k := range keys {
		got = append(got, k.User)
	}
	if strings.Join(got, ",") != "a@host,b@host,c@host" || !keys[1].Valid || keys[2].Valid {
		t.Fatalf("keys = %+v", keys)
	}
}

package dumpsys

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func dumpSection(name, body string) string {
	return strings.Repeat("-", 79) + "\nDUMP OF SERVICE " + name + ":\n" + body + "\n--------- 0.1s was the duration of dumpsys " + name + "\n"
}

// spyDump is a dumpstate where one third-party app shows every stalkerware
// sign, with vendor blank lines inside the package section.
func spyDump() string {
	pkg := "Activity Resolver Table:\n  Non-Data Actions:\n      android.intent.action.MAIN:\n        1 com.good.app/.Main\n\n" +
		"Receiver Resolver Table:\n  Non-Data Actions:\n      android.provider.Telephony.SMS_RECEIVED:\n        2 com.spy.app/.SmsReceiver\n        3 com.android.phone/.Sms\n\n" +
		"Packages:\n  Package [com.spy.app] (1):\n    userId=10200\n\n    pkgFlags=[ HAS_CODE ]\n    requested permissions:\n      android.permission.READ_SMS\n      android.permission.RECORD_AUDIO\n\n" +
		"  Package [com.android.phone] (2):\n    userId=1001\n    pkgFlags=[ SYSTEM ]\n\n  Package [com.topjohnwu.magisk] (3):\n    userId=10300\n    pkgFlags=[ HAS_CODE ]\n"
	return dumpSection("accessibility", "  Enabled services:{{com.spy.app/com.spy.app.Svc}}") +
		dumpSection("package", pkg) +
		dumpSection("device_policy", "  Enabled Device Admins (User 0, provisioningState: 0):\n    com.spy.app/.Admin:\n      uid=10200\n") +
		dumpSection("appops", "  Uid 2000:\n    Package com.android.shell:\n      REQUEST_INSTALL_PACKAGES (allow):\n          Access: [top-s] 2024-01-02 03:04:05.000 (-1d)\n") +
		dumpSection("adb", "{\n  debugging_manager={\n    user_keys=QAAAAAcgbytJst31DsaSP7hn8QcBXKR9NPVPK9MZssFVSNIP user@laptop\n\n  }\n}")
}

func evidence(files map[string]string) *source.Evidence {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return &source.Evidence{Kind: source.Bugreport, FS: m}
}

func TestModulesOnGeneratedBugreport(t *testing.T) {
	ev := evidence(map[string]string{"main_entry.txt": "bugreport-x.txt\n", "bugreport-x.txt": spyDump()})
	tests := []struct {
		m       module.Def
		records int
		rules   []string
	}{
		{moduletest.Find(t, Defs(), "android.accessibility"), 1, []string{"android.accessibility.service", "android.app.stalkerware_pattern"}},
		{moduletest.Find(t, Defs(), "android.receivers"), 2, []string{"android.receiver.sms_call"}},
		{moduletest.Find(t, Defs(), "android.dumpsys_packages"), 3, []string{"android.root.package"}},
		{moduletest.Find(t, Defs(), "android.appops"), 1, []string{"android.appop.install_packages"}},
		{moduletest.Find(t, Defs(), "android.adb_keys"), 1, []string{"android.adb.trusted_key"}},
		{moduletest.Find(t, Defs(), "android.activities"), 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.m.Name, func(t *testing.T) {
			s, err := moduletest.Run(t, tc.m, ev)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != tc.records {
				t.Errorf("%d records, want %d", len(s.Records), tc.records)
			}
			var rules []string
			for _, d := range s.Detections {
				rules = append(rules, d.Rule)
			}
			if strings.Join(rules, ",") != strings.Join(tc.rules, ",") {
				t.Errorf("rules %v, want %v", rules, tc.rules)
			}
			if len(s.Warnings) != 0 {
				t.Errorf("warnings %v", s.Warnings)
			}
		})
	}
}

func TestAbsent(t *testing.T) {
	ev := evidence(map[string]string{"other.txt": "x"})
	for _, m := range Defs() {
		if _, err := moduletest.Run(t, m, ev); !errors.Is(err, module.ErrAbsent) {
			t.Errorf("%s: %v, want ErrAbsent", m.Name, err)
		}
	}
	ev = evidence(map[string]string{"dumpsys.txt": dumpSection("package", "Packages:\n")})
	if _, err := moduletest.Run(t, moduletest.Find(t, Defs(), "android.battery_daily"), ev); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("missing section: %v", err)
	}
}

// TestLoadSection: the section asked for is returned with the dump holding
// the others joined to it; a dump without it is absent, naming it.
func TestLoadSection(t *testing.T) {
	dump := dumpSection("accessibility", "  Enabled services:{{a/b}}") + dumpSection("package", "Packages:\n")
	tests := []struct {
		svc       string
		also      []string
		wantBody  string
		wantOther string // a joined section the dump must hold
		absent    bool
	}{
		{"accessibility", []string{"package"}, "Enabled services", "package", false},
		{"package", nil, "Packages:", "", false},
		{"appops", []string{"package"}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.svc, func(t *testing.T) {
			env := module.NewEnv(evidence(map[string]string{"dumpsys.txt": dump}), "test", &moduletest.Sink{}, nil)
			d, body, name, err := loadSection(t.Context(), env, tt.svc, tt.also...)
			if tt.absent {
				if !errors.Is(err, module.ErrAbsent) || !strings.Contains(err.Error(), "dumpsys "+tt.svc+" section in dumpsys.txt") {
					t.Fatalf("err %v, want absent naming the section", err)
				}
				return
			}
			if err != nil || name != "dumpsys.txt" || !strings.Contains(body, tt.wantBody) {
				t.Fatalf("%q, %q, %v", body, name, err)
			}
			if _, ok := d.Service(tt.wantOther); tt.wantOther != "" && !ok {
				t.Errorf("the dump lacks the joined %s section", tt.wantOther)
			}
		})
	}
}

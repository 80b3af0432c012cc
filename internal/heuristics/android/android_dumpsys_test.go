package android

import (
	"strings"
	"testing"
	"time"
)

func TestAndroidDumpsysRules(t *testing.T) {
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		hit  bool
		got  bool
	}{
		{"a11y non-system", true, AccessibilityHolder("a.b", "a.b/.S", false, true) != nil},
		{"a11y system", false, AccessibilityHolder("a.b", "a.b/.S", true, true) != nil},
		{"a11y unknown", true, AccessibilityHolder("a.b", "a.b/.S", true, false) != nil},
		{"sms receiver", true, SMSCallReceiver("android.provider.Telephony.SMS_RECEIVED", "a.b", "a.b/.R", false, true) != nil},
		{"boot receiver", false, SMSCallReceiver("android.intent.action.BOOT_COMPLETED", "a.b", "a.b/.R", false, true) != nil},
		{"install appop", true, RiskyAppop("a.b", "REQUEST_INSTALL_PACKAGES", "allow", time.Time{}) != nil},
		{"shell appop", true, RiskyAppop("com.android.shell", "CAMERA", "allow", now) != nil},
		{"plain appop", false, RiskyAppop("a.b", "CAMERA", "allow", now) != nil},
		{"downgrade", true, PackageChange("downgrade", "a", 9, 10, "2024-01-01") != nil},
		{"update", false, PackageChange("update", "a", 11, 0, "2024-01-01") != nil},
		{"root pkg", true, RootPackage("com.topjohnwu.magisk") != nil},
		{"patch old", true, SecurityPatchAge("2023-01-05", now) != nil},
		{"patch fresh", false, SecurityPatchAge("2024-05-05", now) != nil},
		{"crash shell", true, PrivilegedCrash("adbd", 2000, "SIGABRT") != nil},
		{"crash app", false, PrivilegedCrash("x", 10100, "SIGSEGV") != nil},
		{"stalker all signs", true, Stalkerware(StalkerwareSignals{Package: "s", Accessibility: true, DeviceAdmin: true, KnownDeviceAdmin: true, NoLauncher: true, KnownLauncher: true, Permissions: []string{"android.permission.READ_SMS"}}) != nil},
		{"stalker has icon", false, Stalkerware(StalkerwareSignals{Package: "s", Accessibility: true, KnownLauncher: true, Permissions: []string{"android.permission.READ_SMS"}}) != nil},
		{"stalker no perms", false, Stalkerware(StalkerwareSignals{Package: "s", Accessibility: true, NoLauncher: true, KnownLauncher: true}) != nil},
	}
	for _, tc := range tests {
		if tc.got != tc.hit {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.hit)
		}
	}
}

// TestUserPackage: the components of system apps are never judged; with no
// system flag, those of Android's and phone makers' name spaces are not
// either, and any other package is judged as status_unknown.
func TestUserPackage(t *testing.T) {
	for _, tt := range []struct {
		pkg           string
		system, known bool
		judged        bool
		ctx           string
	}{
		{"com.example.spy", false, true, true, ""},
		{"com.example.spy", true, true, false, ""},
		{"com.samsung.android.app", false, true, true, ""}, // a flag the evidence gives wins over the name
		{"com.example.spy", false, false, true, "status_unknown"},
		{"com.samsung.android.app", false, false, false, ""},
		{"android", false, false, false, ""},
		{"androidx.spy", false, false, true, "status_unknown"},
	} {
		ctx, judged := userPackage(tt.pkg, tt.system, tt.known)
		if judged != tt.judged || strings.Join(ctx, ",") != tt.ctx {
			t.Errorf("userPackage(%q, system %v, known %v) = %v, %v; want %q, %v", tt.pkg, tt.system, tt.known, ctx, judged, tt.ctx, tt.judged)
		}
	}
}

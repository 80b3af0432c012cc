package heuristics

import (
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
)

// Rule ids of the dumpsys and tombstone heuristics.
const (
	RuleAndroidAccessibility   = "android_accessibility_service"
	RuleAndroidSMSReceiver     = "android_sms_call_receiver"
	RuleAndroidInstallAppop    = "android_request_install_packages"
	RuleAndroidShellAppop      = "android_shell_appop"
	RuleAndroidDowngrade       = "android_package_downgrade"
	RuleAndroidUninstall       = "android_package_uninstall"
	RuleAndroidStalkerware     = "android_stalkerware_combination"
	RuleAndroidADBKey          = "android_trusted_adb_key"
	RuleAndroidRootPackage     = "android_root_package"
	RuleAndroidSecurityPatch   = "android_old_security_patch"
	RuleAndroidPrivilegedCrash = "android_privileged_crash"
)

// AccessibilityHolder reports an accessibility service: it can read the
// screen and act for the user, which stalkerware and banking malware need.
// System apps' services are left out; when the system flag is unknown the
// service is reported, as MVT does for every service.
func AccessibilityHolder(pkg, component string, system, known bool) *model.Detection {
	if known && system {
		return nil
	}
	why := "a non-system app"
	if !known {
		why = "an app whose system status is unknown"
	}
	return &model.Detection{Rule: RuleAndroidAccessibility, Severity: model.Medium,
		Reason: fmt.Sprintf("Accessibility service %q belongs to %s (%s); such services can read the screen and act for the user", component, why, pkg)}
}

// sensitiveIntents are broadcasts that let an app read messages or follow
// calls as they happen.
var sensitiveIntents = map[string]bool{
	"android.provider.Telephony.SMS_RECEIVED":      true,
	"android.provider.Telephony.SMS_DELIVER":       true,
	"android.intent.action.DATA_SMS_RECEIVED":      true,
	"android.provider.Telephony.NEW_OUTGOING_SMS":  true,
	"android.intent.action.NEW_OUTGOING_SMS":       true,
	"android.intent.action.NEW_OUTGOING_CALL":      true,
	"android.intent.action.PHONE_STATE":            true,
	"android.provider.Telephony.WAP_PUSH_RECEIVED": true,
}

// IsSensitiveIntent says whether an intent action carries SMS or call events.
func IsSensitiveIntent(action string) bool {
	if sensitiveIntents[action] {
		return true
	}
	// Some dumps print bare names (PHONE_STATE) or vendor prefixes.
	for full := range sensitiveIntents {
		if strings.HasSuffix(full, "."+action) {
			return true
		}
	}
	return false
}

// SMSCallReceiver reports a non-system app listening for SMS or call events.
func SMSCallReceiver(intent, pkg, component string, system, known bool) *model.Detection {
	if !IsSensitiveIntent(intent) || (known && system) {
		return nil
	}
	return &model.Detection{Rule: RuleAndroidSMSReceiver, Severity: model.Low,
		Reason: fmt.Sprintf("App %s receives %s through %s; a non-system app listening for SMS or call events deserves a look", pkg, intent, component)}
}

// RiskyAppop reports use of REQUEST_INSTALL_PACKAGES (installing other apps,
// the usual sideloading path) and any operation recorded for com.android.shell
// (changes made over adb). at may be zero when the op has no entry.
func RiskyAppop(pkg, op, access string, at time.Time) *model.Detection {
	when := ""
	if !at.IsZero() {
		when = " at " + at.Format("2006-01-02 15:04:05")
	}
	switch {
	case op == "REQUEST_INSTALL_PACKAGES":
		return &model.Detection{Rule: RuleAndroidInstallAppop, Severity: model.Medium,
			Reason: fmt.Sprintf("Package %s had the permission to install other apps (REQUEST_INSTALL_PACKAGES) set to %q%s", pkg, access, when)}
	case pkg == "com.android.shell":
		return &model.Detection{Rule: RuleAndroidShellAppop, Severity: model.Medium,
			Reason: fmt.Sprintf("The adb shell (com.android.shell) used %s set to %q%s, which means someone ran commands over USB debugging", op, access, when)}
	}
	return nil
}

// PackageChange reports downgrades (an old, possibly vulnerable version put
// back) and uninstalls (an app removed, possibly to hide it) from battery
// daily stats. action is update, downgrade or uninstall.
func PackageChange(action, pkg string, vers, prev int64, day string) *model.Detection {
	switch action {
	case "downgrade":
		return &model.Detection{Rule: RuleAndroidDowngrade, Severity: model.Medium,
			Reason: fmt.Sprintf("Package %s was downgraded from version %d to %d on %s", pkg, prev, vers, day)}
	case "uninstall":
		return &model.Detection{Rule: RuleAndroidUninstall, Severity: model.Medium,
			Reason: fmt.Sprintf("Package %s was uninstalled (version 0) on %s", pkg, day)}
	}
	return nil
}

// StalkerwareSignals is what the dumpsys tells about one app. Known* say
// whether the evidence had the data at all; an unknown signal neither
// counts for nor against the app.
type StalkerwareSignals struct {
	Package          string
	System           bool
	Accessibility    bool
	DeviceAdmin      bool
	KnownDeviceAdmin bool
	NoLauncher       bool
	KnownLauncher    bool
	Permissions      []string // requested or granted
}

var stalkerPerms = map[string]string{
	"android.permission.READ_SMS":                   "SMS",
	"android.permission.RECEIVE_SMS":                "SMS",
	"android.permission.ACCESS_FINE_LOCATION":       "location",
	"android.permission.ACCESS_BACKGROUND_LOCATION": "location",
	"android.permission.RECORD_AUDIO":               "microphone",
	"android.permission.READ_CALL_LOG":              "call log",
}

// Stalkerware reports the combination commercial stalkerware shows: an
// accessibility service, no icon in the launcher, device-admin rights (to
// resist uninstall) and access to SMS, location or the microphone. All the
// known signals must agree, and at least the accessibility service and the
// permissions must be known.
func Stalkerware(s StalkerwareSignals) *model.Detection {
	if s.System || !s.Accessibility {
		return nil
	}
	if s.KnownLauncher && !s.NoLauncher {
		return nil
	}
	if s.KnownDeviceAdmin && !s.DeviceAdmin {
		return nil
	}
	kinds := map[string]bool{}
	for _, p := range s.Permissions {
		if k, ok := stalkerPerms[p]; ok {
			kinds[k] = true
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	var ks []string
	for _, k := range []string{"SMS", "location", "microphone", "call log"} {
		if kinds[k] {
			ks = append(ks, k)
		}
	}
	signs := []string{"an accessibility service"}
	if s.KnownLauncher {
		signs = append(signs, "no launcher icon")
	}
	if s.KnownDeviceAdmin {
		signs = append(signs, "device-admin rights")
	}
	signs = append(signs, "access to "+strings.Join(ks, ", "))
	sev := model.Medium
	if s.KnownLauncher && s.KnownDeviceAdmin {
		sev = model.High
	}
	return &model.Detection{Rule: RuleAndroidStalkerware, Severity: sev,
		Reason: fmt.Sprintf("Package %s combines %s: the pattern of stalkerware", s.Package, strings.Join(signs, ", "))}
}

// TrustedADBKey reports, for information, a computer trusted for USB
// debugging: whoever holds that key can install apps and read data over
// USB. The person checking the phone should recognise every one.
func TrustedADBKey(user, fingerprint string, valid bool, last time.Time) *model.Detection {
	sev := model.Informational
	what := fmt.Sprintf("The phone trusts a computer for USB debugging: %q (fingerprint %s)", user, fingerprint)
	if !valid {
		sev = model.Low
		what = fmt.Sprintf("The phone's list of trusted USB-debugging computers holds an invalid key (%q)", user)
	}
	if !last.IsZero() {
		what += ", last connected " + last.UTC().Format(time.RFC3339)
	}
	return &model.Detection{Rule: RuleAndroidADBKey, Severity: sev, Reason: what + "; check that it is a computer you know"}
}

// rootPackages are apps that root a phone or hide root (MVT's list).
var rootPackages = map[string]bool{
	"com.noshufou.android.su": true, "com.noshufou.android.su.elite": true, "eu.chainfire.supersu": true,
	"com.koushikdutta.superuser": true, "com.thirdparty.superuser": true, "com.yellowes.su": true,
	"com.koushikdutta.rommanager": true, "com.koushikdutta.rommanager.license": true,
	"com.dimonvideo.luckypatcher": true, "com.chelpus.lackypatch": true, "com.ramdroid.appquarantine": true,
	"com.ramdroid.appquarantinepro": true, "com.devadvance.rootcloak": true, "com.devadvance.rootcloakplus": true,
	"de.robv.android.xposed.installer": true, "com.saurik.substrate": true, "com.zachspong.temprootremovejb": true,
	"com.amphoras.hidemyroot": true, "com.amphoras.hidemyrootadfree": true, "com.formyhm.hiderootPremium": true,
	"com.formyhm.hideroot": true, "me.phh.superuser": true, "eu.chainfire.supersu.pro": true,
	"com.kingouser.com": true, "com.topjohnwu.magisk": true,
}

// RootPackage reports an installed rooting or root-hiding app.
func RootPackage(pkg string) *model.Detection {
	if !rootPackages[pkg] {
		return nil
	}
	return &model.Detection{Rule: RuleAndroidRootPackage, Severity: model.Medium,
		Reason: fmt.Sprintf("Package %s is a rooting or root-hiding tool; a rooted phone loses Android's protections", pkg)}
}

// SecurityPatchAge reports a security patch level (YYYY-MM-DD) older than
// six months at the time now (the acquisition date when known).
func SecurityPatchAge(patch string, now time.Time) *model.Detection {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(patch))
	if err != nil || now.IsZero() {
		return nil
	}
	if now.Sub(t) <= 186*24*time.Hour {
		return nil
	}
	return &model.Detection{Rule: RuleAndroidSecurityPatch, Severity: model.Medium,
		Reason: fmt.Sprintf("This phone has not received security updates for more than six months (last update: %s)", patch)}
}

// PrivilegedCrash reports a native crash of a process running as root
// (0), system (1000) or shell (2000): exploits against privileged services
// often crash them on failed attempts.
func PrivilegedCrash(process string, uid int64, signal string) *model.Detection {
	names := map[int64]string{0: "root", 1000: "system", 2000: "shell"}
	who, ok := names[uid]
	if !ok {
		return nil
	}
	return &model.Detection{Rule: RuleAndroidPrivilegedCrash, Severity: model.Medium,
		Reason: fmt.Sprintf("Process %q running as %s (uid %d) crashed with %s; failed exploits can crash privileged processes", process, who, uid, signal)}
}

package android

import (
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/rules"
)

// vendorPrefixes are package name spaces of Android itself and of phone
// makers. When the evidence does not say whether a package is a system app
// (a dumpsys without its package list), a package in one of them is taken
// to have come with the phone; any other package is reported, at a lower
// severity than one known to be installed by the user.
var vendorPrefixes = []string{
	"android", "com.android.", "com.google.android.", "com.samsung.", "com.sec.", "com.qualcomm.", "com.qti.",
	"com.mediatek.", "com.huawei.", "com.hihonor.", "com.miui.", "com.xiaomi.", "com.oneplus.", "com.oplus.",
	"com.coloros.", "com.oppo.", "com.heytap.", "com.motorola.", "com.lge.", "com.sonymobile.", "com.sony.",
	"com.htc.", "com.nokia.", "com.hmdglobal.", "com.asus.", "com.vivo.", "com.bbk.", "com.transsion.",
}

// VendorPackage says whether pkg belongs to Android's or a phone maker's
// name space.
func VendorPackage(pkg string) bool {
	for _, p := range vendorPrefixes {
		if pkg == p || strings.HasPrefix(pkg, p) && strings.HasSuffix(p, ".") {
			return true
		}
	}
	return false
}

// userPackage says whether the components of package pkg are judged: not
// those of a system app, nor, when the evidence does not say whether it is
// one (known false), those of Android's or a phone maker's name space; any
// other package of unknown status is judged in the context status_unknown.
func userPackage(pkg string, system, known bool) (ctx []string, judged bool) {
	switch {
	case known:
		return nil, !system
	case VendorPackage(pkg):
		return nil, false
	default:
		return []string{"status_unknown"}, true
	}
}

// AccessibilityHolder reports an accessibility service: it can read the
// screen and act for the user, which stalkerware and banking malware need.
// System apps' services are left out; when the system flag is unknown, a
// service of Android or the phone maker is left out too and any other is
// reported at low severity (MVT reports every service).
func AccessibilityHolder(pkg, component string, system, known bool) *rules.Finding {
	ctx, judged := userPackage(pkg, system, known)
	if !judged {
		return nil
	}
	return new(rules.AndroidAccessibilityService.New(rules.Params{"package": rules.Clip(pkg, 200), "service": rules.Clip(component, 300)}, ctx...))
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
func SMSCallReceiver(intent, pkg, component string, system, known bool) *rules.Finding {
	ctx, judged := userPackage(pkg, system, known)
	if !judged || !IsSensitiveIntent(intent) {
		return nil
	}
	return new(rules.AndroidReceiverSMSCall.New(rules.Params{"package": rules.Clip(pkg, 200), "intent": rules.Clip(intent, 200), "receiver": rules.Clip(component, 300)}, ctx...))
}

// RiskyAppop reports use of REQUEST_INSTALL_PACKAGES (installing other apps,
// the usual sideloading path) and any operation recorded for com.android.shell
// (changes made over adb). at may be zero when the op has no entry.
func RiskyAppop(pkg, op, access string, at time.Time) *rules.Finding {
	p := rules.Params{"package": rules.Clip(pkg, 200), "operation": rules.Clip(op, 100), "access": rules.Clip(access, 100)}
	var ctx []string
	if !at.IsZero() {
		p["time"] = at.Format("2006-01-02 15:04:05")
		ctx = append(ctx, "dated")
	}
	switch {
	case op == "REQUEST_INSTALL_PACKAGES":
		return new(rules.AndroidAppopInstallPackages.New(p, ctx...))
	case pkg == "com.android.shell":
		return new(rules.AndroidAppopADBShell.New(p, ctx...))
	}
	return nil
}

// PackageChange reports downgrades (an old, possibly vulnerable version put
// back) and uninstalls (an app removed, possibly to hide it) from battery
// daily stats. action is update, downgrade or uninstall.
func PackageChange(action, pkg string, vers, prev int64, day string) *rules.Finding {
	p := rules.Params{"package": rules.Clip(pkg, 200), "day": rules.Clip(day, 40)}
	switch action {
	case "downgrade":
		p["from"], p["to"] = strconv.FormatInt(prev, 10), strconv.FormatInt(vers, 10)
		return new(rules.AndroidPackageDowngraded.New(p))
	case "uninstall":
		return new(rules.AndroidPackageUninstalled.New(p))
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

// stalkerPerms map permissions to what they give access to (registry term
// "access.<kind>").
var stalkerPerms = map[string]string{
	"android.permission.READ_SMS":                   "sms",
	"android.permission.RECEIVE_SMS":                "sms",
	"android.permission.ACCESS_FINE_LOCATION":       "location",
	"android.permission.ACCESS_BACKGROUND_LOCATION": "location",
	"android.permission.RECORD_AUDIO":               "microphone",
	"android.permission.READ_CALL_LOG":              "call_log",
}

// Stalkerware reports the combination commercial stalkerware shows: an
// accessibility service, no icon in the launcher, device-admin rights (to
// resist uninstall) and access to SMS, location or the microphone. All the
// known signals must agree, and at least the accessibility service and the
// permissions must be known.
func Stalkerware(s StalkerwareSignals) *rules.Finding {
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
	for _, k := range []string{"sms", "location", "microphone", "call_log"} {
		if kinds[k] {
			ks = append(ks, k)
		}
	}
	signs := []string{"accessibility"}
	if s.KnownLauncher {
		signs = append(signs, "no_launcher")
	}
	if s.KnownDeviceAdmin {
		signs = append(signs, "device_admin")
	}
	var ctx []string
	if s.KnownLauncher && s.KnownDeviceAdmin {
		ctx = append(ctx, "all_signals")
	}
	return new(rules.AndroidAppStalkerwarePattern.New(rules.Params{"package": rules.Clip(s.Package, 200), "signs": strings.Join(signs, ","), "access": strings.Join(ks, ",")}, ctx...))
}

// TrustedADBKey reports, for information, a computer trusted for USB
// debugging: whoever holds that key can install apps and read data over
// USB. The person checking the phone should recognise every one.
func TrustedADBKey(user, fingerprint string, valid bool, last time.Time) *rules.Finding {
	p := rules.Params{"user": rules.Clip(user, 200), "fingerprint": rules.Clip(fingerprint, 120)}
	if !valid {
		return new(rules.AndroidADBInvalidKey.New(p))
	}
	var ctx []string
	if !last.IsZero() {
		p["last"] = last.UTC().Format(time.RFC3339)
		ctx = append(ctx, "dated")
	}
	return new(rules.AndroidADBTrustedKey.New(p, ctx...))
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
func RootPackage(pkg string) *rules.Finding {
	if !rootPackages[pkg] {
		return nil
	}
	return new(rules.AndroidRootPackage.New(rules.Params{"package": pkg}))
}

// SecurityPatchAge reports a security patch level (YYYY-MM-DD) older than
// six months at the time now (the acquisition date when known).
func SecurityPatchAge(patch string, now time.Time) *rules.Finding {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(patch))
	if err != nil || now.IsZero() {
		return nil
	}
	if now.Sub(t) <= 186*24*time.Hour {
		return nil
	}
	return new(rules.AndroidPatchOutdated.New(rules.Params{"patch": strings.TrimSpace(patch)}))
}

// PrivilegedCrash reports a native crash of a process running as root
// (0), system (1000) or shell (2000): exploits against privileged services
// often crash them on failed attempts.
func PrivilegedCrash(process string, uid int64, signal string) *rules.Finding {
	names := map[int64]string{0: "root", 1000: "system", 2000: "shell"}
	who, ok := names[uid]
	if !ok {
		return nil
	}
	return new(rules.AndroidCrashPrivileged.New(rules.Params{"process": rules.Clip(process, 200), "user": who, "uid": strconv.FormatInt(uid, 10), "signal": rules.Clip(signal, 60)}))
}

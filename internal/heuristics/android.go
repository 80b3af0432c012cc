package heuristics

import (
	"fmt"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/model"
)

// Rule ids of the androidqf heuristics.
const (
	RuleAndroidThirdPartyStore  = "android_third_party_store"
	RuleAndroidBrowserInstall   = "android_browser_install"
	RuleAndroidUnknownInstaller = "android_unknown_installer"
	RuleAndroidDisabledSecurity = "android_disabled_security_package"
	RuleAndroidInstallerPerm    = "android_request_install_permission"
	RuleAndroidDangerousSetting = "android_dangerous_setting"
	RuleAndroidTmpFile          = "android_file_in_data_local_tmp"
	RuleAndroidRootBinary       = "android_root_binary"
	RuleAndroidMountRW          = "android_system_mount_rw"
	RuleAndroidMountOptions     = "android_system_mount_options"
)

// PlayStoreInstallers install apps that went through a store review.
var PlayStoreInstallers = map[string]bool{
	"com.android.vending": true, "com.sec.android.app.samsungapps": true, "com.huawei.appmarket": true,
	"com.amazon.venezia": true, "com.xiaomi.market": true, "com.heytap.market": true, "com.oppo.market": true,
	"com.bbk.appstore": true, "com.google.android.feedback": true,
}

var thirdPartyStores = map[string]bool{"com.aurora.store": true, "org.fdroid.fdroid": true}

var browserInstallers = map[string]bool{"com.google.android.packageinstaller": true, "com.android.packageinstaller": true}

var securityPackages = map[string]bool{
	"com.policydm": true, "com.samsung.android.app.omcagent": true,
	"com.samsung.android.securitylogagent": true, "com.sec.android.soagent": true,
}

var updatePackages = map[string]bool{
	"com.android.updater": true, "com.google.android.gms": true, "com.huawei.android.hwouc": true,
	"com.lge.lgdmsclient": true, "com.motorola.ccc.ota": true, "com.oneplus.opbackup": true,
	"com.oppo.ota": true, "com.transsion.systemupdate": true, "com.wssyncmldm": true,
}

// PackageInstall judges how an app was installed and whether a package that
// keeps the phone safe was disabled. installer "" and "null" both mean
// unknown (androidqf writes the string "null"). A rooting app is reported
// alone, as the other checks add nothing to it.
func PackageInstall(pkg, installer string, system, disabled bool) []model.Detection {
	if d := RootPackage(pkg); d != nil {
		return []model.Detection{*d}
	}
	var out []model.Detection
	switch {
	case thirdPartyStores[installer]:
		out = append(out, model.Detection{Rule: RuleAndroidThirdPartyStore, Severity: model.Informational,
			Reason: fmt.Sprintf("Package %s was installed via a third party store (installer=%q)", pkg, installer)})
	case browserInstallers[installer]:
		out = append(out, model.Detection{Rule: RuleAndroidBrowserInstall, Severity: model.Medium,
			Reason: fmt.Sprintf("Package %s was installed via a browser or a downloaded file (installer=%q): spyware is often installed this way", pkg, installer)})
	case (installer == "" || installer == "null") && !system:
		out = append(out, model.Detection{Rule: RuleAndroidUnknownInstaller, Severity: model.Medium,
			Reason: fmt.Sprintf("Non-system package %s was installed via adb or another method (no installer recorded)", pkg)})
	}
	if disabled && securityPackages[pkg] {
		out = append(out, model.Detection{Rule: RuleAndroidDisabledSecurity, Severity: model.Medium,
			Reason: fmt.Sprintf("Security package %s is disabled", pkg)})
	}
	if disabled && updatePackages[pkg] {
		out = append(out, model.Detection{Rule: RuleAndroidDisabledSecurity, Severity: model.Medium,
			Reason: fmt.Sprintf("System update package %s is disabled: the phone may not receive security updates", pkg)})
	}
	return out
}

// InstallerPermission reports a non-system app allowed to install other
// apps, the usual way a dropper fetches its payload.
func InstallerPermission(pkg string, permissions []string, system bool) *model.Detection {
	if system {
		return nil
	}
	for _, p := range permissions {
		if p == "android.permission.REQUEST_INSTALL_PACKAGES" {
			return &model.Detection{Rule: RuleAndroidInstallerPerm, Severity: model.Low,
				Reason: fmt.Sprintf("Non-system package %s may install other apps (REQUEST_INSTALL_PACKAGES)", pkg)}
		}
	}
	return nil
}

type setting struct{ safe, desc string }

// dangerousSettings maps a setting to its safe value (MVT's list, plus
// adb and unknown sources which make remote installation possible).
var dangerousSettings = map[string]setting{
	"verifier_verify_adb_installs":  {"1", "disabled Google Play Protect scanning of apps installed via adb"},
	"package_verifier_enable":       {"1", "disabled Google Play Protect"},
	"package_verifier_state":        {"1", "disabled APK package verification"},
	"package_verifier_user_consent": {"1", "disabled Google Play Protect scanning"},
	"upload_apk_enable":             {"1", "disabled uploading of unknown apps to Google Play Protect"},
	"adb_install_need_confirm":      {"1", "disabled confirmation of apps installed via adb"},
	"send_security_reports":         {"1", "disabled sending of security reports"},
	"samsung_errorlog_agree":        {"1", "disabled sharing of crash logs with manufacturer"},
	"send_action_app_error":         {"1", "disabled app error reports"},
	"accessibility_enabled":         {"0", "enabled accessibility services"},
	"install_non_market_apps":       {"0", "allowed installing apps from unknown sources"},
	"adb_enabled":                   {"0", "enabled USB debugging (adb)"},
	"adb_wifi_enabled":              {"0", "enabled wireless debugging (adb over Wi-Fi)"},
}

// DangerousSetting reports a setting whose value weakens the phone.
func DangerousSetting(namespace, key, value string) *model.Detection {
	s, ok := dangerousSettings[key]
	if !ok || strings.TrimSpace(value) == s.safe {
		return nil
	}
	sev := model.Medium
	if key == "adb_enabled" || key == "adb_wifi_enabled" {
		// Acquisition tools need adb on, so it is expected on a phone being
		// examined; it still deserves a line in the report.
		sev = model.Low
	}
	return &model.Detection{Rule: RuleAndroidDangerousSetting, Severity: sev,
		Reason: fmt.Sprintf("Found suspicious %q setting \"%s = %s\" (%s)", namespace, key, value, s.desc)}
}

// TmpFile reports a file under /data/local/tmp, where exploits stage their
// binaries (Predator used /data/local/tmp/wd). androidqf's own collector is
// exempt.
func TmpFile(p, mode string) *model.Detection {
	if !strings.HasPrefix(p, "/data/local/tmp/") || p == "/data/local/tmp/collector" || strings.HasSuffix(p, "/") {
		return nil
	}
	what, sev := "file", model.Medium
	if strings.Contains(mode, "x") {
		what, sev = "executable file", model.High
	}
	return &model.Detection{Rule: RuleAndroidTmpFile, Severity: sev,
		Reason: fmt.Sprintf("Found %s at suspicious path %s (exploits stage payloads in /data/local/tmp)", what, p)}
}

var rootBinaries = map[string]string{
	"su": "SuperUser binary", "busybox": "BusyBox utilities", "supersu": "SuperSU root management",
	"superuser.apk": "Superuser app", "kingouser.apk": "KingRoot app", "magisk": "Magisk root framework",
	"magiskhide": "Magisk hide utility", "magiskinit": "Magisk init binary", "magiskpolicy": "Magisk policy injector",
}

// RootBinaryDescription names what a root binary is.
func RootBinaryDescription(p string) string {
	if d, ok := rootBinaries[strings.ToLower(path.Base(p))]; ok {
		return d
	}
	return "Unknown root binary"
}

// RootBinary reports a binary that only exists on rooted phones.
func RootBinary(p string) model.Detection {
	return model.Detection{Rule: RuleAndroidRootBinary, Severity: model.High,
		Reason: fmt.Sprintf("Found root binary %q (%s) at path %q", path.Base(p), RootBinaryDescription(p), p)}
}

// IsSystemPartition says whether a mount point holds the read-only OS.
func IsSystemPartition(mp string) bool {
	for _, p := range []string{"/system", "/vendor", "/product", "/system_ext"} {
		if mp == p || strings.HasPrefix(mp, p+"/") || strings.HasPrefix(mp, p+"_") {
			return true
		}
	}
	return false
}

// Mount judges one mount: a system partition mounted read-write means root
// or a modified OS; remount options suggest tampering.
func Mount(device, mountPoint string, options []string) []model.Detection {
	if !IsSystemPartition(mountPoint) {
		return nil
	}
	var out []model.Detection
	has := map[string]bool{}
	for _, o := range options {
		has[o] = true
	}
	if has["rw"] {
		out = append(out, model.Detection{Rule: RuleAndroidMountRW, Severity: model.High,
			Reason: fmt.Sprintf("System partition %s (%s) is mounted read-write: the phone is rooted or its system was modified", mountPoint, device)})
	}
	if has["remount"] {
		out = append(out, model.Detection{Rule: RuleAndroidMountOptions, Severity: model.Medium,
			Reason: fmt.Sprintf("System partition %s was remounted", mountPoint)})
	}
	return out
}

// RuleAndroidIntrusionSecurity marks security events of Android's intrusion
// logging that mean the device's trust was attacked.
const RuleAndroidIntrusionSecurity = "android_intrusion_security_event"

// IntrusionSecurityEvent judges one intrusion-logging security event by its
// tag and fields (booleans as decoded JSON: bool or number). It returns nil
// for routine events.
func IntrusionSecurityEvent(tag string, fields map[string]any) *model.Detection {
	det := func(reason string) *model.Detection {
		return &model.Detection{Rule: RuleAndroidIntrusionSecurity, Severity: model.Medium, Reason: reason}
	}
	switch tag {
	case "cert_validation_failure":
		return det(fmt.Sprintf("Certificate validation failure: %v (an interception attempt can cause it)", fields["reason"]))
	case "key_integrity_violation":
		return det(fmt.Sprintf("Key integrity violation for key %v (uid %v): a stored key was tampered with", fields["key_id"], fields["uid"]))
	case "cert_authority_installed":
		if ok, set := truth(fields["success"]); !set || ok {
			return det(fmt.Sprintf("Certificate authority installed: %v. Unexpected Root CA let someone read encrypted traffic", fields["subject"]))
		}
	case "wipe_failure":
		return det("Device wipe failed")
	case "crypto_self_test_completed":
		if ok, set := truth(fields["success"]); set && !ok {
			return det("Cryptographic self test failed")
		}
	}
	return nil
}

// KeyGenerationFailureWorthNoting says whether a failed key_generated event
// deserves a warning: Android's own PinStorage key (uid 1001) fails
// routinely after reboots.
func KeyGenerationFailureWorthNoting(keyID string, uid int64, success any) bool {
	if ok, set := truth(success); !set || ok {
		return false
	}
	return !(keyID == "PinStorage_crossReboot_key" && uid == 1001)
}

func truth(v any) (value, set bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case float64:
		return x != 0, true
	case int64:
		return x != 0, true
	case string:
		switch strings.ToLower(x) {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
	case interface{ Int64() (int64, error) }:
		n, err := x.Int64()
		return n != 0, err == nil
	}
	return false, false
}

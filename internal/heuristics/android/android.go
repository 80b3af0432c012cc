package android

import (
	"fmt"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/rules"
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
// unknown (androidqf writes the string "null"). An app that came with the
// phone (system: on the system, vendor or product partition) or was
// installed by Google Play or the maker's store is never "sideloaded",
// whatever installer an update recorded (YouTube updated from a file is
// still Google's YouTube). A rooting app is reported alone, as the other
// checks add nothing to it.
func PackageInstall(pkg, installer string, system, disabled bool) []rules.Finding {
	if f := RootPackage(pkg); f != nil {
		return []rules.Finding{*f}
	}
	var out []rules.Finding
	p := rules.Params{"package": rules.Clip(pkg, 200), "installer": rules.Clip(installer, 200)}
	switch {
	case system || PlayStoreInstallers[installer]:
	case thirdPartyStores[installer]:
		out = append(out, rules.AndroidPackageThirdPartyStore.New(p))
	case browserInstallers[installer]:
		out = append(out, rules.AndroidPackageSideloaded.New(p))
	case installer == "" || installer == "null":
		out = append(out, rules.AndroidPackageUnknownInstaller.New(p))
	}
	if disabled && securityPackages[pkg] {
		out = append(out, rules.AndroidPackageSecurityDisabled.New(p))
	}
	if disabled && updatePackages[pkg] {
		out = append(out, rules.AndroidPackageUpdaterDisabled.New(p))
	}
	return out
}

// PreinstalledPath says whether an APK path is on a partition that ships
// with the phone (system, vendor, product), so its app came with it even
// when the package list does not flag it as a system app.
func PreinstalledPath(p string) bool {
	for _, d := range []string{"/system/", "/vendor/", "/product/", "/system_ext/", "/apex/"} {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// InstallerPermission reports a non-system app allowed to install other
// apps, the usual way a dropper fetches its payload.
func InstallerPermission(pkg string, permissions []string, system bool) *rules.Finding {
	if system {
		return nil
	}
	for _, p := range permissions {
		if p == "android.permission.REQUEST_INSTALL_PACKAGES" {
			return new(rules.AndroidPackageCanInstallApps.New(rules.Params{"package": rules.Clip(pkg, 200)}))
		}
	}
	return nil
}

// dangerousSettings maps a setting to its safe value (MVT's list, plus adb
// and unknown sources which make remote installation possible). The words
// for each are the registry term "setting.<key>". Settings that only stop
// sharing diagnostics with Google or the maker are privacy choices, not a
// weakened phone: they are low.
var dangerousSettings = map[string]string{
	"verifier_verify_adb_installs":  "1",
	"package_verifier_enable":       "1",
	"package_verifier_state":        "1",
	"package_verifier_user_consent": "1",
	"upload_apk_enable":             "1",
	"adb_install_need_confirm":      "1",
	"send_security_reports":         "1",
	"samsung_errorlog_agree":        "1",
	"send_action_app_error":         "1",
	"accessibility_enabled":         "0",
	"install_non_market_apps":       "0",
	"adb_enabled":                   "0",
	"adb_wifi_enabled":              "0",
}

var privacySettings = map[string]bool{"samsung_errorlog_agree": true, "send_action_app_error": true, "send_security_reports": true, "upload_apk_enable": true}

// DangerousSetting reports a setting whose value weakens the phone.
func DangerousSetting(namespace, key, value string) *rules.Finding {
	safe, ok := dangerousSettings[key]
	if !ok || strings.TrimSpace(value) == safe {
		return nil
	}
	var ctx []string
	switch {
	case key == "adb_enabled" || key == "adb_wifi_enabled":
		// Acquisition tools need adb on, so it is expected on a phone being
		// examined; it still deserves a line in the report.
		ctx = append(ctx, "adb")
	case privacySettings[key]:
		ctx = append(ctx, "privacy_choice")
	}
	return new(rules.AndroidSettingWeakened.New(rules.Params{"namespace": rules.Clip(namespace, 60), "setting": key, "value": rules.Clip(value, 100)}, ctx...))
}

// TmpFile reports a file under /data/local/tmp, where exploits stage their
// binaries (Predator used /data/local/tmp/wd). androidqf's own collector is
// exempt.
func TmpFile(p, mode string) *rules.Finding {
	if !strings.HasPrefix(p, "/data/local/tmp/") || p == "/data/local/tmp/collector" || strings.HasSuffix(p, "/") {
		return nil
	}
	var ctx []string
	if strings.Contains(mode, "x") {
		ctx = append(ctx, "executable")
	}
	return new(rules.AndroidFileTmpStaged.New(rules.Params{"path": rules.Clip(p, 300)}, ctx...))
}

var rootBinaries = map[string]string{
	"su": "su", "busybox": "busybox", "supersu": "supersu",
	"superuser.apk": "superuser", "kingouser.apk": "kingouser", "magisk": "magisk",
	"magiskhide": "magiskhide", "magiskinit": "magiskinit", "magiskpolicy": "magiskpolicy",
}

// RootBinaryDescription names what a root binary is, in English (the
// record's description field; texts come from the registry term
// "root_binary.<name>").
func RootBinaryDescription(p string) string {
	if d, ok := rootBinaries[strings.ToLower(path.Base(p))]; ok {
		if t, ok := rules.Term("root_binary."+d, "en"); ok {
			return t
		}
	}
	t, _ := rules.Term("root_binary.unknown", "en")
	return t
}

// RootBinary reports a binary that only exists on rooted phones (androidqf
// lists those it found by name; a name outside the known list is reported
// as an unknown root binary, as MVT does). A rooted phone is a risk factor,
// not a sign of spyware: it is said that way. nil for an entry that names
// no file.
func RootBinary(p string) *rules.Finding {
	if p == "" || strings.HasSuffix(p, "/") {
		return nil
	}
	kind, ok := rootBinaries[strings.ToLower(path.Base(p))]
	if !ok {
		kind = "unknown"
	}
	return new(rules.AndroidRootBinary.New(rules.Params{"name": rules.Clip(path.Base(p), 100), "path": rules.Clip(p, 300), "what": kind}))
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
func Mount(device, mountPoint string, options []string) []rules.Finding {
	if !IsSystemPartition(mountPoint) {
		return nil
	}
	var out []rules.Finding
	has := map[string]bool{}
	for _, o := range options {
		has[o] = true
	}
	p := rules.Params{"mount": rules.Clip(mountPoint, 200), "device": rules.Clip(device, 200)}
	if has["rw"] {
		out = append(out, rules.AndroidRootSystemRW.New(p))
	}
	if has["remount"] {
		out = append(out, rules.AndroidRootSystemRemount.New(p))
	}
	return out
}

// IntrusionSecurityEvent judges one intrusion-logging security event by its
// tag and fields (booleans as decoded JSON: bool or number). It returns nil
// for routine events. The event's words are the registry term
// "intrusion.<tag>".
func IntrusionSecurityEvent(tag string, fields map[string]any) *rules.Finding {
	det := func(detail any) *rules.Finding {
		p := rules.Params{"event": tag}
		if detail != nil {
			p["detail"] = rules.Clip(fmt.Sprint(detail), 300)
		}
		return new(rules.AndroidIntrusionSecurityEvent.New(p))
	}
	switch tag {
	case "cert_validation_failure":
		return det(fields["reason"])
	case "key_integrity_violation":
		return det(fmt.Sprintf("%v (uid %v)", fields["key_id"], fields["uid"]))
	case "cert_authority_installed":
		if ok, set := truth(fields["success"]); !set || ok {
			return det(fields["subject"])
		}
	case "wipe_failure":
		return det(nil)
	case "crypto_self_test_completed":
		if ok, set := truth(fields["success"]); set && !ok {
			return det(nil)
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

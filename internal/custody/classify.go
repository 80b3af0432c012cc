package custody

import "strings"

// Kind is what an event means for the custody question: someone held the
// phone and did something with it. Most events are none of these.
type Kind string

const (
	Pairing     Kind = "pairing"     // a computer was trusted, or made a backup
	Computer    Kind = "computer"    // a trusted computer connected or started a service
	ADB         Kind = "adb"         // USB debugging: a key authorised or used, a shell, a file copied
	ADBInstall  Kind = "adb_install" // an app installed over USB debugging
	USB         Kind = "usb"         // a USB storage device mounted
	Unlock      Kind = "unlock"      // the lock screen dismissed, or an unlock attempt
	AppInstall  Kind = "app_install" // an app installed
	Profile     Kind = "profile"     // a configuration profile installed
	Certificate Kind = "certificate" // a certificate (authority) installed
	Reboot      Kind = "reboot"      // a reboot or shutdown
	Crash       Kind = "crash"       // a crash
	Reset       Kind = "reset"       // an activation, an erase, an iOS upgrade
	Other       Kind = ""            // any other event
)

// Kinds lists the kinds in the order the report shows them: what most
// surely means hands-on access first.
var Kinds = []Kind{Pairing, ADB, ADBInstall, Profile, Certificate, AppInstall, Computer, USB, Unlock, Reset, Reboot, Crash}

// HandsOn says whether an event of kind k, in the window, means someone
// handled the phone (the correlation rules raise these as findings).
func (k Kind) HandsOn() bool {
	switch k {
	case Pairing, ADB, ADBInstall, Profile, Certificate, AppInstall:
		return true
	}
	return false
}

// Classify names the kind of one timeline event from its module, event
// name and summary (all that timeline.jsonl keeps, so a report built later
// classifies the same way). The modules' own event names decide; a summary
// is read only where a module writes one event name for different things.
func Classify(module, desc, summary string) Kind {
	switch desc {
	case "pairing", "pairing_record":
		return Pairing
	case "backup":
		if module == "ios.backup_info" {
			return Pairing // a computer made this backup: it was trusted
		}
	case "host_session", "lockdown_service":
		return Computer
	case "adb_last_connection", "adb_shell_cmd", "adb_shell_interactive", "adb_sync_recv_file", "adb_sync_send_file":
		return ADB
	case "media_mount":
		return USB
	case "keyguard_dismissed", "keyguard_dismiss_auth_attempt":
		return Unlock
	case "app_installed_from_computer":
		return AppInstall
	case "app_installed", "package_installed":
		return AppInstall
	case "package_first_install":
		// dumpsys package: "Package <name> <version> (<installer>)". An app
		// with no installer or the adb shell as installer came over USB
		// debugging (or from an unknown source).
		if strings.HasSuffix(summary, "(unknown installer)") || strings.HasSuffix(summary, "(com.android.shell)") ||
			strings.HasSuffix(summary, "(adb)") {
			return ADBInstall
		}
		if strings.HasSuffix(summary, "(preinstalled)") {
			// A system image's app: first installed when the phone was
			// first set up (or reset), often at a placeholder date.
			return Reset
		}
		return AppInstall
	case "configuration_profile_install":
		if strings.HasPrefix(summary, "com.apple.security.") {
			return Certificate
		}
		return Profile
	case "profile_operation":
		if strings.Contains(strings.ToLower(summary), ": install") {
			return Profile
		}
	case "cert_authority_installed":
		return Certificate
	case "reboot", "os_startup", "os_shutdown", "activation_daemon_start":
		return Reboot
	case "crash":
		return Crash
	case "activation_state", "ios_upgrade", "wipe_failure":
		return Reset
	}
	if module == "android.appops" && strings.Contains(summary, "com.android.shell") {
		return ADB
	}
	return Other
}

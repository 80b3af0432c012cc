package heuristics

import (
	"fmt"
	"strings"
)

// iOS file-system and sysdiagnose rules: where a running binary or a client
// that held up a shutdown lives, and what that says.

// StripUUIDSuffix removes a trailing "/<UUID>" component. From iOS 26,
// shutdown.log names clients "/usr/sbin/<daemon>/<UUID>"; indicators name the
// binary, so the suffix must go before matching.
func StripUUIDSuffix(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 || !IsUUID(p[i+1:]) {
		return p
	}
	return p[:i]
}

// IsUUID says whether s is a canonical 8-4-4-4-12 hexadecimal UUID.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// StagingDir names the folder of a path that spyware is known to run from:
// Pegasus under /private/var/db/ (com.apple.xpc.roleaccountd.staging),
// Predator under /private/var/tmp/. Empty when the path is elsewhere. Apple
// ships no executables in either folder, so a process there is never normal.
func StagingDir(p string) string {
	q := strings.TrimPrefix(p, "/private")
	switch {
	case strings.HasPrefix(q, "/var/db/"):
		return "/private/var/db/"
	case strings.HasPrefix(q, "/var/tmp/"), strings.HasPrefix(q, "/tmp/"):
		return "/private/var/tmp/"
	}
	return ""
}

// systemExecDirs are where iOS and installed apps keep executables.
var systemExecDirs = []string{
	"/System/", "/usr/", "/bin/", "/sbin/", "/Applications/", "/Developer/", "/Library/",
	"/private/preboot/", "/preboot/", "/AppleInternal/",
	"/private/var/containers/Bundle/", "/var/containers/Bundle/",
	"/private/var/staged_system_apps/", "/var/staged_system_apps/",
}

// UnusualExecPath says whether an absolute executable path lies outside the
// folders iOS runs code from. Relative names (kernel_task, launchd's own
// placeholders) cannot be judged and return false.
func UnusualExecPath(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	for _, d := range systemExecDirs {
		if strings.HasPrefix(p, d) {
			return false
		}
	}
	return true
}

// ExecPathReason explains a process or shutdown client found in an unusual place.
func ExecPathReason(what, p, artifact string) string {
	if d := StagingDir(p); d != "" {
		return fmt.Sprintf("%s %q runs from %s, a folder iOS never runs programs from; Pegasus (/private/var/db/) and Predator (/private/var/tmp/) "+
			"installed their implants there. Seen in %s.", what, p, d, artifact)
	}
	return fmt.Sprintf("%s %q runs from outside the folders iOS and App Store apps run from (%s). Seen in %s; check what this binary is.",
		what, p, "/System, /usr, /Applications, app bundles", artifact)
}

// ManyShutdownDelays is Kaspersky's iShutdown threshold: three or more
// "these clients are still here" waits before one reboot.
const ManyShutdownDelays = 3

// SlowShutdownReason explains a reboot held up by clients that would not quit.
func SlowShutdownReason(delays int, clients []string, artifact string) string {
	return fmt.Sprintf("The phone waited %d times for processes to quit before rebooting (%s). Kaspersky's iShutdown method flags three or more "+
		"waits: an implant can hold up a shutdown. Clients still running: %s.", delays, artifact, strings.Join(clients, ", "))
}

// ShortShutdownLogReason tells the analyst not to read comfort into a thin log.
func ShortShutdownLogReason(reboots int, artifact string) string {
	return fmt.Sprintf("%s records only %d reboot(s). A short or empty shutdown.log is not evidence of a clean phone: iOS 26 rotates and "+
		"overwrites it, and it only covers reboots made since it was last reset.", artifact, reboots)
}

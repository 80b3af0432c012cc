// Package crashreports is the ios.crash_reports module: .ips crash and
// diagnostic reports in file-system dumps (Logs/CrashReporter), sysdiagnose
// archives (crashes_and_spins) and the reports a person shares from the
// phone's Analytics Data (with older text .crash logs). Exploits crash the
// process they attack (IMTranscoderAgent, BlastDoor, WebKit, mediaserverd),
// so crash times matter on the timeline next to messages and visits.
package crashreports

import (
	"slices"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"private/var/mobile/Library/Logs/CrashReporter/**/*.ips",
	"private/var/containers/Shared/SystemGroup/*/Library/Logs/**/*.ips",
	"crashes_and_spins/**/*.ips",
	"**/*.ips",
}

// SharedPaths add, for reports shared from the phone (ios-crash-reports),
// older text crash logs.
var SharedPaths = []string{"**/*.crash"}

// Def is the ios.crash_reports module.
func Def() module.Def {
	return module.New("ios.crash_reports", "Crash and diagnostic reports (.ips): crashed process, bundle id, executable path, iOS version and time.", source.IOSFS, source.IOSSysdiagnose, source.IOSCrashReports).
		Reads(slices.Concat(Paths, SharedPaths), run)
}

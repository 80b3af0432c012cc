package ios

import (
	"strconv"
	"strings"

	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/rules"
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
	// Watch-face bundles the phone unpacks for a paired Apple Watch (a
	// real iPhone's file list holds their binaries there).
	"/private/var/mobile/Library/NanoTimeKit/FaceSupport/ExtractedBundles/", "/var/mobile/Library/NanoTimeKit/FaceSupport/ExtractedBundles/",
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

// UnusualProcess judges a running process's executable path: outside the
// folders iOS runs code from it is a lead, and in a staging folder Pegasus
// (/private/var/db/) or Predator (/private/var/tmp/) used, a strong one.
// nil when the path is ordinary.
func UnusualProcess(p, artifact string) *rules.Finding {
	if !UnusualExecPath(p) {
		return nil
	}
	var ctx []string
	folder := ""
	if d := StagingDir(p); d != "" {
		ctx = append(ctx, "staging_folder")
		folder = d
	}
	return new(rules.IOSProcessUnusualPath.New(rules.Params{"path": rules.Clip(p, 300), "folder": folder, "artifact": artifact}, ctx...))
}

// StagingClient judges a process shutdown.log saw still running at reboot:
// in a staging folder it is the iShutdown sign of an implant. nil otherwise.
func StagingClient(p, artifact string) *rules.Finding {
	d := StagingDir(p)
	if d == "" {
		return nil
	}
	return new(rules.IOSShutdownStagingClient.New(rules.Params{"path": rules.Clip(p, 300), "folder": d, "artifact": artifact}))
}

// ManyShutdownDelays is Kaspersky's iShutdown threshold: three or more
// "these clients are still here" waits before one reboot.
const ManyShutdownDelays = 3

// SlowShutdown judges one reboot: three or more waits for clients that
// would not quit. nil below the threshold.
func SlowShutdown(delays int, clients []string, artifact string) *rules.Finding {
	if delays < ManyShutdownDelays {
		return nil
	}
	return new(rules.IOSShutdownSlowClient.New(rules.Params{"waits": strconv.Itoa(delays), "clients": rules.Clip(strings.Join(clients, ", "), 600), "artifact": artifact}))
}

// ShortShutdownLog tells the analyst not to read comfort into a thin log:
// fewer reboots than the iShutdown threshold. nil otherwise.
func ShortShutdownLog(reboots int, artifact string) *rules.Finding {
	if reboots >= ManyShutdownDelays {
		return nil
	}
	return new(rules.IOSShutdownShortLog.New(rules.Params{"reboots": strconv.Itoa(reboots), "artifact": artifact}))
}

// Where a file whose name equals a process-name indicator lies, as a
// context of the indicator rule (indicator.feed.match). A file-system dump
// holds every binary of iOS and every resource of every app, so a name
// alone says little: it counts where an implant runs from, never for
// Apple's own binaries in their system folders or a file inside an app
// bundle (TikTok ships a folder named "bh", a Pegasus process name), and
// anywhere else it is at most a weak lead (an app's cache file "payload").
const (
	PlaceStaging   = "staging_folder"
	PlaceSystem    = "system_folder"
	PlaceAppBundle = "app_bundle"
	PlaceElsewhere = "elsewhere"
)

// ProcessNamePlace returns the place context of path for a process-name
// match on the name of a file or folder.
func ProcessNamePlace(path string) string {
	switch {
	case StagingDir(path) != "" || strings.HasPrefix(path, "/data/local/tmp/"):
		return PlaceStaging
	case inAppBundle(path):
		return PlaceAppBundle
	case !UnusualExecPath(path) || android.PreinstalledPath(path):
		return PlaceSystem
	}
	return PlaceElsewhere
}

// inAppBundle says whether path is inside an installed app's bundle (the
// signed, read-only folder of its code and resources), as opposed to its
// data container.
func inAppBundle(p string) bool {
	if strings.HasPrefix(p, "/private/var/containers/Bundle/") || strings.HasPrefix(p, "/var/containers/Bundle/") {
		return true
	}
	return strings.Contains(p, ".app/") || strings.Contains(p, ".appex/") || strings.Contains(p, ".framework/")
}

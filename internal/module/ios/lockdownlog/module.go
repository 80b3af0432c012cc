// Package lockdownlog is the ios.lockdown_log module: lockdownd.log
// (logs/MobileLockdown in a sysdiagnose), the log of the daemon that
// decides which computers the phone trusts. Its handlers log each pairing
// ("Trust this computer"), each session a trusted computer opens, and each
// service a computer starts on the phone (backups, file transfer, app
// installs, diagnostics): what a forensic extraction tool or an installer
// with the phone in hand leaves behind. Lines are keyed on the handler's
// name (handle_pair, handle_start_session...), which lockdownd prints
// before every message; their wording varies between iOS versions.
package lockdownlog

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Paths are where the module looks for its artifact.
var Paths = []string{
	"logs/MobileLockdown/lockdownd.log*",
	"**/MobileLockdown/lockdownd.log*",
	// Where a file-system dump holds it (a real iOS 15 image's file list).
	"private/var/logs/lockdownd.log*",
	"private/var/root/Library/Logs/lockdownd.log*",
}

var limit = evfile.Limit{Kind: "lockdownd log", Max: 512 << 20}

// Def is the ios.lockdown_log module.
func Def() module.Def {
	return module.Sysdiagnose("ios.lockdown_log", "Computers the phone trusted (lockdownd.log): pairings, sessions of trusted computers and the services they started.", source.IOSFS).
		With(Paths, sysdiag.EachLog("lockdownd.log", limit, entries))
}

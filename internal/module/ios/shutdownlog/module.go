// Package shutdownlog is the ios.shutdown_log module: the processes still
// running when the phone rebooted, read with Kaspersky's iShutdown method.
// The log is in file-system dumps (private/var/db/diagnostics) and in every
// sysdiagnose (system_logs.logarchive/Extra); iOS 26 rotates it into
// shutdown.0.log, shutdown.1.log...
package shutdownlog

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths find the log and its rotations wherever the evidence keeps them.
var Paths = []string{
	"private/var/db/diagnostics/shutdown.log",
	"private/var/db/diagnostics/shutdown.*.log",
	"**/shutdown.log",
	"**/shutdown.*.log",
}

// Def is the ios.shutdown_log module.
func Def() module.Def {
	return module.New("ios.shutdown_log", "shutdown.log (iShutdown method): processes still running at each reboot, implants under /private/var/db or /private/var/tmp, slow shutdowns, reboots per month.", source.IOSFS, source.IOSSysdiagnose).
		Reads(Paths, run)
}

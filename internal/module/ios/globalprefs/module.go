// Package globalprefs reads the global preferences (.GlobalPreferences.plist),
// chiefly to tell whether Lockdown Mode is on.
package globalprefs

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are the plist's backup and file-system locations.
var Paths = module.InHome("Library/Preferences/.GlobalPreferences.plist")

// Def is the ios.global_prefs module.
func Def() module.Def {
	return module.IOS("ios.global_prefs", "Global preferences, reporting whether Lockdown Mode is enabled.").
		Reads(Paths, run)
}

// Package globalprefs reads the global preferences (.GlobalPreferences.plist),
// chiefly to tell whether Lockdown Mode is on.
package globalprefs

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths are the plist's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/Preferences/.GlobalPreferences.plist",
	"private/var/mobile/Library/Preferences/.GlobalPreferences.plist",
}

// Def is the ios.global_prefs module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.global_prefs",
		Description: "Global preferences, reporting whether Lockdown Mode is enabled.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         run,
	}
}

// Package shortcuts reads Siri Shortcuts (Shortcuts.sqlite) and the links
// their actions open or fetch.
package shortcuts

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths are the database's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/Shortcuts/Shortcuts.sqlite",
	"private/var/mobile/Library/Shortcuts/Shortcuts.sqlite",
}

// Def is the ios.shortcuts module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.shortcuts",
		Description: "Shortcuts with their actions and the links those actions use.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         module.FirstDB("Shortcuts.sqlite", Paths, read),
	}
}

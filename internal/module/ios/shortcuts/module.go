// Package shortcuts reads Siri Shortcuts (Shortcuts.sqlite) and the links
// their actions open or fetch.
package shortcuts

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are the database's backup and file-system locations.
var Paths = module.InHome("Library/Shortcuts/Shortcuts.sqlite")

// Def is the ios.shortcuts module.
func Def() module.Def {
	return module.IOS("ios.shortcuts", "Shortcuts with their actions and the links those actions use.").
		FirstDB("Shortcuts.sqlite", Paths, read)
}

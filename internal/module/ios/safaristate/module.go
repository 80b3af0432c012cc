// Package safaristate is the ios.safari_browser_state module: Safari's open
// tabs and each tab's back/forward list, which survive clearing the history.
package safaristate

import (
	"github.com/huella-project/huella/internal/module"
)

var Paths = []string{
	"*/Library/Safari/BrowserState.db",
	"*/Library/Safari/Profiles/*/BrowserState.db",
	"private/var/mobile/Library/Safari/BrowserState.db",
	"private/var/mobile/Library/Safari/Profiles/*/BrowserState.db",
	"private/var/mobile/Containers/Data/Application/*/Library/Safari/BrowserState.db",
	"private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/BrowserState.db",
}

// Def is the ios.safari_browser_state module.
func Def() module.Def {
	return module.IOS("ios.safari_browser_state", "Safari open tabs and their session history (BrowserState.db, every profile).").
		EachDB("Safari BrowserState.db", Paths, parseDB)
}

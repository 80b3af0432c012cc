// Package safaristate is the ios.safari_browser_state module: Safari's open
// tabs and each tab's back/forward list, which survive clearing the history.
package safaristate

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/safarihistory"
)

// Paths are BrowserState.db in every Safari profile, kept where History.db
// is.
var Paths = safarihistory.InProfiles("BrowserState.db")

// Def is the ios.safari_browser_state module.
func Def() module.Def {
	return module.IOS("ios.safari_browser_state", "Safari open tabs and their session history (BrowserState.db, every profile).").
		EachDB("Safari BrowserState.db", Paths, parseDB)
}

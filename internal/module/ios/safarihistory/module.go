// Package safarihistory is the ios.safari_history module: Safari's
// History.db (default and per-profile), with redirect chains and the
// network-injection redirect heuristic.
package safarihistory

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths cover the backup (any domain: HomeDomain before iOS 17,
// AppDomain-com.apple.mobilesafari after) and the file-system dump.
var Paths = []string{
	"*/Library/Safari/History.db",
	"*/Library/Safari/Profiles/*/History.db",
	"private/var/mobile/Library/Safari/History.db",
	"private/var/mobile/Library/Safari/Profiles/*/History.db",
	"private/var/mobile/Containers/Data/Application/*/Library/Safari/History.db",
	"private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/History.db",
}

// Def is the ios.safari_history module.
func Def() module.Def {
	return module.IOS("ios.safari_history", "Safari browsing history (History.db, every profile), with redirect chains and sub-second cross-site redirects.").
		EachDB("Safari History.db", Paths, parseDB)
}

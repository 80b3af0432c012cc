// Package safarihistory is the ios.safari_history module: Safari's
// History.db (default and per-profile), with redirect chains and the
// network-injection redirect heuristic.
package safarihistory

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are History.db in every Safari profile.
var Paths = InProfiles("History.db")

// safariDirs are where Safari keeps its files: in a backup (any domain:
// HomeDomain before iOS 17, AppDomain-com.apple.mobilesafari after), then
// in a file-system dump (the system's folder, then Safari's container).
var safariDirs = []string{
	"*/Library/Safari/",
	"private/var/mobile/Library/Safari/",
	"private/var/mobile/Containers/Data/Application/*/Library/Safari/",
}

// InProfiles are the paths of Safari's file name in its default profile and
// in each other profile (Profiles/<id>/), wherever Safari keeps its files.
// History.db and BrowserState.db (ios.safari_browser_state) are both kept
// per profile.
func InProfiles(name string) []string {
	var paths []string
	for _, dir := range safariDirs {
		paths = append(paths, dir+name, dir+"Profiles/*/"+name)
	}
	return paths
}

// Def is the ios.safari_history module.
func Def() module.Def {
	return module.IOS("ios.safari_history", "Safari browsing history (History.db, every profile), with redirect chains and sub-second cross-site redirects.").
		EachDB("Safari History.db", Paths, parseDB)
}

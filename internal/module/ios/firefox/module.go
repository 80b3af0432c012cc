// Package firefox holds ios.firefox_history and ios.firefox_favicon, both
// read from Firefox for iOS's browser.db.
package firefox

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"AppDomainGroup-group.org.mozilla.ios.Firefox/profile.profile/browser.db",
	"private/var/mobile/Containers/Shared/AppGroup/*/profile.profile/browser.db",
	"private/var/mobile/profile.profile/browser.db",
}

// Defs are ios.firefox_history and ios.firefox_favicon.
func Defs() []module.Def { return []module.Def{historyDef(), faviconDef()} }

// historyDef is the ios.firefox_history module.
func historyDef() module.Def {
	return module.Def{
		Name:        "ios.firefox_history",
		Description: "Firefox for iOS browsing history (browser.db visits).",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         module.EachDB("Firefox browser.db", Paths, parseHistory),
	}
}

// faviconDef is the ios.firefox_favicon module.
func faviconDef() module.Def {
	return module.Def{
		Name:        "ios.firefox_favicon",
		Description: "Firefox for iOS favicons (browser.db): icon URLs and the pages they were seen on.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         module.EachDB("Firefox browser.db", Paths, parseFavicons),
	}
}

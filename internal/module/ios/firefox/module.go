// Package firefox holds ios.firefox_history and ios.firefox_favicon, both
// read from Firefox for iOS's browser.db.
package firefox

import (
	"github.com/huella-project/huella/internal/module"
)

var Paths = []string{
	"AppDomainGroup-group.org.mozilla.ios.Firefox/profile.profile/browser.db",
	"private/var/mobile/Containers/Shared/AppGroup/*/profile.profile/browser.db",
	"private/var/mobile/profile.profile/browser.db",
}

// Defs are ios.firefox_history and ios.firefox_favicon.
func Defs() []module.Def {
	return []module.Def{
		module.IOS("ios.firefox_history", "Firefox for iOS browsing history (browser.db visits).").
			EachDB("Firefox browser.db", Paths, parseHistory),
		module.IOS("ios.firefox_favicon", "Firefox for iOS favicons (browser.db): icon URLs and the pages they were seen on.").
			EachDB("Firefox browser.db", Paths, parseFavicons),
	}
}

// Package chrome holds ios.chrome_history and ios.chrome_favicon, read from
// Chrome for iOS's History and Favicons SQLite databases.
package chrome

import (
	"github.com/huella-project/huella/internal/module"
)

const profileDir = "Library/Application Support/Google/Chrome/Default/"

var HistoryPaths = []string{
	"AppDomain-com.google.chrome.ios/" + profileDir + "History",
	"private/var/mobile/Containers/Data/Application/*/" + profileDir + "History",
}

var FaviconPaths = []string{
	"AppDomain-com.google.chrome.ios/" + profileDir + "Favicons",
	"private/var/mobile/Containers/Data/Application/*/" + profileDir + "Favicons",
}

// Defs are ios.chrome_history and ios.chrome_favicon.
func Defs() []module.Def {
	return []module.Def{
		module.IOS("ios.chrome_history", "Chrome for iOS browsing history (History: urls and visits).").
			EachDB("Chrome History", HistoryPaths, parseHistory),
		module.IOS("ios.chrome_favicon", "Chrome for iOS favicon cache (Favicons): pages and icon URLs, which outlive cleared history.").
			EachDB("Chrome Favicons", FaviconPaths, parseFavicons),
	}
}

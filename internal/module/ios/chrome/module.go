// Package chrome holds ios.chrome_history and ios.chrome_favicon, read from
// Chrome for iOS's History and Favicons SQLite databases.
package chrome

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
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
func Defs() []module.Def { return []module.Def{historyDef(), faviconDef()} }

// historyDef is the ios.chrome_history module.
func historyDef() module.Def {
	return module.Def{
		Name:        "ios.chrome_history",
		Description: "Chrome for iOS browsing history (History: urls and visits).",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       HistoryPaths,
		Run:         module.EachDB("Chrome History", HistoryPaths, parseHistory),
	}
}

// faviconDef is the ios.chrome_favicon module.
func faviconDef() module.Def {
	return module.Def{
		Name:        "ios.chrome_favicon",
		Description: "Chrome for iOS favicon cache (Favicons): pages and icon URLs, which outlive cleared history.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       FaviconPaths,
		Run:         module.EachDB("Chrome Favicons", FaviconPaths, parseFavicons),
	}
}

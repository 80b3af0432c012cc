// Package chrome holds ios.chrome_history and ios.chrome_favicon, read from
// Chrome for iOS's History and Favicons SQLite databases.
package chrome

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

const profileDir = "Library/Application Support/Google/Chrome/Default/"

var HistoryPatterns = []string{
	"AppDomain-com.google.chrome.ios/" + profileDir + "History",
	"private/var/mobile/Containers/Data/Application/*/" + profileDir + "History",
}

var FaviconPatterns = []string{
	"AppDomain-com.google.chrome.ios/" + profileDir + "Favicons",
	"private/var/mobile/Containers/Data/Application/*/" + profileDir + "Favicons",
}

// Defs are ios.chrome_history and ios.chrome_favicon.
func Defs() []module.Def {
	return []module.Def{
		{
			Name:        "ios.chrome_history",
			Description: "Chrome for iOS browsing history (History: urls and visits).",
			Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
			Paths:       HistoryPatterns,
			Run:         runHistory,
		},
		{
			Name:        "ios.chrome_favicon",
			Description: "Chrome for iOS favicon cache (Favicons): pages and icon URLs, which outlive cleared history.",
			Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
			Paths:       FaviconPatterns,
			Run:         runFavicon,
		},
	}
}

func runHistory(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "Chrome History", HistoryPatterns, parseHistory)
}

func runFavicon(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "Chrome Favicons", FaviconPatterns, parseFavicons)
}

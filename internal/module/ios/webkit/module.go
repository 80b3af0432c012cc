// Package webkit holds two modules over WebKit's Intelligent Tracking
// Prevention data, which lists every site an app's web views loaded,
// including redirect-only hops the user never saw:
// ios.webkit_resource_load_statistics (observations.db) and
// ios.webkit_session_resource_log (full_browsing_session_resourceLog.plist).
package webkit

import (
	"context"
	"strings"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

var StatisticsPatterns = []string{
	"*/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db",
	"private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db",
	"private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/observations.db",
}

var SessionLogPatterns = []string{
	"*/Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist",
	"private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/full_browsing_session_resourceLog.plist",
	"private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist",
	"private/var/mobile/Library/WebClips/*/Storage/full_browsing_session_resourceLog.plist",
}

// Defs are ios.webkit_resource_load_statistics and ios.webkit_session_resource_log.
func Defs() []module.Def {
	return []module.Def{
		{
			Name:        "ios.webkit_resource_load_statistics",
			Description: "Domains WebKit observed per app (ResourceLoadStatistics observations.db), with redirects between them.",
			Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
			Paths:       StatisticsPatterns,
			Run:         runStatistics,
		},
		{
			Name:        "ios.webkit_session_resource_log",
			Description: "Sites loaded in in-app browsers (full_browsing_session_resourceLog.plist), with redirect chains.",
			Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
			Paths:       SessionLogPatterns,
			Run:         runSessionLog,
		},
	}
}

func runStatistics(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "WebKit observations.db", StatisticsPatterns, parseObservations)
}

func runSessionLog(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "WebKit full_browsing_session_resourceLog.plist", SessionLogPatterns, parseSessionLog)
}

// appOf names the app a backup path belongs to ("AppDomain-com.google.chrome.ios/..."
// gives "com.google.chrome.ios"); file-system paths carry only a container UUID.
func appOf(name string) string {
	first, _, _ := strings.Cut(name, "/")
	for _, p := range []string{"AppDomainGroup-", "AppDomainPlugin-", "AppDomain-"} {
		if strings.HasPrefix(first, p) {
			return strings.TrimPrefix(first, p)
		}
	}
	return ""
}

// Package webkit holds two modules over WebKit's Intelligent Tracking
// Prevention data, which lists every site an app's web views loaded,
// including redirect-only hops the user never saw:
// ios.webkit_resource_load_statistics (observations.db) and
// ios.webkit_session_resource_log (full_browsing_session_resourceLog.plist).
package webkit

import (
	"github.com/huella-project/huella/internal/module"
)

var StatisticsPaths = []string{
	"*/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db",
	"private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db",
	"private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/observations.db",
}

var SessionLogPaths = []string{
	"*/Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist",
	"private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/full_browsing_session_resourceLog.plist",
	"private/var/mobile/Containers/Data/Application/*/Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist",
	"private/var/mobile/Library/WebClips/*/Storage/full_browsing_session_resourceLog.plist",
}

// Defs are ios.webkit_resource_load_statistics and ios.webkit_session_resource_log.
func Defs() []module.Def {
	return []module.Def{
		module.IOS("ios.webkit_resource_load_statistics", "Domains WebKit observed per app (ResourceLoadStatistics observations.db), with redirects between them.").
			EachDB("WebKit observations.db", StatisticsPaths, parseObservations),
		module.IOS("ios.webkit_session_resource_log", "Sites loaded in in-app browsers (full_browsing_session_resourceLog.plist), with redirect chains.").
			EachFile("WebKit full_browsing_session_resourceLog.plist", SessionLogPaths, parseSessionLog),
	}
}

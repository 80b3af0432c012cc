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

type Statistics struct{}

func NewStatistics() module.Module { return Statistics{} }

func (Statistics) Name() string { return "ios.webkit_resource_load_statistics" }
func (Statistics) Description() string {
	return "Domains WebKit observed per app (ResourceLoadStatistics observations.db), with redirects between them."
}
func (Statistics) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }
func (Statistics) Run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "WebKit observations.db", StatisticsPatterns, parseObservations)
}

type SessionLog struct{}

func NewSessionLog() module.Module { return SessionLog{} }

func (SessionLog) Name() string { return "ios.webkit_session_resource_log" }
func (SessionLog) Description() string {
	return "Sites loaded in in-app browsers (full_browsing_session_resourceLog.plist), with redirect chains."
}
func (SessionLog) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }
func (SessionLog) Run(ctx context.Context, env *module.Env) error {
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

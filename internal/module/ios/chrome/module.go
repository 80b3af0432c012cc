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

type History struct{}

func NewHistory() module.Module { return History{} }

func (History) Name() string { return "ios.chrome_history" }
func (History) Description() string {
	return "Chrome for iOS browsing history (History: urls and visits)."
}
func (History) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }
func (History) Run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "Chrome History", HistoryPatterns, parseHistory)
}

type Favicon struct{}

func NewFavicon() module.Module { return Favicon{} }

func (Favicon) Name() string { return "ios.chrome_favicon" }
func (Favicon) Description() string {
	return "Chrome for iOS favicon cache (Favicons): pages and icon URLs, which outlive cleared history."
}
func (Favicon) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }
func (Favicon) Run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "Chrome Favicons", FaviconPatterns, parseFavicons)
}

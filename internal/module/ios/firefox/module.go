// Package firefox holds ios.firefox_history and ios.firefox_favicon, both
// read from Firefox for iOS's browser.db.
package firefox

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

var Patterns = []string{
	"AppDomainGroup-group.org.mozilla.ios.Firefox/profile.profile/browser.db",
	"private/var/mobile/Containers/Shared/AppGroup/*/profile.profile/browser.db",
	"private/var/mobile/profile.profile/browser.db",
}

type History struct{}

func NewHistory() module.Module { return History{} }

func (History) Name() string         { return "ios.firefox_history" }
func (History) Description() string  { return "Firefox for iOS browsing history (browser.db visits)." }
func (History) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }
func (History) Run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "Firefox browser.db", Patterns, parseHistory)
}

type Favicon struct{}

func NewFavicon() module.Module { return Favicon{} }

func (Favicon) Name() string { return "ios.firefox_favicon" }
func (Favicon) Description() string {
	return "Firefox for iOS favicons (browser.db): icon URLs and the pages they were seen on."
}
func (Favicon) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }
func (Favicon) Run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "Firefox browser.db", Patterns, parseFavicons)
}

// Package safaristate is the ios.safari_browser_state module: Safari's open
// tabs and each tab's back/forward list, which survive clearing the history.
package safaristate

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

var Patterns = []string{
	"*/Library/Safari/BrowserState.db",
	"*/Library/Safari/Profiles/*/BrowserState.db",
	"private/var/mobile/Library/Safari/BrowserState.db",
	"private/var/mobile/Library/Safari/Profiles/*/BrowserState.db",
	"private/var/mobile/Containers/Data/Application/*/Library/Safari/BrowserState.db",
	"private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/BrowserState.db",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.safari_browser_state" }
func (Module) Description() string {
	return "Safari open tabs and their session history (BrowserState.db, every profile)."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "Safari BrowserState.db", Patterns, parseDB)
}

// Package globalprefs reads the global preferences (.GlobalPreferences.plist),
// chiefly to tell whether Lockdown Mode is on.
package globalprefs

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths are the plist's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/Preferences/.GlobalPreferences.plist",
	"private/var/mobile/Library/Preferences/.GlobalPreferences.plist",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.global_prefs" }
func (Module) Description() string {
	return "Global preferences, reporting whether Lockdown Mode is enabled."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error { return run(ctx, env) }

// Package idstatuscache reads the identity-services lookup cache: every
// iMessage/FaceTime handle the phone asked Apple about, including attacker
// accounts that sent zero-click exploits.
package idstatuscache

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths are the cache's backup location (present up to iOS 14.6) and its
// file-system locations, old and new.
var Paths = []string{
	"HomeDomain/Library/Preferences/com.apple.identityservices.idstatuscache.plist",
	"private/var/mobile/Library/Preferences/com.apple.identityservices.idstatuscache.plist",
	"private/var/mobile/Library/IdentityServices/idstatuscache.plist",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.idstatuscache" }
func (Module) Description() string {
	return "Identity-services lookups of iMessage and FaceTime handles, with their dates."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error { return run(ctx, env) }

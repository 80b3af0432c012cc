// Package idstatuscache reads the identity-services lookup cache: every
// iMessage/FaceTime handle the phone asked Apple about, including attacker
// accounts that sent zero-click exploits.
package idstatuscache

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are the cache's backup location (present up to iOS 14.6) and its
// file-system locations, old and new.
var Paths = append(module.InHome("Library/Preferences/com.apple.identityservices.idstatuscache.plist"),
	"private/var/mobile/Library/IdentityServices/idstatuscache.plist")

// Def is the ios.idstatuscache module.
func Def() module.Def {
	return module.IOS("ios.idstatuscache", "Identity-services lookups of iMessage and FaceTime handles, with their dates.").
		Reads(Paths, run)
}

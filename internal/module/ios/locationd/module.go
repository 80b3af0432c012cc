// Package locationd is the ios.locationd_clients module: every client that
// asked locationd for the phone's position, with its bundle id or
// executable path. Implants that track their target show up here.
package locationd

import (
	"github.com/huella-project/huella/internal/module"
)

var Paths = []string{
	"RootDomain/Library/Caches/locationd/clients.plist",
	"private/var/mobile/Library/Caches/locationd/clients.plist",
	"private/var/root/Library/Caches/locationd/clients.plist",
}

// Def is the ios.locationd_clients module.
func Def() module.Def {
	return module.IOS("ios.locationd_clients", "Location clients registered with locationd (clients.plist): bundle ids, executables and when they last used location.").
		EachFile("locationd clients.plist", Paths, module.Decoded(plistFile, Decode, record))
}

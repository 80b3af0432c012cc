// Package locationd is the ios.locationd_clients module: every client that
// asked locationd for the phone's position, with its bundle id or
// executable path. Implants that track their target show up here.
package locationd

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"RootDomain/Library/Caches/locationd/clients.plist",
	"private/var/mobile/Library/Caches/locationd/clients.plist",
	"private/var/root/Library/Caches/locationd/clients.plist",
}

// Def is the ios.locationd_clients module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.locationd_clients",
		Description: "Location clients registered with locationd (clients.plist): bundle ids, executables and when they last used location.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         module.EachFile("locationd clients.plist", Paths, module.Decoded(plistFile, Decode, record)),
	}
}

// Package keychainanalytics is the ios.keychain_analytics module: the
// security framework's analytics databases (Keychains/Analytics/*.db). Each
// event is a plist naming the process, service or host involved, which can
// name an implant that touched the keychain or the network.
package keychainanalytics

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{"private/var/Keychains/Analytics/*.db"}

// Def is the ios.keychain_analytics module.
func Def() module.Def {
	return module.New("ios.keychain_analytics", "Security analytics databases (Keychains/Analytics/*.db): failure and event records with the processes and hosts they name, and iOS builds seen.", source.IOSFS).
		Reads(Paths, run)
}

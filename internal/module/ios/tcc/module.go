// Package tcc reads privacy permission grants (TCC.db): which app or process
// may use the camera, microphone, contacts, location...
package tcc

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are TCC.db's backup and file-system locations.
var Paths = module.InHome("Library/TCC/TCC.db")

// Def is the ios.tcc module.
func Def() module.Def {
	return module.IOS("ios.tcc", "Privacy permissions (camera, microphone, location...) granted or denied to apps and processes.").
		FirstDB("TCC.db", Paths, module.Records(eachGrant, (*Grant).record))
}

// Package transparency is the ios.transparency_log module: transparency.log
// at a sysdiagnose's top, the state of iMessage Contact Key Verification.
// It lists the devices registered to the phone's Apple account (serial,
// model, iOS version, name): a device the owner does not recognise means
// someone else can read the account's messages.
package transparency

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Paths are where the module looks for its artifact.
var Paths = []string{"transparency.log", "**/transparency.log"}

var limit = evfile.Limit{Kind: "transparency log", Max: 64 << 20}

// maxDevices bounds what a hostile file can make the module emit.
const maxDevices = 10_000

// Def is the ios.transparency_log module.
func Def() module.Def {
	return module.Sysdiagnose("ios.transparency_log", "Devices registered to the phone's Apple account, with model, iOS version and name (transparency.log).").
		Reads(Paths, run)
}

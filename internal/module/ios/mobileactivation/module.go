// Package mobileactivation is the ios.mobile_activation module:
// mobileactivationd.log (logs/MobileActivation in a sysdiagnose). The
// activation daemon notes each of its starts (one per boot), each iOS
// upgrade it migrates data for (from build, to build), and changes of the
// phone's activation state, which an erase or a restore resets: what
// happened to the phone as a device, with dates.
package mobileactivation

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Paths are where the module looks for its artifact.
var Paths = []string{
	"logs/MobileActivation/mobileactivationd.log*",
	"**/MobileActivation/mobileactivationd.log*",
	"private/var/mobile/Library/Logs/mobileactivationd/mobileactivationd.log*",
}

var limit = evfile.Limit{Kind: "activation log", Max: 512 << 20}

// Def is the ios.mobile_activation module.
func Def() module.Def {
	return module.Sysdiagnose("ios.mobile_activation", "Starts of the activation daemon (one per boot), iOS upgrades and activation-state changes (mobileactivationd.log).", source.IOSFS).
		With(Paths, sysdiag.EachLog("mobileactivationd.log", limit, entries))
}

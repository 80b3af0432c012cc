// Package mobileinstall is the ios.mobile_installation module:
// mobile_installation.log (logs/MobileInstallation in a sysdiagnose), the
// log of installd. It records every app installed, updated or removed,
// which process asked for it (the App Store's daemons, or a computer's
// installation service over the cable) and with which install type, so an
// app that did not come from the App Store shows here even after it was
// deleted. installd also notes each reboot it sees.
package mobileinstall

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Paths are where the module looks for its artifact.
var Paths = []string{
	"logs/MobileInstallation/mobile_installation.log*",
	"**/MobileInstallation/mobile_installation.log*",
}

var limit = evfile.Limit{Kind: "installation log", Max: 512 << 20}

// Def is the ios.mobile_installation module.
func Def() module.Def {
	return module.Sysdiagnose("ios.mobile_installation", "Apps installed and removed, with who asked for each install (mobile_installation.log); apps not from the App Store are flagged.", source.IOSFS).
		With(Paths, sysdiag.EachLog("mobile_installation.log", limit, entries))
}

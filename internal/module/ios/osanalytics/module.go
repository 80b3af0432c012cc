// Package osanalytics is the ios.osanalytics_addaily module: the daily
// analytics baseline of network use per process, which keeps process names
// (Pegasus's among them) after the process is gone.
package osanalytics

import (
	"github.com/huella-project/huella/internal/module"
)

var Paths = module.InHome("Library/Preferences/com.apple.osanalytics.addaily.plist")

// Def is the ios.osanalytics_addaily module.
func Def() module.Def {
	return module.IOS("ios.osanalytics_addaily", "Per-process network usage baseline of OS analytics (com.apple.osanalytics.addaily.plist).").
		EachFile("com.apple.osanalytics.addaily.plist", Paths, module.Decoded(plistFile, Decode, record))
}

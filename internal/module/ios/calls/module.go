// Package calls reads the call history (phone, FaceTime and app calls from
// CallHistory.storedata).
package calls

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths are the call history's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/CallHistoryDB/CallHistory.storedata",
	"private/var/mobile/Library/CallHistoryDB/CallHistory.storedata",
}

// Def is the ios.calls module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.calls",
		Description: "Call history: numbers and accounts called or calling, duration and provider.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         module.FirstDB("CallHistory.storedata", Paths, module.Records(eachCall, (*Call).record)),
	}
}

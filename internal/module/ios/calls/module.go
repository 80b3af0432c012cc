// Package calls reads the call history (phone, FaceTime and app calls from
// CallHistory.storedata).
package calls

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are the call history's backup and file-system locations.
var Paths = module.InHome("Library/CallHistoryDB/CallHistory.storedata")

// Def is the ios.calls module.
func Def() module.Def {
	return module.IOS("ios.calls", "Call history: numbers and accounts called or calling, duration and provider.").
		FirstDB("CallHistory.storedata", Paths, module.Records(eachCall, (*Call).record))
}

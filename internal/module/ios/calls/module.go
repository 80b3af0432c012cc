// Package calls reads the call history (phone, FaceTime and app calls from
// CallHistory.storedata).
package calls

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
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
		Run:         run,
	}
}

func run(ctx context.Context, env *module.Env) error {
	db, err := iosdb.Open(env, "CallHistory.storedata", Paths...)
	if err != nil {
		return err
	}
	defer db.Close()
	return eachCall(ctx, db, func(c *Call) error {
		env.Emit(c.record(db.Name))
		return nil
	})
}

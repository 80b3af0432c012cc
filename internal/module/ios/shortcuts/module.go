// Package shortcuts reads Siri Shortcuts (Shortcuts.sqlite) and the links
// their actions open or fetch.
package shortcuts

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

// Paths are the database's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/Shortcuts/Shortcuts.sqlite",
	"private/var/mobile/Library/Shortcuts/Shortcuts.sqlite",
}

// Def is the ios.shortcuts module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.shortcuts",
		Description: "Shortcuts with their actions and the links those actions use.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         run,
	}
}

func run(ctx context.Context, env *module.Env) error {
	db, err := iosdb.Open(env, "Shortcuts.sqlite", Paths...)
	if err != nil {
		return err
	}
	defer db.Close()
	return eachShortcut(ctx, db, func(s *Shortcut, actionErr error) error {
		if actionErr != nil {
			env.Warn("%s: shortcut %d (%s): %v", db.Name, s.ID, s.Name, actionErr)
		}
		env.Emit(s.record(db.Name))
		return nil
	})
}

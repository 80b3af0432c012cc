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

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.shortcuts" }
func (Module) Description() string {
	return "Shortcuts with their actions and the links those actions use."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error {
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

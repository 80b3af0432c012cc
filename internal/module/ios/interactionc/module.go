// Package interactionc reads CoreDuet's interaction log (interactionC.db):
// who messaged or called whom, through which app, and when — including
// parties of deleted conversations.
package interactionc

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

// Paths are interactionC.db's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/CoreDuet/People/interactionC.db",
	"private/var/mobile/Library/CoreDuet/People/interactionC.db",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.interactionc" }
func (Module) Description() string {
	return "CoreDuet interactions: senders and recipients of messages and calls per app, with dates."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error {
	db, err := iosdb.Open(env, "interactionC.db", Paths...)
	if err != nil {
		return err
	}
	defer db.Close()
	return eachInteraction(ctx, db, func(i *Interaction) error {
		env.Emit(i.record(db.Name))
		return nil
	})
}

// Package tcc reads privacy permission grants (TCC.db): which app or process
// may use the camera, microphone, contacts, location...
package tcc

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

// Paths are TCC.db's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/TCC/TCC.db",
	"private/var/mobile/Library/TCC/TCC.db",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.tcc" }
func (Module) Description() string {
	return "Privacy permissions (camera, microphone, location...) granted or denied to apps and processes."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error {
	db, err := iosdb.Open(env, "TCC.db", Paths...)
	if err != nil {
		return err
	}
	defer db.Close()
	return eachGrant(ctx, db, func(g *Grant) error {
		env.Emit(g.record(db.Name))
		return nil
	})
}

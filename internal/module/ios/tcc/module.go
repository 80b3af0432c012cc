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

// Def is the ios.tcc module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.tcc",
		Description: "Privacy permissions (camera, microphone, location...) granted or denied to apps and processes.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         run,
	}
}

func run(ctx context.Context, env *module.Env) error {
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

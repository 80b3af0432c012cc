// Package locationd is the ios.locationd_clients module: every client that
// asked locationd for the phone's position, with its bundle id or
// executable path. Implants that track their target show up here.
package locationd

import (
	"context"
	"fmt"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"RootDomain/Library/Caches/locationd/clients.plist",
	"private/var/mobile/Library/Caches/locationd/clients.plist",
	"private/var/root/Library/Caches/locationd/clients.plist",
}

// Def is the ios.locationd_clients module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.locationd_clients",
		Description: "Location clients registered with locationd (clients.plist): bundle ids, executables and when they last used location.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         run,
	}
}

const maxPlist = 32 << 20

func run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "locationd clients.plist", Paths, parseFile)
}

func parseFile(ctx context.Context, env *module.Env, name string) error {
	b, err := iosdb.ReadFile(env, name, maxPlist)
	if err != nil {
		return err
	}
	clients, err := Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for i := range clients {
		if err := ctx.Err(); err != nil {
			return err
		}
		env.Emit(record(name, &clients[i]))
	}
	return nil
}

// Package locationd is the ios.locationd_clients module: every client that
// asked locationd for the phone's position, with its bundle id or
// executable path. Implants that track their target show up here.
package locationd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"RootDomain/Library/Caches/locationd/clients.plist",
	"private/var/mobile/Library/Caches/locationd/clients.plist",
	"private/var/root/Library/Caches/locationd/clients.plist",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.locationd_clients" }
func (Module) Description() string {
	return "Location clients registered with locationd (clients.plist): bundle ids, executables and when they last used location."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

const maxPlist = 32 << 20

func (Module) Run(ctx context.Context, env *module.Env) error {
	found := env.Find(Paths...)
	if len(found) == 0 {
		return module.Absent("locationd clients.plist")
	}
	var errs []error
	for _, name := range found {
		if err := parseFile(ctx, env, name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func parseFile(ctx context.Context, env *module.Env, name string) error {
	f, err := env.Evidence.FS.Open(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPlist+1))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > maxPlist {
		return fmt.Errorf("%s: larger than %d bytes, refused", name, maxPlist)
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

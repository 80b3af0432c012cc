// Package osanalytics is the ios.osanalytics_addaily module: the daily
// analytics baseline of network use per process, which keeps process names
// (Pegasus's among them) after the process is gone.
package osanalytics

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"HomeDomain/Library/Preferences/com.apple.osanalytics.addaily.plist",
	"private/var/mobile/Library/Preferences/com.apple.osanalytics.addaily.plist",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.osanalytics_addaily" }
func (Module) Description() string {
	return "Per-process network usage baseline of OS analytics (com.apple.osanalytics.addaily.plist)."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

const maxPlist = 32 << 20

func (Module) Run(ctx context.Context, env *module.Env) error {
	found := env.Find(Paths...)
	if len(found) == 0 {
		return module.Absent("com.apple.osanalytics.addaily.plist")
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
	usages, err := Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for i := range usages {
		if err := ctx.Err(); err != nil {
			return err
		}
		env.Emit(record(name, &usages[i]))
	}
	return nil
}

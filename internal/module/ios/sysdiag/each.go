package sysdiag

import (
	"context"
	"fmt"
	"io"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/evfile"
)

// The loop every sysdiagnose module runs over its file and the copies of it
// an archive holds (rotated logs, a re-packed archive): written once here so
// that each module is only its parser. Unlike module.EachFile, a copy that
// cannot be read does not fail the module: it is reported unreadable (a
// part not checked) and the other copies are still read.

// Each reads every file found at paths: none found is ErrAbsent naming
// what; each is opened within lim, handed to read and closed. An error
// from read ends the run and is returned (a cancelled context).
func Each(ctx context.Context, env *module.Env, what string, paths []string, lim evfile.Limit, read func(name string, f io.Reader) error) error {
	found := env.Find(paths...)
	if len(found) == 0 {
		return module.Absent(what)
	}
	return each(ctx, env, found, lim, read)
}

// EachBytes is Each for a file decoded whole: read gets its bytes.
func EachBytes(ctx context.Context, env *module.Env, what string, paths []string, lim evfile.Limit, read func(name string, b []byte) error) error {
	found := env.Find(paths...)
	if len(found) == 0 {
		return module.Absent(what)
	}
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := env.ReadFile(name, lim)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		if err := read(name, b); err != nil {
			return err
		}
	}
	return nil
}

// EachLog is the Runner of a module reading a daemon's log in applelog's
// format (lockdownd.log, mobile_installation.log...; what names it), given
// its paths by module.Def.With: the phone's zone is looked up once
// (unknown: the local times are read as UTC, with a warning), and every
// copy's entries go to the function entries returns for it (per copy, so
// it may keep state across entries). A copy whose reading stopped at a
// limit is StoppedEarly: its entries before the limit were handed on.
func EachLog(what string, lim evfile.Limit, entries func(env *module.Env, name string) func(applelog.Entry)) module.Runner {
	return func(paths []string) func(context.Context, *module.Env) error {
		return func(ctx context.Context, env *module.Env) error {
			found := env.Find(paths...)
			if len(found) == 0 {
				return module.Absent(what)
			}
			loc, known := ZoneOrUTC(env.Evidence)
			if !known {
				env.Warn("the phone's time zone is unknown: %s's local times are read as UTC", what)
			}
			return each(ctx, env, found, lim, func(name string, f io.Reader) error {
				err := applelog.Parse(f, loc, entries(env, name))
				if err != nil && ctx.Err() == nil {
					StoppedEarly(env, name, fmt.Errorf("%s: %w", name, err))
				}
				return nil
			})
		}
	}
}

func each(ctx context.Context, env *module.Env, found []string, lim evfile.Limit, read func(name string, f io.Reader) error) error {
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := env.Open(name, lim)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		err = read(name, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

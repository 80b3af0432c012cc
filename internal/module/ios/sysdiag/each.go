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
	found, err := find(env, what, paths)
	if err != nil {
		return err
	}
	return each(ctx, found, opened(env, lim, read))
}

// EachBytes is Each for a file decoded whole: read gets its bytes.
func EachBytes(ctx context.Context, env *module.Env, what string, paths []string, lim evfile.Limit, read func(name string, b []byte) error) error {
	found, err := find(env, what, paths)
	if err != nil {
		return err
	}
	return each(ctx, found, func(name string) error {
		b, err := env.ReadFile(name, lim)
		if err != nil {
			env.Unreadable(name, err)
			return nil
		}
		return read(name, b)
	})
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
			found, err := find(env, what, paths)
			if err != nil {
				return err
			}
			loc, known := ZoneOrUTC(env.Evidence)
			if !known {
				env.Warn("the phone's time zone is unknown: %s's local times are read as UTC", what)
			}
			return each(ctx, found, opened(env, lim, func(name string, f io.Reader) error {
				err := applelog.Parse(f, loc, entries(env, name))
				if err != nil && ctx.Err() == nil {
					StoppedEarly(env, name, fmt.Errorf("%s: %w", name, err))
				}
				return nil
			}))
		}
	}
}

// find is the files at paths; none is ErrAbsent naming what.
func find(env *module.Env, what string, paths []string) ([]string, error) {
	found := env.Find(paths...)
	if len(found) == 0 {
		return nil, module.Absent(what)
	}
	return found, nil
}

// each hands every file found to one, until one returns an error or the
// context ends.
func each(ctx context.Context, found []string, one func(name string) error) error {
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := one(name); err != nil {
			return err
		}
	}
	return nil
}

// opened is the one of a file read as a stream: it is opened within lim
// (one that cannot be opened is reported unreadable, and the others are
// still read), handed to read and closed.
func opened(env *module.Env, lim evfile.Limit, read func(name string, f io.Reader) error) func(name string) error {
	return func(name string) error {
		f, err := env.Open(name, lim)
		if err != nil {
			env.Unreadable(name, err)
			return nil
		}
		defer f.Close()
		return read(name, f)
	}
}

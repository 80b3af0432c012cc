package module

import (
	"context"
	"errors"
	"fmt"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/sqlitex"
)

// The Runs most modules need, so that a module is a Def and a parser: what
// is common (finding the artifact, saying it is absent, opening and closing
// a database, going on past one bad copy) is written once, here.

// The reader methods complete a Def started by New (or IOS, Sysdiagnose,
// Android, Network): each sets Paths and the Run that reads them from the
// one paths argument, so a module declares where it looks once and 'huella
// modules --paths' lists exactly the paths its Run is given.

// FirstDB completes d as a module whose artifact is one database, the first
// of paths present (see FirstDB).
func (d Def) FirstDB(what string, paths []string, read func(context.Context, *Env, *sqlitex.DB) error) Def {
	d.Paths, d.Run = paths, FirstDB(what, paths, read)
	return d
}

// EachDB completes d as a module reading every database matching paths (see
// EachDB).
func (d Def) EachDB(what string, paths []string, read func(context.Context, *Env, *sqlitex.DB) error) Def {
	d.Paths, d.Run = paths, EachDB(what, paths, read)
	return d
}

// EachFile completes d as a module reading every file matching paths, parse
// reading one (see EachFile).
func (d Def) EachFile(what string, paths []string, parse func(ctx context.Context, env *Env, name string) error) Def {
	d.Paths, d.Run = paths, EachFile(what, paths, parse)
	return d
}

// A Runner makes a module's Run from the paths the module declares. It is
// how a family of modules shares a runner kept beside them (the sysdiagnose
// logs' sysdiag.EachLog, the network files' netfile.Each): the family's
// package binds what the runner needs but the paths, and With gives it
// those.
type Runner func(paths []string) func(context.Context, *Env) error

// With completes d with the Run r makes of paths.
func (d Def) With(paths []string, r Runner) Def {
	d.Paths, d.Run = paths, r(paths)
	return d
}

// Reads completes d with a Run of its own, for a module whose reading fits
// none of the runners above. run must look at paths and nowhere else for
// the artifact (it reads the same package variable, as a rule):
// TestDeclaredPathsAreWhereModulesLook holds every module to it.
func (d Def) Reads(paths []string, run func(context.Context, *Env) error) Def {
	d.Paths, d.Run = paths, run
	return d
}

// FirstDB is the Run of a module whose artifact is one database: the first
// of paths present (Env.OpenFirstDB) is opened and handed to read; none
// present is ErrAbsent naming what.
func FirstDB(what string, paths []string, read func(context.Context, *Env, *sqlitex.DB) error) func(context.Context, *Env) error {
	return func(ctx context.Context, env *Env) error {
		db, err := env.OpenFirstDB(what, paths...)
		if err != nil {
			return err
		}
		defer db.Close()
		return read(ctx, env, db)
	}
}

// EachFile is the Run of a module that reads every file matching patterns
// (every browser profile, an app installed twice): parse reads one. One bad
// copy must not hide the others, so errors are joined rather than returned
// at the first; none found is ErrAbsent naming what.
func EachFile(what string, patterns []string, parse func(ctx context.Context, env *Env, name string) error) func(context.Context, *Env) error {
	return func(ctx context.Context, env *Env) error {
		found := env.Find(patterns...)
		if len(found) == 0 {
			return Absent(what)
		}
		var errs []error
		for _, name := range found {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := parse(ctx, env, name); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}

// EachDB is EachFile for databases: each one found is opened (Env.OpenDB)
// and handed to read.
func EachDB(what string, patterns []string, read func(context.Context, *Env, *sqlitex.DB) error) func(context.Context, *Env) error {
	return EachFile(what, patterns, func(ctx context.Context, env *Env, name string) error {
		db, err := env.OpenDB(name)
		if err != nil {
			return err
		}
		defer db.Close()
		return read(ctx, env, db)
	})
}

// Records is the read of a database whose rows each make one record: each
// streams the rows as values, record turns one into its record (src is the
// database's name), and every record is emitted.
func Records[T any](each func(context.Context, *sqlitex.DB, func(T) error) error, record func(v T, src string) *model.Record) func(context.Context, *Env, *sqlitex.DB) error {
	return func(ctx context.Context, env *Env, db *sqlitex.DB) error {
		return each(ctx, db, func(v T) error {
			env.Emit(record(v, db.Name))
			return nil
		})
	}
}

// Decoded is the parse of a file that decodes whole into values that each
// make one record (a plist of clients, a log of sites): the file is read
// within lim, decoded (an error names the file), and every value's record
// emitted, src being the file's name.
func Decoded[T any](lim evfile.Limit, decode func([]byte) ([]T, error), record func(src string, v *T) *model.Record) func(context.Context, *Env, string) error {
	return func(ctx context.Context, env *Env, name string) error {
		b, err := env.ReadFile(name, lim)
		if err != nil {
			return err
		}
		vs, err := decode(b)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for i := range vs {
			if err := ctx.Err(); err != nil {
				return err
			}
			env.Emit(record(name, &vs[i]))
		}
		return nil
	}
}

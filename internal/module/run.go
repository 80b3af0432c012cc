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

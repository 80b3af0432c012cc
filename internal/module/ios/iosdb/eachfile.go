package iosdb

import (
	"context"
	"errors"

	"github.com/huella-project/huella/internal/module"
)

// EachFile runs parse on every file matching patterns. One bad copy (an app
// installed twice, a corrupt database) must not hide the others, so errors
// are joined rather than returned at the first; none found is ErrAbsent
// naming what.
func EachFile(ctx context.Context, env *module.Env, what string, patterns []string, parse func(context.Context, *module.Env, string) error) error {
	found := env.Find(patterns...)
	if len(found) == 0 {
		return module.Absent(what)
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

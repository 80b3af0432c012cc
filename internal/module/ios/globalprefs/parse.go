package globalprefs

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
)

// Entry is one top-level preference.
type Entry struct {
	Entry string `json:"entry"`
	Value any    `json:"value"`
}

const lockdownKey = "LDMGlobalEnabled"

func run(ctx context.Context, env *module.Env) error {
	name, err := env.First(".GlobalPreferences.plist", Paths...)
	if err != nil {
		return err
	}
	d, err := env.ReadPlistDict(name)
	if err != nil {
		return err
	}
	keys := slices.Sorted(maps.Keys(d))
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := &model.Record{Source: name, Data: &Entry{Entry: k, Value: d[k]},
			Summary: fmt.Sprintf("Global preference %s = %s", k, short(d[k]))}
		env.Emit(r)
		if k == lockdownKey {
			on, ok := d[k].(bool)
			if !ok {
				env.Warn("%s: %s is %T, not a boolean", name, k, d[k])
				continue
			}
			det := ios.LockdownMode(on)
			env.Report(&det, r)
		}
	}
	return nil
}

func short(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

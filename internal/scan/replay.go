package scan

import (
	"context"
	"fmt"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
)

// Replay is a module that re-emits the records an earlier check saved in
// file as the module name. check-iocs runs these through the same pipeline
// as check, so re-matching saved results gives exactly the detections a
// fresh check would give with the same indicators.
func Replay(name, desc, file string, kind source.Kind) module.Def {
	return module.Def{Name: name, Description: desc, Kinds: []source.Kind{kind},
		Run: func(ctx context.Context, env *module.Env) error { return replay(ctx, env, file) }}
}

func replay(ctx context.Context, env *module.Env, file string) error {
	n := 0
	_, err := results.ReadModuleRecords(file, func(rec model.Record) error {
		n++
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rr := rec
		env.Emit(&rr)
		return nil
	})
	if err != nil {
		return fmt.Errorf("saved records: %w", err)
	}
	return nil
}

// CarryOver keeps the findings of an earlier run that do not depend on
// indicators (heuristics); indicator matches are recomputed and correlations
// re-run over the rebuilt timeline.
func CarryOver(ds []model.Detection) []model.Detection {
	var out []model.Detection
	for _, d := range ds {
		if d.Kind == model.ByHeuristic {
			out = append(out, d)
		}
	}
	return out
}

// DetectionKey identifies a finding across runs, to tell what is new.
func DetectionKey(d model.Detection) string {
	k := d.Module + "\x00" + string(d.Kind) + "\x00" + d.Rule
	if d.Indicator != nil {
		k += "\x00" + d.Indicator.Type + "\x00" + d.Indicator.Value
	}
	if d.Observable != nil {
		k += "\x00" + d.Observable.Value
	}
	if d.Record != nil {
		k += "\x00" + d.Record.Summary
	}
	if d.Time != nil {
		k += "\x00" + d.Time.UTC().String()
	}
	return k
}

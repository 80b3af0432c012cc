// Package detect runs correlation rules over the whole timeline, after the
// modules: findings no single record shows, such as several kinds of quiet
// system events packed into five minutes (Kaspersky's triangle_check), or a
// lure message whose link is opened and followed by a new process or a crash.
//
// Rules see typed timeline events (module, event description, source path,
// hosts, process names), never artifact code, so they run for every evidence
// type and new rules need no parser change.
package detect

import (
	"context"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/timeline"
)

// Rule consumes events in time order and reports what it found at the end.
// A rule must keep bounded state (a window), not the whole timeline.
type Rule interface {
	Observe(e *model.Event)
	Findings() []model.Detection
}

// Rules returns fresh instances of every rule.
func Rules() []Rule {
	return []Rule{newTriangle(), newLinkChain(10 * time.Minute)}
}

// Run streams the timeline once through every rule. Its signature is
// scan.Correlator.
func Run(ctx context.Context, tl *timeline.Collector, _ *source.Evidence) ([]model.Detection, error) {
	rules := Rules()
	n := 0
	err := tl.Each(func(e *model.Event) error {
		n++
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		for _, r := range rules {
			r.Observe(e)
		}
		return nil
	})
	var out []model.Detection
	for _, r := range rules {
		out = append(out, r.Findings()...)
	}
	return out, err
}

// compact keeps what a finding needs of an event (no hosts or process lists).
func compact(e *model.Event) model.Event {
	return model.Event{Time: e.Time, Module: e.Module, Desc: e.Desc, Summary: e.Summary, Source: e.Source}
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/opener"
)

// A check of several paths reads the evidences of one phone together: a
// backup or an acquisition and captures or logs of its traffic. Each phone
// evidence is opened by itself; the captures and logs are opened together
// as one network evidence (one traffic, several recorders). Their modules
// run in one pipeline: one timeline, one list of findings, one outcome. A
// path that cannot be opened is a part not checked, unless none opens.

// opened is the result of opening a check's paths.
type opened struct {
	evs      []*source.Evidence
	unopened []results.EvidenceInfo // paths that could not be opened, each with its gap
}

func (o *opened) close() {
	for _, ev := range o.evs {
		ev.Close()
	}
}

// openInputs opens the paths of a check. One path keeps the single-path
// behaviour exactly (its error ends the check).
func (a *app) openInputs(ctx context.Context, paths []string, tmp string, f *checkFlags) (*opened, error) {
	if len(paths) == 1 {
		ev, err := a.openEvidence(ctx, paths[0], tmp, f)
		if err != nil {
			if ev != nil {
				ev.Close()
			}
			return nil, err
		}
		return &opened{evs: []*source.Evidence{ev}}, nil
	}
	o := &opened{}
	var network []string
	for _, p := range paths {
		if opener.IsNetwork(p, opener.Options{Type: source.Kind(f.typ)}) {
			network = append(network, p)
			continue
		}
		ev, err := a.openEvidence(ctx, p, tmp, f)
		if ctx.Err() != nil {
			if ev != nil {
				ev.Close()
			}
			o.close()
			return nil, ctx.Err()
		}
		if err != nil {
			o.unopened = append(o.unopened, unopenedInfo(p, err))
			continue
		}
		o.evs = append(o.evs, ev)
	}
	if len(network) > 0 {
		ev, err := a.openNetwork(ctx, network, tmp, f)
		switch {
		case ctx.Err() != nil:
			if ev != nil {
				ev.Close()
			}
			o.close()
			return nil, ctx.Err()
		case err != nil:
			o.unopened = append(o.unopened, unopenedInfo(strings.Join(network, ", "), err))
		default:
			o.evs = append(o.evs, ev)
		}
	}
	if len(o.evs) == 0 {
		var msgs []string
		for _, u := range o.unopened {
			msgs = append(msgs, u.Gaps[0].Detail)
		}
		return nil, fmt.Errorf("none of the %d paths could be opened:\n  %s", len(paths), strings.Join(msgs, "\n  "))
	}
	return o, nil
}

// openNetwork opens the network paths of a check as one evidence, under
// --open-timeout like any other.
func (a *app) openNetwork(ctx context.Context, paths []string, tmp string, f *checkFlags) (*source.Evidence, error) {
	budget, err := parseTempBudget(f.tempBudget)
	if err != nil {
		return nil, err
	}
	octx := ctx
	if f.openTimeout > 0 {
		var cancel context.CancelFunc
		octx, cancel = context.WithTimeoutCause(ctx, f.openTimeout, fmt.Errorf("it ran past --open-timeout %s", f.openTimeout))
		defer cancel()
	}
	ev, err := a.deps.openNetwork(octx, paths, opener.Options{Type: source.Kind(f.typ), TempRoot: tmp, TempBudget: budget})
	return ev, openError(strings.Join(paths, ", "), err)
}

// unopenedInfo is a path that could not be opened, as a part not checked.
func unopenedInfo(p string, err error) results.EvidenceInfo {
	cause := coverage.Unreadable
	switch {
	case errors.Is(err, opener.ErrUnknown):
		cause = coverage.NothingFound
	case errors.Is(err, source.ErrPasswordNeeded):
		cause = coverage.Encrypted
	case errors.Is(err, source.ErrWrongPassword):
		cause = coverage.WrongPassword
	}
	if _, refused := source.RefusalGap(err); refused {
		cause = coverage.Refused
	}
	return results.EvidenceInfo{Kind: results.KindUnopened, Path: p,
		Gaps: []coverage.Gap{{Part: p, Cause: cause, Detail: err.Error()}}}
}

// selectParts chooses the modules of every evidence. A --modules pattern
// must match a module of at least one of them; no module may read two of
// them (module names name the results files, and two backups of one phone
// are two checks).
func selectParts(modules []module.Def, evs []*source.Evidence, patterns []string) ([]scan.Part, error) {
	if len(evs) == 1 {
		run, skipped, err := selectModules(modules, evs[0].Kind, patterns)
		if err != nil {
			return nil, err
		}
		return []scan.Part{{Evidence: evs[0], Modules: run, Skipped: skipped}}, nil
	}
	var parts []scan.Part
	owner := map[string]string{}
	matched := map[string]bool{}
	for _, ev := range evs {
		var run, skipped []module.Def
		for _, m := range modules {
			if !m.Applies(ev.Kind) {
				continue
			}
			if other, dup := owner[m.Name]; dup {
				return nil, fmt.Errorf("%s and %s are both read by %s: give one evidence of each type per check (check them apart)", other, ev.Path, m.Name)
			}
			owner[m.Name] = ev.Path
			if chosen(m.Name, patterns, matched) {
				run = append(run, m)
			} else {
				skipped = append(skipped, m)
			}
		}
		parts = append(parts, scan.Part{Evidence: ev, Modules: run, Skipped: skipped})
	}
	for _, p := range patterns {
		if !matched[p] {
			return nil, fmt.Errorf("--modules %q matches no module that reads these evidences (see 'huella modules')", p)
		}
	}
	return parts, nil
}

// evidenceInfos lists every evidence of a check of several, the paths that
// did not open included; nil for a check of one path (info.json keeps its
// single-path form).
func evidenceInfos(o *opened, parts []scan.Part) []results.EvidenceInfo {
	if len(o.evs)+len(o.unopened) < 2 {
		return nil
	}
	var out []results.EvidenceInfo
	for _, p := range parts {
		ev := p.Evidence
		ei := results.EvidenceInfo{Kind: ev.Kind, Path: ev.Path, Device: ev.Device, Notes: ev.NoteList(), Gaps: ev.GapList(), InputsList: ev.InputsList}
		for _, m := range append(append([]module.Def(nil), p.Modules...), p.Skipped...) {
			ei.Modules = append(ei.Modules, m.Name)
		}
		out = append(out, ei)
	}
	return append(out, o.unopened...)
}

package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/detect"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/outcome"
	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
)

const custodyHelp = "when the phone was out of its owner's hands, FROM/TO in ISO 8601 with the zone " +
	"(2026-11-20T14:00:00-06:00/2026-11-20T18:00:00-06:00, or FROM/PT4H): the report opens with every event in it, and a computer trusted, adb, " +
	"a new app, profile or certificate in it is a finding"

// withCustody adds the custody rule of w (when given) to the correlation
// rules; the rule is returned so its summary can go into info.json.
func withCustody(base scan.Correlator, w custody.Window) (scan.Correlator, *detect.Custody) {
	if w.IsZero() {
		return base, nil
	}
	r := detect.NewCustody(w)
	return func() []detect.Rule {
		var rs []detect.Rule
		if base != nil {
			rs = base()
		}
		return append(rs, r)
	}, r
}

// isCustodyFinding tells the findings of the custody rules, which a new
// window replaces.
func isCustodyFinding(d model.Detection) bool {
	return strings.HasPrefix(d.Rule, "correlation.custody.")
}

// recustody applies a new custody window to a saved results folder: the
// custody findings and info.json's custody summary are computed again from
// timeline.jsonl (by the same rule a check runs), the verdict decided
// again, and detections.json and info.json rewritten in place.
func recustody(dir string, w custody.Window, info *results.Info, dets *results.Detections) error {
	rule := detect.NewCustody(w)
	skipped, err := results.ReadTimeline(filepath.Join(dir, "timeline.jsonl"), func(e model.Event) error {
		rule.Observe(&e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("the custody window needs the check's timeline: %w", err)
	}
	if skipped > 0 {
		return fmt.Errorf("timeline.jsonl: %d lines could not be read, so the custody window would be incomplete", skipped)
	}
	kept := slices.DeleteFunc(slices.Clone(dets.Detections), isCustodyFinding)
	dets.Detections = append(kept, rule.Findings()...)
	results.SortDetections(dets.Detections)
	s := rule.Summary()
	info.Custody = &s
	info.Summary = outcome.Summarize(info, dets.Detections, info.Summary.Events)
	if err := results.WriteJSON(filepath.Join(dir, "detections.json"), dets); err != nil {
		return err
	}
	return results.WriteJSON(filepath.Join(dir, "info.json"), info)
}

// printCustody is the console's line about the window, in cat's language.
func printCustody(w io.Writer, s *custody.Summary, cat *report.Catalogue) {
	if s == nil {
		return
	}
	covers, not := s.Covering()
	fmt.Fprintln(w, cat.T("console.custody", "window", esc(s.Window.Text()), "n", s.Events, "hands", s.HandsOn(),
		"covers", len(covers), "not", len(not)))
}

// addCustody puts the window's summary into info and decides the outcome
// again: a window no source covers is a part not checked.
func addCustody(info *results.Info, rule *detect.Custody, res *scan.Result) {
	if rule == nil || res.Interrupted {
		return
	}
	s := rule.Summary()
	info.Custody = &s
	info.Summary = outcome.Summarize(info, res.Detections, res.Events)
}

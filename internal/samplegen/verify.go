package samplegen

import (
	"slices"
	"strconv"
	"strings"

	"github.com/huella-project/huella/internal/model"
)

// Missing returns the expected detections that dets lacks. A detection
// stands for an expected one when module and rule agree and it carries the
// value: as its observable, its indicator, a related event's process or
// host, or quoted in its reason.
func (e *Expected) Missing(dets []model.Detection) []ExpectedDetection {
	var out []ExpectedDetection
	for _, want := range e.Detections {
		if !slices.ContainsFunc(dets, func(d model.Detection) bool { return satisfies(d, want) }) {
			out = append(out, want)
		}
	}
	return out
}

func satisfies(d model.Detection, w ExpectedDetection) bool {
	if d.Module != w.Module || d.Rule != w.Rule {
		return false
	}
	if d.Observable != nil && d.Observable.Value == w.Value || d.Indicator != nil && d.Indicator.Value == w.Value {
		return true
	}
	for _, ev := range d.Related {
		if slices.Contains(ev.Processes, w.Value) || slices.Contains(ev.Hosts, w.Value) {
			return true
		}
	}
	for _, v := range d.Params {
		if v == w.Value {
			return true
		}
	}
	return strings.Contains(d.Reason, strconv.Quote(w.Value))
}

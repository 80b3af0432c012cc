package scan

import (
	"fmt"

	"github.com/huella-project/huella/internal/model"
)

// MatchRecord checks every observable of a record against the indicators.
// It is the one place where indicator matches become findings, for check and
// check-iocs alike, so both give the same detections.
func MatchRecord(m Matcher, r *model.Record) []model.Detection {
	var out []model.Detection
	var seen map[string]bool
	for i := range r.Observables {
		o := r.Observables[i]
		refs := m.Match(o)
		for j := range refs {
			ref := refs[j]
			key := ref.ID + "\x00" + ref.Type + "\x00" + ref.Value + "\x00" + o.Value
			if seen == nil {
				seen = map[string]bool{}
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			obs := o
			rec := *r
			out = append(out, model.Detection{
				Module:     r.Module,
				Kind:       model.ByIndicator,
				Rule:       "ioc",
				Severity:   IndicatorSeverity(o.Kind),
				Reason:     IndicatorReason(o, ref),
				Time:       r.FirstTime(),
				Observable: &obs,
				Indicator:  &ref,
				Record:     &rec,
			})
		}
	}
	return out
}

// IndicatorSeverity: a process, file, app, profile or hash match is a trace
// on the device itself (critical); a link or contact is a trace of an attempt
// that may not have succeeded (high).
func IndicatorSeverity(k model.Kind) model.Severity {
	switch k {
	case model.KindURL, model.KindDomain, model.KindIP, model.KindEmail:
		return model.High
	default:
		return model.Critical
	}
}

var kindWords = map[model.Kind]string{
	model.KindURL: "link", model.KindDomain: "domain", model.KindIP: "IP address", model.KindEmail: "address",
	model.KindProcess: "process name", model.KindFilePath: "file path", model.KindAppID: "app",
	model.KindCertSHA1: "signing certificate", model.KindCertSHA256: "signing certificate", model.KindCertMD5: "signing certificate",
	model.KindSHA256: "file hash", model.KindSHA1: "file hash", model.KindMD5: "file hash",
	model.KindProfileID: "configuration profile", model.KindAndroidProperty: "system property",
}

// IndicatorReason says in plain words what matched what.
func IndicatorReason(o model.Observable, ref model.IndicatorRef) string {
	w := kindWords[o.Kind]
	if w == "" {
		w = string(o.Kind)
	}
	return fmt.Sprintf("The %s %q matches a published indicator of %s (%s %q, from %s).",
		w, o.Value, ref.Campaign, ref.Type, ref.Value, ref.File)
}

package scan

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/heuristics/messages"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

// ruleIndicator is the one rule every indicator match is a finding of; the
// observable and the indicators are its parameters, the circumstances its
// context (see registry.yaml).
var ruleIndicator = rules.IndicatorFeedMatch

// MatchRecord checks every observable of a record against the indicators.
// It is the one place where indicator matches become findings, for check and
// check-iocs alike, so both give the same detections.
//
// A record gives one finding per matched value, however many feeds publish
// it (Predator's domains are in three of them): the finding lists every
// indicator, feed and campaign. A value seen under two kinds in one record
// (a process named by its path, matched by file:path and process:name) is
// one finding too, of the kind that weighs most.
func MatchRecord(m Matcher, r *model.Record) []model.Detection {
	var out []model.Detection
	var at map[string]int // matched value -> index in out
	for i := range r.Observables {
		o := r.Observables[i]
		refs := m.Match(o)
		if len(refs) == 0 {
			continue
		}
		if coveredBy(out, refs, o.Value) {
			// The same indicators already matched this value in another
			// spelling (a client path and the same path without its UUID
			// suffix): one finding is enough. A different value matching
			// the same indicator is a finding of its own (a second link to
			// the same domain must be seen).
			continue
		}
		kind, ctx, folder := indicatorContext(r, o)
		if j, ok := at[o.Value]; ok {
			d := &out[j]
			all := mergeRefs(d.Indicators, refs)
			f := ruleIndicator.New(indicatorParams(o.Value, kind, folder, all), ctx...)
			if f.Dropped() {
				continue
			}
			if f.Severity > d.Severity {
				obs := o
				nd := f.Detection(d.Record)
				nd.Module, nd.Time, nd.Observable = d.Module, d.Time, &obs
				*d = nd
			} else {
				f = ruleIndicator.New(indicatorParams(d.Observable.Value, d.Params["kind"], d.Params["folder"], all), d.Context...)
				keep := *d
				*d = f.Detection(keep.Record)
				d.Module, d.Time, d.Observable = keep.Module, keep.Time, keep.Observable
			}
			d.Indicators = all
			d.Indicator = &d.Indicators[0]
			continue
		}
		all := mergeRefs(nil, refs)
		f := ruleIndicator.New(indicatorParams(o.Value, kind, folder, all), ctx...)
		if f.Dropped() {
			continue
		}
		obs := o
		rec := *r
		d := f.Detection(&rec)
		d.Module, d.Kind, d.Time, d.Observable = r.Module, model.ByIndicator, r.FirstTime(), &obs
		d.Indicators = all
		d.Indicator = &d.Indicators[0]
		if at == nil {
			at = map[string]int{}
		}
		at[o.Value] = len(out)
		out = append(out, d)
	}
	return out
}

// coveredBy says whether a finding for the same value, up to the UUID
// suffix iOS 26 adds to some paths, already lists every one of refs.
func coveredBy(out []model.Detection, refs []model.IndicatorRef, value string) bool {
	same := ios.StripUUIDSuffix(value)
	for i := range out {
		if out[i].Observable == nil || ios.StripUUIDSuffix(out[i].Observable.Value) != same {
			continue
		}
		all := true
		for _, r := range refs {
			if !slices.Contains(out[i].Indicators, r) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// indicatorContext says what kind of value matched and in which
// circumstances (the contexts of indicator.feed.match): a link, domain, IP
// or address is a trace of an attempt (network), unless an app on the phone
// contacted it by itself (app_contact); a process name that is
// only the name of a file or folder of the record (the file tree of a
// dump) weighs by where that file lies.
func indicatorContext(r *model.Record, o model.Observable) (kind string, ctx []string, folder string) {
	kind = string(o.Kind)
	switch o.Kind {
	case model.KindJA3:
		// A TLS client fingerprint names a TLS library, which many apps
		// share: a lead, never more.
		return kind, []string{"network", "fingerprint"}, ""
	case model.KindURL, model.KindDomain, model.KindIP, model.KindEmail, model.KindTLSCertSHA1, model.KindTLSCertSHA256:
		if o.Field == model.FieldContactedByApp {
			// An app on the phone connected to it by itself.
			return kind, []string{"network", "app_contact"}, ""
		}
		return kind, []string{"network"}, ""
	case model.KindProcess:
		if strings.Contains(o.Value, "/") {
			return kind, nil, ""
		}
		for _, fo := range r.Observables {
			if fo.Kind == model.KindFilePath && hasComponent(fo.Value, o.Value) {
				place := ios.ProcessNamePlace(fo.Value)
				if place == ios.PlaceStaging {
					folder = ios.StagingDir(fo.Value)
					if folder == "" {
						folder = path.Dir(fo.Value) + "/"
					}
				}
				return "process_file", []string{place}, folder
			}
		}
	}
	return kind, nil, ""
}

// hasComponent says whether name is one of p's '/'-separated components.
func hasComponent(p, name string) bool {
	for part := range strings.SplitSeq(p, "/") {
		if part == name {
			return true
		}
	}
	return false
}

// mergeRefs adds refs to have, without repeating an indicator, in a stable
// order (campaign, feed, indicator id) so the first is the same whatever
// order the feeds were loaded in.
func mergeRefs(have, refs []model.IndicatorRef) []model.IndicatorRef {
	out := slices.Clone(have)
	for _, r := range refs {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b model.IndicatorRef) int {
		return cmp.Or(cmp.Compare(a.Campaign, b.Campaign), cmp.Compare(a.File, b.File), cmp.Compare(a.ID, b.ID),
			cmp.Compare(a.Type, b.Type), cmp.Compare(a.Value, b.Value))
	})
	return out
}

func indicatorParams(value, kind, folder string, refs []model.IndicatorRef) rules.Params {
	var campaigns, feeds []string
	for _, r := range refs {
		if c := cmp.Or(r.Campaign, r.File); !slices.Contains(campaigns, c) {
			campaigns = append(campaigns, c)
		}
		if !slices.Contains(feeds, r.File) {
			feeds = append(feeds, r.File)
		}
	}
	p := rules.Params{"value": value, "kind": kind, "indicator": refs[0].Value, "type": refs[0].Type,
		"campaigns": strings.Join(campaigns, ", "), "feeds": strings.Join(feeds, ", ")}
	if folder != "" {
		p["folder"] = folder
	}
	return p
}

// agreeLures makes a lure message's finding agree with its links: a
// message judged "lure with a link that shows no warning sign" whose record
// also matched an indicator on a link, domain or address becomes a lure
// with a suspicious link. Modules score messages before the matcher runs,
// so this is done once both are known, for check and check-iocs alike.
func agreeLures(dets []model.Detection) {
	matched := map[string]string{} // module + record summary -> matched value
	for i := range dets {
		d := &dets[i]
		if d.Kind != model.ByIndicator || d.Record == nil || d.Observable == nil || !slices.Contains(d.Context, "network") {
			continue
		}
		k := d.Module + "\x00" + d.Record.Summary
		if _, ok := matched[k]; !ok {
			matched[k] = d.Observable.Value
		}
	}
	if len(matched) == 0 {
		return
	}
	for i := range dets {
		d := &dets[i]
		if d.Rule != messages.RuleLurePlain || d.Record == nil {
			continue
		}
		if v, ok := matched[d.Module+"\x00"+d.Record.Summary]; ok {
			*d = messages.LureLinkMatched(*d, v)
		}
	}
}

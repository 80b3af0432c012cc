package scan

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
)

// suffixMatcher gives one indicator for every value under evil.example, as
// a domain indicator matches every sub-domain and link of its domain.
type suffixMatcher struct{ ref model.IndicatorRef }

func (m suffixMatcher) Match(o model.Observable) []model.IndicatorRef {
	if strings.Contains(o.Value, "evil.example") {
		return []model.IndicatorRef{m.ref}
	}
	return nil
}

// TestMatchRecordSecondValueOwnFinding: the same value seen twice in a
// record is one finding, but a second, different value matching the same
// indicator is a finding of its own (the analyst must see both links).
func TestMatchRecordSecondValueOwnFinding(t *testing.T) {
	m := suffixMatcher{model.IndicatorRef{Type: "domain-name:value", Value: "evil.example", Campaign: "Test", File: "t.stix2", ID: "indicator--1"}}
	obs := func(kind model.Kind, value, field string) model.Observable {
		return model.Observable{Kind: kind, Value: value, Field: field}
	}
	const uuid = "123e4567-e89b-12d3-a456-426614174000"
	cases := []struct {
		name string
		obs  []model.Observable
		want []string // matched values, one per finding
	}{
		{"one value", []model.Observable{obs(model.KindURL, "https://a.evil.example/x", "text")},
			[]string{"https://a.evil.example/x"}},
		{"the same value in two fields", []model.Observable{
			obs(model.KindURL, "https://a.evil.example/x", "text"), obs(model.KindURL, "https://a.evil.example/x", "subject")},
			[]string{"https://a.evil.example/x"}},
		{"two values, one indicator", []model.Observable{
			obs(model.KindURL, "https://a.evil.example/x", "text"), obs(model.KindURL, "https://b.evil.example/y", "text")},
			[]string{"https://a.evil.example/x", "https://b.evil.example/y"}},
		{"a value that matches nothing", []model.Observable{
			obs(model.KindURL, "https://a.evil.example/x", "text"), obs(model.KindURL, "https://good.example/", "text")},
			[]string{"https://a.evil.example/x"}},
		// iOS 26 adds a UUID to some client paths: the raw and the cleaned
		// path are one value written two ways, so one finding.
		{"a path and its UUID-suffixed spelling", []model.Observable{
			obs(model.KindFilePath, "/private/var/tmp/evil.example", "client"), obs(model.KindFilePath, "/private/var/tmp/evil.example/"+uuid, "client_raw")},
			[]string{"/private/var/tmp/evil.example"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &model.Record{Module: "ios.sms", Observables: c.obs}
			var got []string
			for _, d := range MatchRecord(m, r) {
				if d.Observable == nil || d.Indicator == nil || d.Indicator.ID != "indicator--1" {
					t.Fatalf("finding without its observable or indicator: %+v", d)
				}
				got = append(got, d.Observable.Value)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("findings for %q, want %q", got, c.want)
			}
		})
	}
}

// TestIndicatorSeverityByKind: a match on the device itself (process, file,
// app, profile, hash, certificate, property) is critical; a link, domain,
// address or e-mail is the trace of an attempt, high.
func TestIndicatorSeverityByKind(t *testing.T) {
	m := suffixMatcher{model.IndicatorRef{Type: "x", Value: "evil.example", Campaign: "Test", File: "t.stix2", ID: "indicator--1"}}
	high := []model.Kind{model.KindURL, model.KindDomain, model.KindIP, model.KindEmail}
	critical := []model.Kind{model.KindProcess, model.KindAppID, model.KindCertSHA1, model.KindCertSHA256,
		model.KindCertMD5, model.KindSHA256, model.KindSHA1, model.KindMD5, model.KindProfileID, model.KindAndroidProperty}
	for _, c := range []struct {
		kinds []model.Kind
		want  model.Severity
	}{{high, model.High}, {critical, model.Critical}} {
		for _, k := range c.kinds {
			r := &model.Record{Module: "m", Observables: []model.Observable{{Kind: k, Value: "evil.example"}}}
			ds := MatchRecord(m, r)
			if len(ds) != 1 || ds[0].Severity != c.want {
				t.Errorf("%s: %+v, want one %s finding", k, ds, c.want)
			}
		}
	}
}

// TestMatchRecordCarriesTheRecord: a finding is dated at the record's
// earliest stamp and carries the record.
func TestMatchRecordCarriesTheRecord(t *testing.T) {
	m := suffixMatcher{model.IndicatorRef{Type: "process:name", Value: "evil.example", Campaign: "Pegasus", File: "p.stix2", ID: "indicator--2"}}
	r := &model.Record{Module: "ios.datausage", Summary: "bh", Observables: []model.Observable{{Kind: model.KindProcess, Value: "evil.example", Field: "process"}}}
	late, early := time.Date(2021, 7, 1, 10, 0, 0, 0, time.UTC), time.Date(2021, 6, 30, 9, 0, 0, 0, time.UTC)
	r.Stamp(late, "last_seen")
	r.Stamp(early, "first_seen")
	ds := MatchRecord(m, r)
	if len(ds) != 1 {
		t.Fatalf("%d findings", len(ds))
	}
	d := ds[0]
	if d.Time == nil || !d.Time.Equal(early) {
		t.Errorf("time %v, want the record's first stamp %v", d.Time, early)
	}
	if d.Severity != model.Critical || d.Kind != model.ByIndicator || d.Module != "ios.datausage" {
		t.Errorf("finding %+v", d)
	}
	if d.Record == nil || d.Record.Summary != "bh" || !strings.Contains(d.Reason, "Pegasus") {
		t.Errorf("record or reason missing: %+v", d)
	}
}

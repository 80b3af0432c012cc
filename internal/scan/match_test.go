package scan

import (
	"slices"
	"strings"
	"testing"

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

// TestMatchRecordOneFindingPerValue: the same value seen twice in a record is
// one finding, but a second, different value matching the same indicator is
// a finding of its own (the analyst must see both links).
func TestMatchRecordOneFindingPerValue(t *testing.T) {
	m := suffixMatcher{model.IndicatorRef{Type: "domain-name:value", Value: "evil.example", Campaign: "Test", File: "t.stix2", ID: "indicator--1"}}
	obs := func(kind model.Kind, value, field string) model.Observable {
		return model.Observable{Kind: kind, Value: value, Field: field}
	}
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

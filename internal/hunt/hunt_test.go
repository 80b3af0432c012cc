package hunt

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/casestore"
	"github.com/huella-project/huella/internal/casestore/casestoretest"
	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/testutil"
)

var ctx = context.Background()

func feed(t *testing.T, dir, name, campaign string, patterns ...string) *indicators.Set {
	t.Helper()
	s, err := indicators.Load(testutil.WriteSTIX(t, dir, name, campaign, patterns))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// merged loads several feed files into one set, as --iocs does.
func merged(t *testing.T, paths ...string) *indicators.Set {
	t.Helper()
	s, err := indicators.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func summary(r *Result) string {
	var out []string
	for _, c := range r.Cases {
		var vals []string
		for _, d := range c.New {
			vals = append(vals, d.Observable.Value)
		}
		sort.Strings(vals)
		out = append(out, fmt.Sprintf("%s:%s:%d:%s", c.Case.Name, c.Status, c.Checked, strings.Join(vals, ",")))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

var (
	planted = []model.Observable{
		{Kind: model.KindURL, Value: "https://cdn7.c2.evil.example/p/x?utm=1", Field: "url"},
		{Kind: model.KindProcess, Value: "roleaccountd", Field: "process"},
		{Kind: model.KindURL, Value: "https://www.popular.example/", Field: "url"},
	}
	clean = []model.Observable{
		{Kind: model.KindURL, Value: "https://www.popular.example/", Field: "url"},
		{Kind: model.KindURL, Value: "https://notevil.example/", Field: "url"},
		{Kind: model.KindProcess, Value: "mobilesafari", Field: "process"},
	}
)

// TestHuntFindsOnlyTheNewTrace: after a feed is added, a hunt finds the old
// case's planted trace and nothing else; hunting again finds nothing new;
// a case added later is checked against everything once.
func TestHuntFindsOnlyTheNewTrace(t *testing.T) {
	casestoretest.ForEach(t, func(t *testing.T, dsn string, st *casestore.Store) {
		for name, obs := range map[string][]model.Observable{"victim": planted, "clean1": clean, "clean2": clean} {
			if _, err := st.AddRun(ctx, casestoretest.Run(name, obs...)); err != nil {
				t.Fatal(err)
			}
		}
		dir := t.TempDir()
		old := testutil.WriteSTIX(t, dir, "old.stix2", "OldSpy", []string{"[domain-name:value = 'old-spy.example']", "[process:name = 'oldproc']"})
		r1, err := Run(ctx, st, Options{Set: merged(t, old)})
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(r1); got != "clean1:hunted:2: clean2:hunted:2: victim:hunted:2:" || r1.NewIndicators != 2 || r1.Found() {
			t.Fatalf("first hunt: %s (new indicators %d)", got, r1.NewIndicators)
		}
		newer := testutil.WriteSTIX(t, dir, "new.stix2", "NewSpy", []string{"[domain-name:value = 'evil.example']", "[process:name = 'roleaccountd']",
			"[domain-name:value = 'absent.example']"})
		r2, err := Run(ctx, st, Options{Set: merged(t, old, newer)})
		if err != nil {
			t.Fatal(err)
		}
		want := "clean1:hunted:3: clean2:hunted:3: victim:hunted:3:https://cdn7.c2.evil.example/p/x?utm=1,roleaccountd"
		if got := summary(r2); got != want || r2.NewIndicators != 3 || !r2.Found() {
			t.Fatalf("hunt after the new feed:\n got %s\nwant %s (new indicators %d)", got, want, r2.NewIndicators)
		}
		for _, c := range r2.Cases {
			for _, d := range c.New {
				if d.Indicator.Campaign != "NewSpy" || d.Kind != model.ByIndicator || d.Module == "" || d.Time == nil {
					t.Errorf("finding %+v", d)
				}
			}
		}
		r3, err := Run(ctx, st, Options{Set: merged(t, old, newer)})
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(r3); got != "clean1:up to date:0: clean2:up to date:0: victim:up to date:0:" || r3.Found() {
			t.Errorf("hunting again: %s", got)
		}
		all, err := Run(ctx, st, Options{Set: merged(t, old, newer), All: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(all); got != "clean1:hunted:5: clean2:hunted:5: victim:hunted:5:" {
			t.Errorf("--all re-checks everything and finds nothing the cases do not already have: %s", got)
		}
		// A case added now has never been hunted: every indicator is new to it.
		if _, err := st.AddRun(ctx, casestoretest.Run("late", planted...)); err != nil {
			t.Fatal(err)
		}
		r4, err := Run(ctx, st, Options{Set: merged(t, old, newer)})
		if err != nil {
			t.Fatal(err)
		}
		want = "clean1:up to date:0: clean2:up to date:0: late:hunted:5:https://cdn7.c2.evil.example/p/x?utm=1,roleaccountd victim:up to date:0:"
		if got := summary(r4); got != want {
			t.Errorf("after adding a case:\n got %s\nwant %s", got, want)
		}
		// The store remembers: the victim's findings, and its hunts.
		d, err := st.Detail(ctx, "victim")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Findings) != 2 || d.Findings[0].Hunt != r2.Hunt || len(d.Hunts) != 5 || d.Hunts[1].NewFindings != 2 || d.HuntedThrough != r4.Hunt {
			t.Errorf("stored: findings %+v hunts %+v through %d", d.Findings, d.Hunts, d.HuntedThrough)
		}
	})
}

// TestHuntOnlyNamedCases: --case limits the hunt; the other cases stay
// behind and catch up at their next hunt.
func TestHuntOnlyNamedCases(t *testing.T) {
	casestoretest.ForEach(t, func(t *testing.T, dsn string, st *casestore.Store) {
		for _, n := range []string{"a", "b"} {
			if _, err := st.AddRun(ctx, casestoretest.Run(n, planted...)); err != nil {
				t.Fatal(err)
			}
		}
		set := feed(t, t.TempDir(), "f.stix2", "NewSpy", "[process:name = 'roleaccountd']")
		r1, err := Run(ctx, st, Options{Set: set, Cases: []string{"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(r1); got != "a:hunted:1:roleaccountd" {
			t.Errorf("--case a: %s", got)
		}
		r2, err := Run(ctx, st, Options{Set: set})
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(r2); got != "a:up to date:0: b:hunted:1:roleaccountd" {
			t.Errorf("then all: %s", got)
		}
		if _, err := Run(ctx, st, Options{Set: set, Cases: []string{"nobody"}}); err == nil {
			t.Error("an unknown case name was accepted")
		}
	})
}

// TestHuntHMACCases: values stored as HMACs are hunted with the same key,
// parent domains included; without the key the case is reported, not
// silently passed over.
func TestHuntHMACCases(t *testing.T) {
	key, err := casestore.NewHMACKey([]byte("shared helpline key 0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	casestoretest.ForEach(t, func(t *testing.T, dsn string, st *casestore.Store) {
		in := casestoretest.Run("hmac-victim", append(planted, model.Observable{Kind: model.KindIP, Value: "203.0.113.9", Field: "ip"})...)
		in.HMAC = key
		if _, err := st.AddRun(ctx, in); err != nil {
			t.Fatal(err)
		}
		set := feed(t, t.TempDir(), "f.stix2", "NewSpy", "[domain-name:value = 'evil.example']", "[process:name = 'roleaccountd']",
			"[ipv4-addr:value = '203.0.113.0/24']", "[ipv4-addr:value = '203.0.113.9']")
		r, err := Run(ctx, st, Options{Set: set})
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(r); got != "hmac-victim:needs key:0:" || !r.Incomplete() || r.Found() {
			t.Fatalf("without the key: %s", got)
		}
		r, err = Run(ctx, st, Options{Set: set, Keys: map[string]*casestore.HMACKey{key.ID: key}})
		if err != nil {
			t.Fatal(err)
		}
		// The values themselves are not stored: a finding shows what matched.
		// The address, found by its exact key, also falls in the CIDR
		// indicator: one finding lists both.
		if got := summary(r); got != "hmac-victim:partly:4:203.0.113.9,evil.example,roleaccountd" || !r.Found() || !r.Incomplete() {
			t.Errorf("with the key: %s", got)
		}
		d, err := st.Detail(ctx, "hmac-victim")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range d.Findings {
			if !casestore.IsHMACValue(f.Detection.Observable.Value) || strings.Contains(f.Detection.Reason, "cdn7") {
				t.Errorf("stored finding shows a value: %+v", f.Detection)
			}
		}
	})
}

// TestHuntLongIndicator: an indicator longer than an index entry may be is
// registered and hunted like any other.
func TestHuntLongIndicator(t *testing.T) {
	long := "https://evil.example/" + strings.Repeat("x", 5000)
	casestoretest.ForEach(t, func(t *testing.T, dsn string, st *casestore.Store) {
		if _, err := st.AddRun(ctx, casestoretest.Run("v", model.Observable{Kind: model.KindURL, Value: long + "?utm=1", Field: "url"})); err != nil {
			t.Fatal(err)
		}
		r, err := Run(ctx, st, Options{Set: feed(t, t.TempDir(), "f.stix2", "S", "[url:value = '"+long+"']")})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Found() || len(r.Cases[0].New) != 1 {
			t.Errorf("long indicator: %s", summary(r))
		}
	})
}

// TestHuntRebuildsWholeRecords: the matcher weighs a process name by the
// file path of the same record (a name that is only a file in a staging
// folder); a hunt must hand it the whole record, not only the observable
// the index found, to give the finding a check gives.
func TestHuntRebuildsWholeRecords(t *testing.T) {
	rec := model.Record{Module: "ios.fs", Source: "fs", Summary: "file",
		Times: []model.Stamp{{Time: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), Desc: "modified"}},
		Observables: []model.Observable{
			{Kind: model.KindFilePath, Value: "/private/var/tmp/roleaccountd", Field: "path"},
			{Kind: model.KindProcess, Value: "roleaccountd", Field: "name"},
		}}
	set := feed(t, t.TempDir(), "f.stix2", "NewSpy", "[process:name = 'roleaccountd']")
	want := scan.MatchRecord(set, &rec)
	if len(want) != 1 {
		t.Fatalf("the matcher gives %d findings", len(want))
	}
	casestoretest.ForEach(t, func(t *testing.T, dsn string, st *casestore.Store) {
		in := casestoretest.Run("fs")
		in.Records = func(yield func(int, *model.Record) error) error { r := rec; return yield(0, &r) }
		if _, err := st.AddRun(ctx, in); err != nil {
			t.Fatal(err)
		}
		r, err := Run(ctx, st, Options{Set: set})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Cases) != 1 || len(r.Cases[0].New) != 1 {
			t.Fatalf("hunt: %s", summary(r))
		}
		got := r.Cases[0].New[0]
		if got.Severity != want[0].Severity || got.Reason != want[0].Reason || fmt.Sprint(got.Context) != fmt.Sprint(want[0].Context) ||
			fmt.Sprint(got.Params) != fmt.Sprint(want[0].Params) || len(got.Record.Observables) != 2 {
			t.Errorf("hunt finding differs from the matcher's:\n got %s %v %v %q\nwant %s %v %v %q", got.Severity, got.Context, got.Params, got.Reason,
				want[0].Severity, want[0].Context, want[0].Params, want[0].Reason)
		}
	})
}

// TestHuntKeepsWhoConnected: a domain an app contacted by itself (the App
// Privacy Report) is critical in a hunt as in a check; the same domain
// loaded by a web page stays high.
func TestHuntKeepsWhoConnected(t *testing.T) {
	casestoretest.ForEach(t, func(t *testing.T, dsn string, st *casestore.Store) {
		for name, field := range map[string]string{"app": model.FieldContactedByApp, "site": "domain"} {
			if _, err := st.AddRun(ctx, casestoretest.Run(name, model.Observable{Kind: model.KindDomain, Value: "c2.evil.example", Field: field})); err != nil {
				t.Fatal(err)
			}
		}
		dir := t.TempDir()
		r, err := Run(ctx, st, Options{Set: merged(t, testutil.WriteSTIX(t, dir, "n.stix2", "NewSpy", []string{"[domain-name:value = 'evil.example']"}))})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]model.Severity{}
		for _, c := range r.Cases {
			for _, d := range c.New {
				got[c.Case.Name] = d.Severity
			}
		}
		if got["app"] != model.Critical || got["site"] != model.High {
			t.Errorf("severities %v, want app critical and site high", got)
		}
	})
}

package idstatuscache

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func cache() map[string]any {
	return map[string]any{
		"com.apple.madrid": map[string]any{
			"mailto:bad@attacker.example": map[string]any{"LookupDate": 620000000.5, "IDStatus": 1},
			"tel:+15550001111":            map[string]any{"LookupDate": time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), "IDStatus": 2},
			"mailto:x\x00\x00@y":          map[string]any{"LookupDate": 620000100.0, "IDStatus": 1},
		},
		"com.apple.private.alloy.facetime.multi": map[string]any{
			"mailto:bad@attacker.example": map[string]any{"LookupDate": 620000200.0, "IDStatus": 1},
		},
		"junk": "not a dict",
	}
}

func TestRun(t *testing.T) {
	for _, tt := range []struct {
		kind source.Kind
		path string
	}{{source.IOSBackup, Paths[0]}, {source.IOSFS, Paths[2]}} {
		t.Run(string(tt.kind), func(t *testing.T) {
			dir := t.TempDir()
			moduletest.Plist(t, dir, tt.path, cache())
			sink, err := moduletest.Run(t, Def(), moduletest.Evidence(t, tt.kind, dir))
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.Records) != 4 || len(sink.Warnings) != 1 {
				t.Fatalf("%d records, warnings %v", len(sink.Records), sink.Warnings)
			}
			first := sink.Records[0].Data.(*Lookup)
			if first.Handle != "mailto:bad@attacker.example" || first.Occurrences != 2 || first.IDStatus != 1 {
				t.Errorf("first %+v", first)
			}
			if !moduletest.Has(sink.Records[0], model.KindEmail, "bad@attacker.example") {
				t.Errorf("observables %+v", sink.Records[0].Observables)
			}
			if got := sink.Records[0].Times[0].Time; !got.Equal(time.Date(2020, 8, 24, 22, 13, 20, 5e8, time.UTC)) {
				t.Errorf("lookup date %v", got)
			}
			if got := sink.Records[2].Times[0].Time; !got.Equal(time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("plist date %v", got)
			}
			if rules := sink.Rules(); !slices.Equal(rules, []string{"ios.idstatus.nul_handle"}) {
				t.Errorf("rules %v", rules)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
	dir := t.TempDir()
	moduletest.Plist(t, dir, Paths[0], []any{"top level array"})
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); err == nil || errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(1.5, int64(1), "mailto:a@b")
	f.Fuzz(func(t *testing.T, date float64, status int64, handle string) {
		d := map[string]any{"svc": map[string]any{handle: map[string]any{"LookupDate": date, "IDStatus": status}}}
		got := Parse(d, func(string) {})
		if len(got) != 1 || got[0].Handle != handle {
			t.Fatalf("got %+v", got)
		}
		_ = got[0].record("x")
	})
}

// TestImpossibleLookupDateKeptRaw: a lookup date that is no plausible date,
// as a Cocoa number or as a plist date, is kept as stored on the record.
func TestImpossibleLookupDateKeptRaw(t *testing.T) {
	for _, tt := range []struct {
		name string
		date any
		raw  string
	}{
		{"cocoa seconds", 9.5e9, "9.5e+09"},
		{"negative integer", int64(-2_000_000_000), "-2000000000"},
		{"plist date in 2999", time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			moduletest.Plist(t, dir, Paths[0], map[string]any{"com.apple.madrid": map[string]any{
				"tel:+15550001111": map[string]any{"LookupDate": tt.date, "IDStatus": 1}}})
			sink := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSBackup, dir))
			if len(sink.Records) != 1 {
				t.Fatalf("%d records", len(sink.Records))
			}
			r := sink.Records[0]
			if len(r.RawTimes) != 1 || r.RawTimes[0].Desc != "idstatus_lookup" || r.RawTimes[0].Raw == "" ||
				(tt.raw != "" && r.RawTimes[0].Raw != tt.raw) {
				t.Fatalf("raw times %+v", r.RawTimes)
			}
			moduletest.KeepsRaw(t, r, map[string]string{"idstatus_lookup": r.RawTimes[0].Raw})
			if l := r.Data.(*Lookup); !l.LookupDate.IsZero() {
				t.Errorf("lookup date %v", l.LookupDate)
			}
		})
	}
}

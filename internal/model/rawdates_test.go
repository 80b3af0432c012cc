package model

import (
	"testing"

	"github.com/huella-project/huella/internal/timestamp"
)

// TestRawDates: an item's impossible dates reach its record, each kept with
// its value; AddOnce keeps a value repeated across entries once; both are
// bounded like StampChecked.
func TestRawDates(t *testing.T) {
	bad := func(raw string) error { return &timestamp.RangeError{Raw: raw, Scale: "Cocoa seconds"} }
	var d RawDates
	d.Add("start", nil)
	d.Add("start", bad("9.5e+09"))
	d.Add("end", bad("-1e+10"))
	d.AddOnce("seen", bad("1e+20"))
	d.AddOnce("seen", bad("1e+20"))
	d.AddOnce("seen", nil)
	d.AddOnce("seen", bad("2e+20"))
	r := &Record{}
	r.KeepRaw(d)
	want := []RawTime{{"start", "9.5e+09", ""}, {"end", "-1e+10", ""}, {"seen", "1e+20", ""}, {"seen", "2e+20", ""}}
	if len(r.RawTimes) != len(want) {
		t.Fatalf("raw times %+v", r.RawTimes)
	}
	for i, w := range want {
		if g := r.RawTimes[i]; g.Desc != w.Desc || g.Raw != w.Raw || g.Why == "" {
			t.Errorf("raw time %d: %+v, want %+v", i, g, w)
		}
	}
	for i := range 40 {
		d.Add("x", bad("1"))
		d.AddOnce("y", bad(string(rune('a'+i))))
	}
	r = &Record{}
	r.KeepRaw(d)
	r.KeepRaw(d)
	if len(d) != maxRawTimes || len(r.RawTimes) != maxRawTimes {
		t.Errorf("%d collected, %d on the record; want %d", len(d), len(r.RawTimes), maxRawTimes)
	}
}

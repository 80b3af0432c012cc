package model

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

func TestStampKeepsImpossibleDatesRaw(t *testing.T) {
	ok := time.Date(2023, 5, 1, 10, 0, 0, 0, time.FixedZone("x", 3600))
	_, rangeErr := timestamp.Apple(9.5e9)
	var r Record
	r.Stamp(ok, "placed")
	r.Stamp(time.Time{}, "unset")                                      // nothing
	r.Stamp(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), "year 9999")  // parsed from text
	r.Stamp(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), "year 1900")  // before the range
	r.StampChecked(time.Time{}, rangeErr, "converted")                 // a RangeError keeps the stored value
	r.StampChecked(time.Time{}, errors.New("bad column"), "other err") // any error is kept too
	r.StampChecked(ok, nil, "checked")

	if len(r.Times) != 2 || r.Times[0].Desc != "placed" || r.Times[1].Desc != "checked" || r.Times[0].Time.Location() != time.UTC {
		t.Fatalf("times %+v", r.Times)
	}
	want := []RawTime{
		{Desc: "year 9999", Raw: "9999-01-01T00:00:00Z"},
		{Desc: "year 1900", Raw: "1900-01-01T00:00:00Z"},
		{Desc: "converted", Raw: "9.5e+09"},
		{Desc: "other err", Raw: ""},
	}
	if len(r.RawTimes) != len(want) {
		t.Fatalf("raw times %+v", r.RawTimes)
	}
	for i, w := range want {
		if g := r.RawTimes[i]; g.Desc != w.Desc || g.Raw != w.Raw || g.Why == "" {
			t.Errorf("raw time %d = %+v, want %+v", i, g, w)
		}
	}
	if evs := r.Events(); len(evs) != 2 {
		t.Errorf("events %+v", evs)
	}
	if ft := r.FirstTime(); ft == nil || !ft.Equal(ok) {
		t.Errorf("first time %v", ft)
	}
	// The record still encodes: a year-9999 time in Times would, but one
	// far beyond would make encoding/json fail the whole module file.
	b, err := json.Marshal(&r)
	if err != nil || !strings.Contains(string(b), `"raw_times":[{"desc":"year 9999","raw":"9999-01-01T00:00:00Z"`) {
		t.Fatalf("%s %v", b, err)
	}
}

func TestRawTimesBounded(t *testing.T) {
	var r Record
	for range 1000 {
		r.Stamp(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), "x")
	}
	if len(r.RawTimes) != maxRawTimes {
		t.Fatalf("%d raw times", len(r.RawTimes))
	}
}

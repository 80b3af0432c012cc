package plistx

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
	"time"

	"howett.net/plist"
)

// TestDatesOutsideTheRangeKeepTheirValue: a plist date the decoder would
// wrap (or that JSON cannot even hold) comes back as the Cocoa seconds it
// stored, and a normal date as a UTC time.
func TestDatesOutsideTheRangeKeepTheirValue(t *testing.T) {
	marker := time.Date(2001, 1, 1, 0, 0, 12345, 500_000_000, time.UTC) // 12345.5 Cocoa seconds
	bin := marshal(t, map[string]any{"d": marker}, plist.BinaryFormat)
	// Replace the stored float of the marker date with a crafted one.
	patch := func(f float64) []byte {
		var old, repl [8]byte
		binary.BigEndian.PutUint64(old[:], math.Float64bits(12345.5))
		binary.BigEndian.PutUint64(repl[:], math.Float64bits(f))
		if bytes.Count(bin, old[:]) != 1 {
			t.Fatal("marker date not found once in the binary plist")
		}
		return bytes.Replace(bin, old[:], repl[:], 1)
	}
	cases := []struct {
		name string
		data []byte
		want any
	}{
		{"binary, in range", bin, marker},
		{"binary, year 2302 (9.5e9 s)", patch(9.5e9), 9.5e9},
		{"binary, year 1900", patch(-3_187_296_000), -3_187_296_000.0},
		{"xml, year 2500", marshal(t, map[string]any{"d": time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC)}, plist.XMLFormat),
			float64(time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - 978_307_200)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := DecodeDict(c.data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got := m["d"]
			if w, ok := c.want.(time.Time); ok {
				if g, ok := got.(time.Time); !ok || !g.Equal(w) || g.Location() != time.UTC {
					t.Fatalf("got %#v, want %v", got, w)
				}
				return
			}
			if got != c.want {
				t.Fatalf("got %#v (%T), want %v", got, got, c.want)
			}
		})
	}
	// Huge and non-finite stored values never come back as a time.
	for _, f := range []float64{1e300, math.Inf(1), math.NaN()} {
		m, err := DecodeDict(patch(f), Limits{})
		if err != nil {
			continue // rejected is fine too
		}
		if _, isTime := m["d"].(time.Time); isTime {
			t.Errorf("%v decoded as a time: %v", f, m["d"])
		}
	}
}

func TestArchivedDateOutsideTheRange(t *testing.T) {
	for _, c := range []struct {
		ns   float64
		want any
	}{
		{0.5, time.Date(2001, 1, 1, 0, 0, 0, 500_000_000, time.UTC)},
		{9.5e9, 9.5e9},
		{math.Inf(-1), math.Inf(-1)},
	} {
		data := archive(t, map[string]any{"$class": plist.UID(2), "NS.time": c.ns}, class("NSDate"))
		got, err := Unarchive(data)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := c.want.(time.Time); ok {
			if g, ok := got.(time.Time); !ok || !g.Equal(w) {
				t.Errorf("NS.time %v: %#v", c.ns, got)
			}
		} else if got != c.want {
			t.Errorf("NS.time %v: %#v, want %v", c.ns, got, c.want)
		}
	}
}

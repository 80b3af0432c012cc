package timestamp

import (
	"errors"
	"math"
	"strconv"
	"testing"
	"time"
)

func date(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

// TestConversions pins each scale to a known date and checks the values a
// crafted database can hold: zero, the range's edges, the largest numbers,
// and the value that once overflowed time.Duration (9.5e9 Cocoa seconds
// came back as 1717).
func TestConversions(t *testing.T) {
	none := time.Time{}
	cases := []struct {
		name string
		conv func() (time.Time, error)
		want time.Time
		bad  bool // out of range: zero time and a *RangeError
	}{
		{"apple zero is unset", func() (time.Time, error) { return Apple(0) }, none, false},
		{"apple seconds", func() (time.Time, error) { return Apple(700_000_000) }, date(2023, 3, 8, 20, 26, 40, 0), false},
		{"apple seconds with fraction", func() (time.Time, error) { return Apple(700_000_000.25) }, date(2023, 3, 8, 20, 26, 40, 250_000_000), false},
		{"apple nanoseconds", func() (time.Time, error) { return Apple(700_000_000_123_456_768) }, date(2023, 3, 8, 20, 26, 40, 123_456_768), false},
		{"apple negative seconds (1990)", func() (time.Time, error) { return Apple(-347_155_200) }, date(1990, 1, 1, 0, 0, 0, 0), false},
		{"apple 9.5e9 overflowed Duration", func() (time.Time, error) { return Apple(9.5e9) }, none, true},
		{"apple 1e10 seconds", func() (time.Time, error) { return Apple(1e10) }, none, true},
		{"apple last second of 2099", func() (time.Time, error) { return Apple(3_124_137_599) }, date(2099, 12, 31, 23, 59, 59, 0), false},
		{"apple 2100 itself", func() (time.Time, error) { return Apple(3_124_137_600) }, none, true},
		{"apple before 1970", func() (time.Time, error) { return Apple(-978_307_201) }, none, true},
		{"apple 1970 itself", func() (time.Time, error) { return Apple(-978_307_200) }, date(1970, 1, 1, 0, 0, 0, 0), false},
		{"apple huge", func() (time.Time, error) { return Apple(1e300) }, none, true},
		{"apple NaN", func() (time.Time, error) { return Apple(math.NaN()) }, none, true},
		{"apple -Inf", func() (time.Time, error) { return Apple(math.Inf(-1)) }, none, true},
		{"apple max int64 as nanoseconds", func() (time.Time, error) { return FromInt(math.MaxInt64, CocoaEpoch, Nanoseconds) }, date(2293, 4, 11, 23, 47, 16, 854_775_807), true},
		{"unix seconds", func() (time.Time, error) { return Unix(1_700_000_000) }, date(2023, 11, 14, 22, 13, 20, 0), false},
		{"unix milliseconds", func() (time.Time, error) { return Unix(1_700_000_000_123) }, date(2023, 11, 14, 22, 13, 20, 123_000_000), false},
		{"unix microseconds", func() (time.Time, error) { return Unix(1_700_000_000_123_456) }, date(2023, 11, 14, 22, 13, 20, 123_456_000), false},
		{"unix nanoseconds", func() (time.Time, error) { return UnixInt(1_700_000_000_123_456_789) }, date(2023, 11, 14, 22, 13, 20, 123_456_789), false},
		{"unix negative", func() (time.Time, error) { return Unix(-1) }, none, true},
		{"unix year 3554 in seconds", func() (time.Time, error) { return UnixSeconds(49_999_999_999) }, none, true},
		{"unix min int64", func() (time.Time, error) { return UnixInt(math.MinInt64) }, none, true},
		{"unix max int64", func() (time.Time, error) { return UnixInt(math.MaxInt64) }, none, true},
		{"unix millis max int64", func() (time.Time, error) { return UnixMillis(math.MaxInt64) }, none, true},
		{"unix micros (firefox)", func() (time.Time, error) { return UnixMicros(1_600_000_000_000_001) }, date(2020, 9, 13, 12, 26, 40, 1000), false},
		{"unix seconds max int64", func() (time.Time, error) { return UnixSeconds(math.MaxInt64) }, none, true},
		{"unix seconds min int64", func() (time.Time, error) { return UnixSeconds(math.MinInt64) }, none, true},
		{"webkit", func() (time.Time, error) { return WebKit(13_350_000_000_000_000) }, date(2024, 1, 17, 21, 20, 0, 0), false},
		{"webkit zero is unset", func() (time.Time, error) { return WebKit(0) }, none, false},
		{"webkit 1601 itself", func() (time.Time, error) { return WebKit(1) }, none, true},
		{"webkit negative", func() (time.Time, error) { return WebKit(-5) }, none, true},
		{"webkit max int64", func() (time.Time, error) { return WebKit(math.MaxInt64) }, none, true},
		{"webkit min int64", func() (time.Time, error) { return WebKit(math.MinInt64) }, none, true},
		// Floor division: -1 ms is 1969, not 1970 (truncation would say 0 s).
		{"unix millis -1 is before 1970", func() (time.Time, error) { return UnixMillis(-1) }, none, true},
		{"cocoa negative fraction", func() (time.Time, error) { return FromInt(-1500, CocoaEpoch, Milliseconds) }, date(2000, 12, 31, 23, 59, 58, 500_000_000), false},
		{"apple float just past 1e11 is nanoseconds", func() (time.Time, error) { return Apple(5e11) }, date(2001, 1, 1, 0, 8, 20, 0), false},
		{"apple float seconds with fraction past 2100", func() (time.Time, error) { return Apple(3_124_137_600.5) }, none, true},
		{"filetime ticks", func() (time.Time, error) { return FromInt(133_500_000_000_000_000, WebKitEpoch, Ticks100ns) }, date(2024, 1, 17, 21, 20, 0, 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.conv()
			if c.bad {
				var re *RangeError
				if !errors.As(err, &re) || re.Raw == "" || !got.IsZero() {
					t.Fatalf("got %v, %v; want the zero time and a RangeError keeping the raw value", got, err)
				}
				return
			}
			if err != nil || !got.Equal(c.want) || (!got.IsZero() && got.Location() != time.UTC) {
				t.Fatalf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestRangeErrorKeepsRaw(t *testing.T) {
	_, err := Apple(9.5e9)
	var re *RangeError
	if !errors.As(err, &re) || re.Raw != "9.5e+09" || re.Scale != "Cocoa seconds" {
		t.Fatalf("%#v", err)
	}
	if _, err := WebKit(-5); err == nil || err.(*RangeError).Raw != "-5" {
		t.Fatalf("%v", err)
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		t  time.Time
		ok bool
	}{
		{time.Time{}, true},
		{date(2024, 1, 1, 0, 0, 0, 0), true},
		{date(9999, 12, 31, 0, 0, 0, 0), false},
		{date(1969, 12, 31, 23, 59, 59, 999_999_999), false},
		{Latest, false},
		{Earliest, true},
	} {
		if err := Check(c.t); (err == nil) != c.ok {
			t.Errorf("Check(%v) = %v", c.t, err)
		}
	}
}

var epochs = []Epoch{UnixEpoch, CocoaEpoch, WebKitEpoch}
var units = []Unit{Seconds, Milliseconds, Microseconds, Ticks100ns, Nanoseconds}

// FuzzFromInt: every int64 in every scale gives either a time in range that
// converts back to exactly the stored value, or the zero time and a
// RangeError keeping the value; zero is "unset".
func FuzzFromInt(f *testing.F) {
	for _, v := range []int64{0, 1, -1, 700_000_000, 9_500_000_000, math.MaxInt64, math.MinInt64, 13_350_000_000_000_000} {
		f.Add(v, uint8(0), uint8(0))
		f.Add(v, uint8(1), uint8(4))
		f.Add(v, uint8(2), uint8(2))
	}
	f.Fuzz(func(t *testing.T, v int64, ei, ui uint8) {
		e, u := epochs[int(ei)%len(epochs)], units[int(ui)%len(units)]
		got, err := FromInt(v, e, u)
		if v == 0 {
			if !got.IsZero() || err != nil {
				t.Fatalf("zero gave %v, %v", got, err)
			}
			return
		}
		if err != nil {
			var re *RangeError
			if !errors.As(err, &re) || re.Raw != strconv.FormatInt(v, 10) || !got.IsZero() {
				t.Fatalf("%d: %v, %v", v, got, err)
			}
			return
		}
		if !InRange(got) {
			t.Fatalf("%d %s %s gave %v, outside the range", v, e.Name, u, got)
		}
		// Back to the stored value: whole seconds since the epoch, times
		// the unit, plus the fraction.
		back := (got.Unix()-e.offset)*int64(u) + int64(got.Nanosecond())/(1_000_000_000/int64(u))
		if back != v {
			t.Fatalf("%d %s %s gave %v, which is %d", v, e.Name, u, got, back)
		}
	})
}

// FuzzFromFloat: any float64 gives a time in range within a microsecond of
// the value's own reading, or a RangeError; never a wrapped date.
func FuzzFromFloat(f *testing.F) {
	for _, v := range []float64{0, 0.5, -0.5, 700_000_000.25, 9.5e9, 1e300, -1e300, 7e17, math.Inf(1), math.NaN(), 4.1e9} {
		f.Add(v, uint8(0), uint8(0))
		f.Add(v, uint8(1), uint8(0))
		f.Add(v, uint8(1), uint8(4))
	}
	f.Fuzz(func(t *testing.T, v float64, ei, ui uint8) {
		e, u := epochs[int(ei)%len(epochs)], units[int(ui)%len(units)]
		got, err := FromFloat(v, e, u)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("%v: error with a time %v", v, got)
			}
			var re *RangeError
			if !errors.As(err, &re) || re.Raw == "" {
				t.Fatalf("%v: %v", v, err)
			}
			return
		}
		if v == 0 {
			if !got.IsZero() {
				t.Fatalf("zero gave %v", got)
			}
			return
		}
		if !InRange(got) {
			t.Fatalf("%v %s %s gave %v, outside the range", v, e.Name, u, got)
		}
		want := v/float64(u) + float64(e.offset)
		have := float64(got.Unix()) + float64(got.Nanosecond())/1e9
		if math.Abs(have-want) > 1e-6*math.Max(1, math.Abs(want)/1e9) {
			t.Fatalf("%v %s %s gave %v (%f), want %f", v, e.Name, u, got, have, want)
		}
		// The guessing readers agree with the range too.
		for _, g := range []func(float64) (time.Time, error){Apple, Unix} {
			if gt, err := g(v); err == nil && !gt.IsZero() && !InRange(gt) {
				t.Fatalf("guessing reader gave %v for %v", gt, v)
			}
		}
	})
}

// The unit guess of Unix and UnixInt, at each threshold: both read the
// same table of sizes, the integer one exactly.
func TestUnixUnit(t *testing.T) {
	tests := []struct {
		a    int64
		want Unit
	}{
		{0, Seconds},
		{100_000_000_000, Seconds},
		{100_000_000_001, Milliseconds},
		{100_000_000_000_000, Milliseconds},
		{100_000_000_000_001, Microseconds},
		{100_000_000_000_000_000, Microseconds},
		{100_000_000_000_000_001, Nanoseconds},
		{math.MaxInt64, Nanoseconds},
	}
	for _, tt := range tests {
		if got := unixUnit(tt.a); got != tt.want {
			t.Errorf("unixUnit(int64 %d) = %d, want %d", tt.a, got, tt.want)
		}
		// Floats agree except one past a threshold, which rounds onto it
		// at 1e17 (floats there are 16 apart).
		if f := float64(tt.a); f != 1e17 || tt.want == Microseconds {
			if got := unixUnit(f); got != tt.want {
				t.Errorf("unixUnit(float64 %g) = %d, want %d", f, got, tt.want)
			}
		}
	}
	if got := unixUnit(1.5e11); got != Milliseconds {
		t.Errorf("unixUnit(1.5e11) = %d", got)
	}
}

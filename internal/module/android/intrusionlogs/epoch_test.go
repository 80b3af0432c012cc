package intrusionlogs

import (
	"encoding/json"
	"testing"
	"time"
)

// TestEpoch: event_time in milliseconds or nanoseconds by its size; a value
// that is no date between 1970 and 2100 is an error keeping it, never a date
// wrapped by an overflowing conversion.
func TestEpoch(t *testing.T) {
	for _, c := range []struct {
		v    any
		want time.Time
		bad  bool
	}{
		{json.Number("1700000000123"), time.Date(2023, 11, 14, 22, 13, 20, 123_000_000, time.UTC), false},
		{json.Number("1700000000123456789"), time.Date(2023, 11, 14, 22, 13, 20, 123_456_789, time.UTC), false},
		{"1700000000", time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC), false},
		{json.Number("0"), time.Time{}, false},
		{"not a number", time.Time{}, false},
		{json.Number("-1700000000123"), time.Time{}, true},
		{json.Number("9223372036854775807"), time.Time{}, true},
		{json.Number("99999999999999999999"), time.Time{}, true}, // not an int64: read as a float
		{json.Number("1e300"), time.Time{}, true},
	} {
		got, err := epoch(c.v)
		if !got.Equal(c.want) || (err != nil) != c.bad {
			t.Errorf("epoch(%v) = %v, %v; want %v (error %v)", c.v, got, err, c.want, c.bad)
		}
	}
}

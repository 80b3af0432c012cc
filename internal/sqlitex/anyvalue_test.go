package sqlitex

import (
	"math"
	"testing"
)

func TestAnyValues(t *testing.T) {
	tests := []struct {
		in   any
		i    int64
		f    float64
		text string
	}{
		{int64(7), 7, 7, "7"},
		{2.5, 2, 2.5, "2.5"},
		{" 12 ", 12, 12, " 12 "},
		{[]byte("3"), 3, 3, "3"},
		{nil, 0, 0, ""},
		{"abc", 0, 0, "abc"},
		{math.NaN(), 0, math.NaN(), "NaN"},
		{true, 1, 0, ""},
	}
	for _, tc := range tests {
		if got := AnyInt(tc.in); got != tc.i {
			t.Errorf("AnyInt(%#v) = %d, want %d", tc.in, got, tc.i)
		}
		if got := AnyFloat(tc.in); got != tc.f && !(math.IsNaN(got) && math.IsNaN(tc.f)) {
			t.Errorf("AnyFloat(%#v) = %v, want %v", tc.in, got, tc.f)
		}
		if got := AnyString(tc.in); got != tc.text {
			t.Errorf("AnyString(%#v) = %q, want %q", tc.in, got, tc.text)
		}
	}
}

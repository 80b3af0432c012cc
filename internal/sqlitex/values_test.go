package sqlitex

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The converters' edge cases, each with the reason evidence needs it.
func TestValues(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		in   any
		i    int64
		f    float64
		text string
	}{
		{"integer", int64(7), 7, 7, "7"},
		{"negative integer", int64(-9), -9, -9, "-9"},
		{"real truncates toward zero", 2.9, 2, 2.9, "2.9"},
		{"negative real truncates toward zero", -2.9, -2, -2.9, "-2.9"},
		{"real far out of int64 range", 1e300, 0, 1e300, "1" + strings.Repeat("0", 300)},
		{"real just out of range", 9.223372036854775808e18, 0, 9.223372036854775808e18, "9223372036854776000"},
		{"lowest int64 as real", -9.223372036854775808e18, math.MinInt64, -9.223372036854775808e18, "-9223372036854776000"},
		{"infinity", math.Inf(1), 0, math.Inf(1), "+Inf"},
		{"NaN", nan, 0, nan, "NaN"},
		{"real without exponent in text", 6e8, 600000000, 6e8, "600000000"},
		{"numeric text with spaces", " 12 ", 12, 12, " 12 "},
		{"decimal text", "12.75", 12, 12.75, "12.75"},
		{"exponent text", "1e3", 1000, 1000, "1e3"},
		{"largest int64 as text, exactly", "9223372036854775807", math.MaxInt64, 9.223372036854775807e18, "9223372036854775807"},
		{"text past int64", "9223372036854775808", 0, 9.223372036854775808e18, "9223372036854775808"},
		{"text with a number prefix is no number", "12abc", 0, 0, "12abc"},
		{"a date as text is no number", "2023-06-01 10:00:00", 0, 0, "2023-06-01 10:00:00"},
		{"hex float is no number", "0x1p4", 0, 0, "0x1p4"},
		{"Inf as text is no number", "Inf", 0, 0, "Inf"},
		{"NaN as text is no number", "NaN", 0, 0, "NaN"},
		{"underscores are no number", "1_000", 0, 0, "1_000"},
		{"text overflowing float64", "1e400", 0, 0, "1e400"},
		{"empty text", "", 0, 0, ""},
		{"blob", []byte("3"), 3, 3, "3"},
		{"invalid UTF-8 in text is replaced", "a\xffb", 0, 0, "a\uFFFDb"},
		{"invalid UTF-8 in a blob is replaced", []byte("a\xff\xfeb"), 0, 0, "a\uFFFDb"},
		{"NULL", nil, 0, 0, ""},
		{"bool", true, 1, 1, "true"},
		{"time from a DATE column", time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), 0, 0, "2024-01-02T02:04:05Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Int(tc.in); got != tc.i {
				t.Errorf("Int(%#v) = %d, want %d", tc.in, got, tc.i)
			}
			if got := Float(tc.in); got != tc.f && !(math.IsNaN(got) && math.IsNaN(tc.f)) {
				t.Errorf("Float(%#v) = %v, want %v", tc.in, got, tc.f)
			}
			if got := Text(tc.in); got != tc.text {
				t.Errorf("Text(%#v) = %q, want %q", tc.in, got, tc.text)
			}
		})
	}
}

// FuzzValues: the converters never panic, text is always valid UTF-8, text
// and blob read the same, a number is read from text only when the whole
// text is a decimal number, and an integer is the truncated real.
func FuzzValues(f *testing.F) {
	for _, s := range []string{"12", " 12 ", "12abc", "1e300", "-9223372036854775808", "9223372036854775808", "0x10", "NaN", "a\xffb", "1.5e3", "+7", ".5", "5.", "--1"} {
		f.Add(s, 1.5)
	}
	f.Add("", math.Inf(-1))
	f.Add("", 9.3e18)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		txt := Text(s)
		if !utf8.ValidString(txt) || (utf8.ValidString(s) && txt != s) || Text([]byte(s)) != txt {
			t.Fatalf("Text(%q) = %q", s, txt)
		}
		i, fl := Int(s), Float(s)
		if Int([]byte(s)) != i || Float([]byte(s)) != fl && !math.IsNaN(fl) {
			t.Fatalf("text and blob %q read differently", s)
		}
		trimmed := strings.TrimSpace(s)
		if fl != 0 && strings.Trim(trimmed, "0123456789+-.eE") != "" {
			t.Fatalf("Float(%q) = %v from text that is no decimal number", s, fl)
		}
		if n, err := strconv.ParseInt(trimmed, 10, 64); err == nil {
			if i != n {
				t.Fatalf("Int(%q) = %d, want %d", s, i, n)
			}
		} else if i != Int(fl) {
			t.Fatalf("Int(%q) = %d, but the real read from it gives %d", s, i, Int(fl))
		}
		got := Int(x)
		inRange := x >= math.MinInt64 && x < math.MaxInt64 // MaxInt64 rounds up to 2^63 as a float
		switch {
		case inRange && got != int64(x):
			t.Fatalf("Int(%v) = %d, want %d", x, got, int64(x))
		case !inRange && got != 0:
			t.Fatalf("Int(%v) = %d out of range, want 0", x, got)
		}
		if Float(x) != x && !math.IsNaN(x) {
			t.Fatalf("Float(%v) = %v", x, Float(x))
		}
	})
}

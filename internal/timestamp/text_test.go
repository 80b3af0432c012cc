package timestamp

import (
	"errors"
	"testing"
	"time"
)

var textLayouts = []string{"2006-01-02 15:04:05.000 -0700", time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02"}

func TestParseText(t *testing.T) {
	cases := []struct {
		name, text string
		layouts    []string
		want       time.Time
		err        string // "" none, "range" a *RangeError, "text" a *TextError
	}{
		{"empty is no date", "", textLayouts, time.Time{}, ""},
		{"first layout", "2023-03-08 20:26:40.250 +0000", textLayouts, date(2023, 3, 8, 20, 26, 40, 250_000_000), ""},
		{"offset kept", "2023-03-08 22:26:40.000 +0200", textLayouts, date(2023, 3, 8, 20, 26, 40, 0), ""},
		{"later layout", "2023-03-08T20:26:40Z", textLayouts, date(2023, 3, 8, 20, 26, 40, 0), ""},
		{"date only", "2020-09-01", textLayouts, date(2020, 9, 1, 0, 0, 0, 0), ""},
		{"1970 itself", "1970-01-01", textLayouts, Earliest, ""},
		{"last second of 2099", "2099-12-31 23:59:59", textLayouts, date(2099, 12, 31, 23, 59, 59, 0), ""},
		{"2100 itself", "2100-01-01", textLayouts, time.Time{}, "range"},
		{"year 2999", "2999-01-01", textLayouts, time.Time{}, "range"},
		{"before 1970", "1969-12-31 23:59:59", textLayouts, time.Time{}, "range"},
		{"offset pushes before 1970", "1970-01-01 00:30:00.000 +0100", textLayouts, time.Time{}, "range"},
		{"year 0001", "0001-01-01T00:00:00Z", textLayouts, time.Time{}, "range"},
		{"no layout fits", "yesterday", textLayouts, time.Time{}, "text"},
		{"spaces are not trimmed", " 2020-09-01", textLayouts, time.Time{}, "text"},
		{"no layouts at all", "2020-09-01", nil, time.Time{}, "text"},
		{"invalid day", "2020-02-30", textLayouts, time.Time{}, "text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseText(c.text, c.layouts...)
			if !got.Equal(c.want) || (c.err != "" && !got.IsZero()) {
				t.Errorf("time %v, want %v", got, c.want)
			}
			var re *RangeError
			var te *TextError
			switch c.err {
			case "":
				if err != nil {
					t.Errorf("error %v", err)
				}
				return
			case "range":
				if !errors.As(err, &re) || errors.As(err, &te) {
					t.Fatalf("error %T %v, want a *RangeError", err, err)
				}
			case "text":
				if !errors.As(err, &te) || te.Raw != c.text {
					t.Fatalf("error %T %v, want a *TextError", err, err)
				}
				if !errors.As(err, &re) {
					t.Fatal("a *TextError must read as a *RangeError")
				}
			}
			if re.Raw != c.text {
				t.Errorf("raw %q, want %q", re.Raw, c.text)
			}
		})
	}
}

// TestParseTextIn: a layout without a zone reads the text in the given
// zone, and the range is checked on the instant (midnight of 1970-01-01 in
// a zone east of UTC is still 1969).
func TestParseTextIn(t *testing.T) {
	plus2 := time.FixedZone("UTC+2", 2*3600)
	got, err := ParseTextIn("2023-03-08 22:26:40", plus2, "2006-01-02 15:04:05")
	if err != nil || !got.Equal(date(2023, 3, 8, 20, 26, 40, 0)) {
		t.Errorf("%v %v", got, err)
	}
	var re *RangeError
	if got, err := ParseTextIn("1970-01-01 00:00:00", plus2, "2006-01-02 15:04:05"); !got.IsZero() || !errors.As(err, &re) || re.Raw != "1970-01-01 00:00:00" {
		t.Errorf("%v %v", got, err)
	}
	if got, err := ParseTextIn("2023-03-08 22:26:40", nil, "2006-01-02 15:04:05"); err != nil || !got.Equal(date(2023, 3, 8, 22, 26, 40, 0)) {
		t.Errorf("nil zone is UTC: %v %v", got, err)
	}
}

// FuzzParseText: any text gives either a date inside the range, or the
// zero time with an error that holds the exact text; empty text is no date
// and no error.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"", "2023-03-08T20:26:40Z", "2999-01-01", "1969-12-31 23:59:59", "yesterday",
		"2023-03-08 20:26:40.250 +1400", "9999-12-31T23:59:59.999999999-23:59", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseText(s, textLayouts...)
		switch {
		case s == "":
			if err != nil || !got.IsZero() {
				t.Fatalf("empty: %v %v", got, err)
			}
		case err == nil:
			if !InRange(got) {
				t.Fatalf("%q: %v outside the range with no error", s, got)
			}
		default:
			var re *RangeError
			if !got.IsZero() || !errors.As(err, &re) || re.Raw != s {
				t.Fatalf("%q: %v, %T %v", s, got, err, err)
			}
			if err.Error() == "" {
				t.Fatal("empty error text")
			}
		}
	})
}

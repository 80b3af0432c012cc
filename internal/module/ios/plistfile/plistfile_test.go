package plistfile

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/timestamp"
)

func TestDate(t *testing.T) {
	at := time.Date(2021, 9, 30, 10, 16, 46, 500_000_000, time.UTC)
	cocoa := float64(at.Unix()-timestamp.CocoaEpoch.Offset()) + 0.5
	tests := []struct {
		name string
		v    any
		conv func(float64) (time.Time, error)
		want time.Time
		raw  string // the value an error keeps; "" for none
	}{
		{"plist date", at.In(time.FixedZone("x", 3600)), timestamp.AppleSeconds, at, ""},
		{"Cocoa seconds", cocoa, timestamp.AppleSeconds, at, ""},
		{"Cocoa whole seconds", int64(cocoa), timestamp.AppleSeconds, at.Truncate(time.Second), ""},
		{"unsigned", uint64(cocoa), timestamp.AppleSeconds, at.Truncate(time.Second), ""},
		{"Unix seconds", float64(at.Unix()), timestamp.Unix, at.Truncate(time.Second), ""},
		{"zero is no date", 0.0, timestamp.AppleSeconds, time.Time{}, ""},
		{"absent", nil, timestamp.AppleSeconds, time.Time{}, ""},
		{"text is no date", "2021-09-30", timestamp.AppleSeconds, time.Time{}, ""},
		{"far date kept raw", 9.5e9, timestamp.AppleSeconds, time.Time{}, "9.5e+09"},
		{"year 10000 kept raw, not read as nanoseconds", 2.5e11, timestamp.AppleSeconds, time.Time{}, "2.5e+11"},
		{"negative Unix kept raw", int64(-5), timestamp.Unix, time.Time{}, "-5"},
		{"huge unsigned kept raw", uint64(1 << 63), timestamp.AppleSeconds, time.Time{}, "9.223372036854776e+18"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Date(tt.v, tt.conv)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("Date(%v) = %v, want %v", tt.v, got, tt.want)
			}
			var re *timestamp.RangeError
			switch {
			case tt.raw == "" && err != nil:
				t.Errorf("err %v", err)
			case tt.raw != "" && (!errors.As(err, &re) || re.Raw != tt.raw):
				t.Errorf("err %v, want the raw value %s kept", err, tt.raw)
			}
		})
	}
}

func TestDecoder(t *testing.T) {
	dict := func(v any) []byte {
		b, err := plist.Marshal(v, plist.BinaryFormat)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	keys := Decoder("a test plist", func(root map[string]any) ([]string, error) {
		var out []string
		for k, v := range root {
			out = append(out, k+"="+v.(string)) // panics on a value that is no string
		}
		return out, nil
	})
	tests := []struct {
		name string
		in   []byte
		want int
		err  string
	}{
		{"walked", dict(map[string]any{"a": "1"}), 1, ""},
		{"no plist", []byte("<<not a plist"), 0, "not a test plist"},
		{"not a dictionary", dict([]any{"a"}), 0, "not a test plist"},
		{"a walk that panics is an error", dict(map[string]any{"a": 1}), 0, "malformed plist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := keys(tt.in)
			if len(out) != tt.want || (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q, %v; want %d values, error %q", out, err, tt.want, tt.err)
			}
		})
	}
}

func TestEntries(t *testing.T) {
	name := func(d map[string]any) (string, bool) {
		s, _ := d["name"].(string)
		return s, s != ""
	}
	d := func(s string) any { return map[string]any{"name": s} }
	tests := []struct {
		name string
		list []any
		max  int
		want []string
	}{
		{"in order", []any{d("a"), d("b")}, 10, []string{"a", "b"}},
		{"no dictionary skipped", []any{"a", 1, d("b"), []any{d("c")}}, 10, []string{"b"}},
		{"empty entry skipped", []any{d(""), d("b")}, 10, []string{"b"}},
		{"bounded by kept entries", []any{d(""), d("a"), "x", d("b"), d("c")}, 2, []string{"a", "b"}},
		{"none", nil, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Entries(tt.list, tt.max, name); !slices.Equal(got, tt.want) {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
}

package model

import (
	"strings"
	"testing"
)

// TestOneLine checks the copy-free path against the plain definition:
// fields joined by one space, cut to max runes.
func TestOneLine(t *testing.T) {
	long := strings.Repeat("é", 250)
	cases := []string{
		"", " ", "plain text", " leading", "trailing ", "two  spaces", "tab\there", "line\nbreak",
		"nbsp\u00a0inside", "ideographic\u3000space", "bad \xff utf8", "\xff\xfe", long, long + " tail", "a" + long,
		strings.Repeat("ab ", 100),
	}
	for _, s := range cases {
		want := strings.Join(strings.Fields(s), " ")
		if r := []rune(want); len(r) > 200 {
			want = string(r[:200]) + "…"
		}
		if got := OneLine(s, 200); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzOneLine(f *testing.F) {
	for _, s := range []string{"", "a  b", " x ", "\xff", strings.Repeat("ü ", 120)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Join(strings.Fields(s), " ")
		if r := []rune(want); len(r) > 200 {
			want = string(r[:200]) + "…"
		}
		if got := OneLine(s, 200); got != want {
			t.Fatalf("OneLine(%q) = %q, want %q", s, got, want)
		}
	})
}

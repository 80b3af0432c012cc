package sms

import (
	"fmt"
	"slices"
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
		if got := oneLine(s, 200); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", s, got, want)
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
		if got := oneLine(s, 200); got != want {
			t.Fatalf("oneLine(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestExtractLinksOnceInOrder(t *testing.T) {
	var many, manyWant []string
	for i := range 30 {
		l := fmt.Sprintf("https://s%d.example.com/p", i)
		many, manyWant = append(many, l, l), append(manyWant, l)
	}
	cases := []struct {
		text string
		want []string
	}{
		{"no link", nil},
		{"https://a.example.com/x and again https://a.example.com/x", []string{"https://a.example.com/x"}},
		{strings.Join(many, " "), manyWant},
	}
	for _, c := range cases {
		if got := extractLinks(c.text); !slices.Equal(got, c.want) {
			t.Errorf("extractLinks(%.40q) = %v, want %v", c.text, got, c.want)
		}
	}
}

package termsafe

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"iPhone de Ana", "iPhone de Ana"},
		{"Teléfono 📱 سلام 日本", "Teléfono 📱 سلام 日本"},
		{"\x1b[2J\x1b[HAll clear", `\x1b[2J\x1b[HAll clear`},
		{"bell\a", `bell\a`},
		{"two\nlines\r", `two\nlines\r`},
		{"tab\there", `tab\there`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"file\u202egpj.exe", `file\u202egpj.exe`},
		{"\u2066isolate\u2069 \u200e\u200f\u061c", `\u2066isolate\u2069 \u200e\u200f\u061c`},
		{"sep\u2028x", `sep\u2028x`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{`back\slash`, `back\\slash`},
		{"", ""},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"a", "\x1b]0;title\a", "\u202e", "\xff", "\\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		for _, r := range out {
			if unsafe(r) {
				t.Fatalf("%q left %U in %q", s, r, out)
			}
		}
		// Text that needed nothing is unchanged; anything else changed.
		if isSafe(s) != (out == s) {
			t.Fatalf("%q -> %q", s, out)
		}
		// Escaping is reversible (Go's own unquoting gives s back), so two
		// different texts never print alike.
		back, err := strconv.Unquote(`"` + strings.ReplaceAll(out, `"`, `\"`) + `"`)
		if err != nil || back != s {
			t.Fatalf("%q -> %q -> %q (%v)", s, out, back, err)
		}
	})
}

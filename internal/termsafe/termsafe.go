// Package termsafe makes text from evidence or from a server safe to print
// on a terminal. A device name, an SMS, a file name inside an archive or a
// feed's error message can hold escape sequences that clear the screen,
// move the cursor over the findings, retitle the window, or reorder what
// is shown (Unicode bidirectional overrides). Every place the console
// prints such text passes it through Text; nothing else is needed.
package termsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text returns s with every control character escaped in Go's notation
// (\x1b, \n, \u202e): C0 controls and DEL, C1 controls (U+0080-U+009F),
// bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
// U+2066-U+2069), line and paragraph separators (U+2028, U+2029), and
// bytes that are not UTF-8. Printable text, other languages and emoji
// included, is left as it is.
func Text(s string) string {
	if isSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case r == '\\':
			b.WriteString(`\\`)
		case unsafe(r):
			q := strconv.QuoteRuneToASCII(r) // '\x1b' or '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Texts applies Text to each string.
func Texts(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Text(s)
	}
	return out
}

func isSafe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || c == '\\' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

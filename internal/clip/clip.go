// Package clip shortens text taken from evidence before it is kept or
// shown: a crafted file can put megabytes in one field.
package clip

import "unicode/utf8"

// String is s cut to at most n bytes on a rune boundary, with "…" added
// where it was cut; s itself when it is no longer.
func String(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

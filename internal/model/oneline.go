package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// OneLine puts evidence text on one line for a record's summary: its
// fields joined by one space, cut to max characters with "…". Most texts
// are already single-spaced and are returned without a copy.
func OneLine(s string, max int) string {
	if !singleSpaced(s) {
		s = strings.Join(strings.Fields(s), " ")
	}
	if utf8.RuneCountInString(s) > max {
		return string([]rune(s)[:max]) + "…"
	}
	return s
}

// singleSpaced says s is already what joining its fields would give, which
// is true of most messages, so they are not copied.
func singleSpaced(s string) bool {
	space := true // a leading space would be dropped
	for _, r := range s {
		switch {
		case r == ' ':
			if space {
				return false
			}
			space = true
		case unicode.IsSpace(r):
			return false
		default:
			space = false
		}
	}
	return !space || s == ""
}

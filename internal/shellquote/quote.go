// Package shellquote writes command lines the way a POSIX shell reads them
// back, so a command shown in a report or a log can be copied and run as it
// was given: a path with a space, a quote or a '$' stays one argument and
// nothing in it is expanded.
package shellquote

import "strings"

// Quote returns s as one word of a POSIX shell (sh, bash, zsh, dash). Words
// made only of characters no shell treats specially are left as they are;
// anything else is put in single quotes, inside which a shell expands
// nothing, and each single quote of s becomes: close the quotes, a
// backslash-escaped quote, open the quotes again. Non-ASCII text is quoted too: it is
// safe either way, and quoting it keeps a copied line correct in shells
// that split words on bytes of another locale.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if plain(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Join quotes every argument and joins them with spaces.
func Join(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(Quote(a))
	}
	return b.String()
}

// plain reports whether s needs no quoting: letters, digits and the
// punctuation that no POSIX shell gives a meaning to in the middle or at
// the start of a word ('=' only after the first character, so a word is
// never read as an assignment; '~' never, since it expands at the start).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == '/' || c == ',' || c == ':' || c == '@' || c == '%' || c == '+':
		case c == '=' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Package textfold folds text the way a reader sees it, so that look-alike
// spellings compare equal: case and accents ("FALLECIÓ" is "fallecio"),
// characters that look alike ("раураl" is "paypal"), and spellings a few
// edits apart. Link and message heuristics compare through it.
package textfold

import (
	"unicode"
	"unicode/utf8"
)

// FoldRune lower-cases r and drops its accent, so "FALLECIÓ" and "fallecio"
// compare equal. A table covers the Latin letters of Spanish, Portuguese and
// French; combining marks (text stored decomposed) are dropped by the caller.
func FoldRune(r rune) rune {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	r = unicode.ToLower(r)
	if f, ok := accentFold[r]; ok {
		return f
	}
	return r
}

func IsCombiningMark(r rune) bool { return r >= 0x300 && r <= 0x36f }

var accentFold = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a', 'ā': 'a', 'ă': 'a', 'ą': 'a',
	'ç': 'c', 'ć': 'c', 'č': 'c',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e', 'ē': 'e', 'ė': 'e', 'ę': 'e', 'ě': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ī': 'i', 'į': 'i',
	'ñ': 'n', 'ń': 'n', 'ň': 'n',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ø': 'o', 'ō': 'o', 'ő': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ū': 'u', 'ů': 'u', 'ű': 'u',
	'ý': 'y', 'ÿ': 'y', 'ś': 's', 'š': 's', 'ź': 'z', 'ż': 'z', 'ž': 'z', 'ł': 'l', 'ß': 's',
	// Typographic apostrophes, so "don’t" tokenises like "don't".
	'\u2019': '\'', '\u2018': '\'',
}

// confusable maps characters that display like a Latin letter to that
// letter: digits used for letters, Cyrillic and Greek look-alikes, and the
// i/l/1 family, which all collapse to 'l' because a reader cannot tell them
// apart in many fonts.
var confusable = map[rune]rune{
	'0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b',
	'i': 'l', '|': 'l', 'ı': 'l', 'ɩ': 'l', 'ɑ': 'a', 'ɡ': 'g',
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x',
	'і': 'l', 'ї': 'l', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'һ': 'h', 'ӏ': 'l', 'ԛ': 'q',
	'ԝ': 'w', 'к': 'k', 'т': 't', 'ь': 'b', 'п': 'n', 'г': 'r', 'м': 'm', 'н': 'h',
	// Greek
	'ο': 'o', 'α': 'a', 'ν': 'v', 'ρ': 'p', 'τ': 't', 'ι': 'l', 'κ': 'k', 'υ': 'u',
	'ε': 'e', 'ω': 'w', 'ϲ': 'c', 'χ': 'x', 'η': 'n', 'μ': 'u',
}

// Skeleton reduces a domain label to how it looks, so "y0utube", "уoutube"
// (Cyrillic у) and "youtube" share one form. Runs that read as one letter
// ("rn" as "m", "vv" as "w") are merged too.
func Skeleton(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if IsCombiningMark(r) {
			continue
		}
		r = FoldRune(r)
		if c, ok := confusable[r]; ok {
			r = c
		}
		if n := len(out); n > 0 {
			switch {
			case out[n-1] == 'r' && r == 'n':
				out[n-1] = 'm'
				continue
			case out[n-1] == 'v' && r == 'v':
				out[n-1] = 'w'
				continue
			}
		}
		out = append(out, r)
	}
	return string(out)
}

// EditDistance is the optimal-string-alignment form of Damerau-Levenshtein
// (insertions, deletions, substitutions, adjacent swaps). It gives up and
// returns max+1 as soon as the answer must exceed max.
func EditDistance(a, b string, max int) int {
	if d := utf8.RuneCountInString(a) - utf8.RuneCountInString(b); d > max || -d > max {
		return max + 1
	}
	// Domain labels are short: keep the work on the stack for them.
	var bufA, bufB [64]rune
	var rows [3][65]int
	ra, rb := append(bufA[:0], []rune(a)...), append(bufB[:0], []rune(b)...)
	n := len(rb)
	var prev2, prev, cur []int
	if n < 65 {
		prev2, prev, cur = rows[0][:n+1], rows[1][:n+1], rows[2][:n+1]
	} else {
		prev2, prev, cur = make([]int, n+1), make([]int, n+1), make([]int, n+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= n; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[n]
}

// IsConfusable says whether r, folded, is a character that looks like a
// Latin letter or digit of another.
func IsConfusable(r rune) bool {
	_, ok := confusable[FoldRune(r)]
	return ok
}

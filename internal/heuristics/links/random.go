package links

import "math"

// looksRandom says whether a domain label reads as machine-generated
// (gdvynopz3pa0tik) rather than as words (summerfestival). Each signal alone
// fires on some real names, so two of them are required.
func looksRandom(label string) bool {
	if len(label) < 8 || len(label) > 63 {
		return false
	}
	var letters, digits, vowels, switches, run, longestRun int
	var counts [128]int
	prevDigit := false
	for i := 0; i < len(label); i++ {
		c := label[i]
		if c >= 0x80 {
			return false // internationalised labels are judged by the homoglyph rule
		}
		counts[c]++
		isDigit := c >= '0' && c <= '9'
		isLetter := c >= 'a' && c <= 'z'
		if i > 0 && (isDigit || isLetter) && isDigit != prevDigit {
			switches++
		}
		prevDigit = isDigit
		switch {
		case isDigit:
			digits++
			run = 0
		case isLetter:
			letters++
			if isVowel(c) {
				vowels++
				run = 0
			} else {
				run++
				longestRun = max(longestRun, run)
			}
		default:
			run = 0
		}
	}
	if letters == 0 {
		return false // an all-digit label is a number, not a random name
	}
	signals := 0
	if digits >= 2 && switches >= 3 {
		signals++
	}
	if longestRun >= 5 {
		signals++
	}
	if float64(vowels)/float64(letters) < 0.25 {
		signals++
	}
	if len(label) >= 12 && entropy(counts[:], len(label)) >= 3.5 {
		signals++
	}
	return signals >= 2
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// entropy is the Shannon entropy of the label's characters, in bits.
func entropy(counts []int, n int) float64 {
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}

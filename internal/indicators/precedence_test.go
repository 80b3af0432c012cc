package indicators

import (
	"strings"
	"testing"
)

// shape prints a parsed pattern with every operator parenthesised and each
// comparison reduced to its value, so a test can state the grouping.
func shape(n *Node) string {
	switch n.Op {
	case "obs":
		s := shape(n.Kids[0])
		if len(n.Qualifiers) > 0 {
			s += " " + strings.Join(n.Qualifiers, " ")
		}
		return s
	case "cmp":
		return n.Comparison.Values[0]
	}
	parts := make([]string, len(n.Kids))
	for i, k := range n.Kids {
		parts[i] = shape(k)
	}
	return "(" + strings.Join(parts, " "+n.Op+" ") + ")"
}

// The STIX 2.1 pattern grammar (OASIS, part 9; STIXPattern.g4) makes
// FOLLOWEDBY the loosest observation operator, then OR, then AND; inside
// brackets OR is looser than AND.
func TestPatternPrecedence(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{`[a:b='1'] OR [a:b='2'] FOLLOWEDBY [a:b='3']`, `((1 OR 2) FOLLOWEDBY 3)`},
		{`[a:b='1'] FOLLOWEDBY [a:b='2'] OR [a:b='3']`, `(1 FOLLOWEDBY (2 OR 3))`},
		{`[a:b='1'] AND [a:b='2'] OR [a:b='3']`, `((1 AND 2) OR 3)`},
		{`[a:b='1'] OR [a:b='2'] AND [a:b='3']`, `(1 OR (2 AND 3))`},
		{`[a:b='1'] AND [a:b='2'] FOLLOWEDBY [a:b='3'] OR [a:b='4'] AND [a:b='5']`, `((1 AND 2) FOLLOWEDBY (3 OR (4 AND 5)))`},
		{`[a:b='1'] FOLLOWEDBY [a:b='2'] FOLLOWEDBY [a:b='3']`, `(1 FOLLOWEDBY 2 FOLLOWEDBY 3)`},
		{`([a:b='1'] FOLLOWEDBY [a:b='2']) OR [a:b='3']`, `((1 FOLLOWEDBY 2) OR 3)`},
		{`[a:b='1'] OR ([a:b='2'] FOLLOWEDBY [a:b='3'])`, `(1 OR (2 FOLLOWEDBY 3))`},
		{`[a:b='1'] WITHIN 5 SECONDS OR [a:b='2']`, `(1 WITHIN 5 SECONDS OR 2)`},
		{`[a:b='1' OR a:b='2' AND a:b='3']`, `(1 cOR (2 cAND 3))`},
		{`[a:b='1' AND a:b='2' OR a:b='3']`, `((1 cAND 2) cOR 3)`},
		{`[a:b='1' AND (a:b='2' OR a:b='3')]`, `(1 cAND (2 cOR 3))`},
	}
	for _, tt := range tests {
		n, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tt.pattern, err)
			continue
		}
		if got := shape(n); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.pattern, got, tt.want)
		}
	}
}

// What the grouping changes for matching: a sequence is never reduced to
// one of its sides, so "[a] OR [b] FOLLOWEDBY [c]" must not match a alone.
func TestPatternPrecedenceEvaluation(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string // alternatives huella matches on their own
	}{
		{`[domain-name:value='a.com'] OR [domain-name:value='b.com'] FOLLOWEDBY [process:name='p']`, nil},
		{`[process:name='p'] FOLLOWEDBY [domain-name:value='a.com'] OR [domain-name:value='b.com']`, nil},
		{`[domain-name:value='a.com'] OR [domain-name:value='b.com'] AND [process:name='p']`, []string{"domain-name:value=a.com"}},
		{`[domain-name:value='a.com'] AND [process:name='p'] OR [domain-name:value='b.com']`, []string{"domain-name:value=b.com"}},
		{`([domain-name:value='a.com'] FOLLOWEDBY [process:name='p']) OR [domain-name:value='b.com']`, []string{"domain-name:value=b.com"}},
	}
	for _, tt := range tests {
		n, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", tt.pattern, err)
		}
		alts, _ := evaluate(n)
		var got []string
		for _, a := range alts {
			got = append(got, a.Type+"="+a.Value)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: matches %q alone, want %q", tt.pattern, got, tt.want)
		}
	}
}

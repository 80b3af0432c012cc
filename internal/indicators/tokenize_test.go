package indicators

import (
	"fmt"
	"strings"
	"testing"
)

// TestTokenize pins every token the pattern lexer knows: the one-byte
// punctuation, the four string spellings (plain, t', h', b' and b64'), the
// operators, numbers and identifiers, and where a type letter is only a name.
func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want string // kind:text[/sub]@pos, space-separated, without the final EOF
	}{
		{`[a:b.c,*]`, `1:[@0 12:a@1 5::@2 12:b@3 6:.@4 12:c@5 7:,@6 12:*@7 2:]@8`},
		{`( )`, `3:(@0 4:)@2`},
		{`'it\'s'`, `9:it's@0`},
		{`t'2020' h'ff' b'QQ==' b64'QQ=='`, `10:2020/t@0 10:ff/h@8 10:QQ==/b@14 10:QQ==/b@22`},
		{`t h b b64 b6'x'`, `12:t@0 12:h@2 12:b@4 12:b64@6 12:b6@10 9:x@12`},
		{`= == != < <= > >=`, `8:=@0 8:=@2 8:!=@5 8:<@8 8:<=@10 8:>@13 8:>=@15`},
		{`-1.5 42`, `11:-1.5@0 11:42@5`},
	}
	for _, tt := range tests {
		toks, err := tokenize(tt.in)
		if err != nil {
			t.Errorf("tokenize(%q): %v", tt.in, err)
			continue
		}
		if last := toks[len(toks)-1]; last.kind != tEOF || last.pos != len(tt.in) {
			t.Errorf("tokenize(%q): last token %+v, want EOF at %d", tt.in, last, len(tt.in))
		}
		var got []string
		for _, k := range toks[:len(toks)-1] {
			s := fmt.Sprintf("%d:%s", k.kind, k.text)
			if k.sub != "" {
				s += "/" + k.sub
			}
			got = append(got, fmt.Sprintf("%s@%d", s, k.pos))
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("tokenize(%q)\n got %s\nwant %s", tt.in, g, tt.want)
		}
	}
	for _, bad := range []string{`!`, `-`, `'open`, `t'open`, `b64'open`, `#`} {
		if _, err := tokenize(bad); err == nil {
			t.Errorf("tokenize(%q): no error", bad)
		}
	}
}

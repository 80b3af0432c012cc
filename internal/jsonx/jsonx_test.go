package jsonx

import (
	"bufio"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

// NextLine hands back every line, skips one over the bound without
// holding it, and reads on after it.
func TestNextLine(t *testing.T) {
	in := "a\n" + strings.Repeat("x", 100) + "\nb\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 16)
	type got struct {
		line string
		long bool
	}
	var lines []got
	for {
		b, long, err := NextLine(br, 10)
		if len(b) > 0 || long {
			lines = append(lines, got{string(b), long})
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []got{{"a\n", false}, {"", true}, {"b\n", false}, {"last", false}}
	if len(lines) != len(want) {
		t.Fatalf("lines %+v, want %+v", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, lines[i], want[i])
		}
	}
}

func TestObject(t *testing.T) {
	for _, tc := range []struct {
		in, key, want string
		ok            bool
	}{
		{`{"a":"x"}`, "a", "x", true},
		{`{"a":1}`, "a", "", true},
		{`{"b":{"a":"y"}}`, "b.a", "y", true},
		{`null`, "a", "", false},
		{`[1]`, "a", "", false},
	} {
		m, ok := Object([]byte(tc.in))
		if ok != tc.ok {
			t.Errorf("%s: ok %v", tc.in, ok)
			continue
		}
		var s string
		if k1, k2, nested := strings.Cut(tc.key, "."); nested {
			s = String(Sub(m, k1), k2)
		} else {
			s = String(m, tc.key)
		}
		if s != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.in, tc.key, s, tc.want)
		}
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{`"309"`, "309", true},
		{`309`, "309", true},
		{`1.5e3`, "1.5e3", true},
		{`true`, "", false},
		{`{"a":1}`, "", false},
		{``, "", false},
	} {
		s, ok := Text([]byte(tc.in))
		if s != tc.want || ok != tc.ok {
			t.Errorf("Text(%s) = %q, %v; want %q, %v", tc.in, s, ok, tc.want, tc.ok)
		}
	}
}

// FuzzNextLine: whatever the bytes and the bound, every line handed back
// fits the bound, and the lines handed back are the input's lines in order
// with exactly those over the bound left out (one long=true each).
func FuzzNextLine(f *testing.F) {
	f.Add("a\nbb\nccc", uint8(2))
	f.Add(strings.Repeat("x", 40)+"\n\n", uint8(16))
	f.Fuzz(func(t *testing.T, in string, max uint8) {
		m := int(max%64) + 1
		var want []string
		longs := 0
		for _, l := range strings.SplitAfter(in, "\n") {
			if l == "" {
				continue
			}
			if len(l) > m {
				longs++
				continue
			}
			want = append(want, l)
		}
		br := bufio.NewReaderSize(strings.NewReader(in), 16)
		var got []string
		gotLongs := 0
		for range len(in) + 2 {
			b, long, err := NextLine(br, m)
			if len(b) > m {
				t.Fatalf("a line of %d bytes over the bound %d", len(b), m)
			}
			if long {
				gotLongs++
			} else if len(b) > 0 {
				got = append(got, string(b))
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") || gotLongs != longs {
			t.Fatalf("lines %q (%d long), want %q (%d long)", got, gotLongs, want, longs)
		}
	})
}

func TestFirstObject(t *testing.T) {
	tests := []struct {
		text     string
		maxLines int
		wantKeys string // sorted keys, "" with ok false
	}{
		{`{"a":1,"b":2}`, 0, "a b"},
		{"\n  \n\t{\"a\":1}\n{\"z\":1}", 0, "a"},
		{"\n\n\n{\"a\":1}", 3, ""},
		{"\n\n\n{\"a\":1}", 4, "a"},
		{"not json\n{\"a\":1}", 0, ""},
		{"[1,2]\n", 0, ""},
		{"null\n", 0, ""},
		{`{"a":1`, 0, ""},
		{"", 0, ""},
		{"\r\n{\"a\":{\"x\":1}}\r\n", 0, "a"},
	}
	for _, tt := range tests {
		m, ok := FirstObject([]byte(tt.text), tt.maxLines)
		keys := slices.Sorted(maps.Keys(m))
		if got := strings.Join(keys, " "); got != tt.wantKeys || ok != (tt.wantKeys != "") {
			t.Errorf("FirstObject(%q, %d) = %q, %t; want %q", tt.text, tt.maxLines, got, ok, tt.wantKeys)
		}
	}
}

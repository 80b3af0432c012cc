package jsonx

import (
	"bufio"
	"io"
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

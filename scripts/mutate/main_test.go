package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseList(t *testing.T) {
	list := "# comment\n\n" +
		"a/b.go\tx < y\tx <= y\t-\tboundary\n" +
		"a/b.go\tdelete me\t\t./a,./c\n" +
		"a/b.go\tkeep\tdrop\n"
	ms, err := ParseList(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 {
		t.Fatalf("%d mutations", len(ms))
	}
	if m := ms[0]; m.Line != 3 || m.Original != "x < y" || m.Replacement != "x <= y" || !slices.Equal(m.Packages, []string{"./a"}) || m.Note != "boundary" {
		t.Errorf("first: %+v", m)
	}
	if m := ms[1]; m.Replacement != "" || !slices.Equal(m.Packages, []string{"./a", "./c"}) {
		t.Errorf("second: %+v", m)
	}
	for _, bad := range []string{"only\tone field\n", "f.go\tsame\tsame\n", "\tx\ty\n", "a\tb\tc\td\te\tf\n"} {
		if _, err := ParseList(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestApply(t *testing.T) {
	src := []byte("if a <= b {\n\treturn a < c\n}\n")
	for _, c := range []struct {
		orig, repl, want string
		ok               bool
	}{
		{"a <= b", "a < b", "if a < b {\n\treturn a < c\n}\n", true},
		{"return a < c", "", "if a <= b {\n\t\n}\n", true},
		{"a <", "a >", "", false}, // twice: ambiguous
		{"zzz", "y", "", false},   // absent
	} {
		got, err := Apply(src, Mutation{Original: c.orig, Replacement: c.repl})
		if (err == nil) != c.ok || c.ok && string(got) != c.want {
			t.Errorf("Apply(%q→%q) = %q, %v", c.orig, c.repl, got, err)
		}
	}
}

func TestClassify(t *testing.T) {
	fail := errors.New("exit status 1")
	for _, c := range []struct {
		name    string
		err     error
		out     string
		timeout bool
		want    Outcome
		by      []string
	}{
		{"pass", nil, "ok  \tx\t0.1s\n", false, Survived, nil},
		{"subtest", fail, "--- FAIL: TestA (0.00s)\n    --- FAIL: TestA/case_1 (0.00s)\n--- FAIL: TestB (0.00s)\nFAIL\n", false, Caught, []string{"TestA/case_1", "TestB"}},
		{"build", fail, "FAIL\tx [build failed]\n", false, Invalid, nil},
		{"hang", fail, "panic: test timed out after 1s\n", false, Caught, []string{"timeout"}},
		{"killed", fail, "", true, Caught, []string{"timeout"}},
	} {
		got, by := classify(c.err, []byte(c.out), c.timeout)
		if got != c.want || !slices.Equal(by, c.by) {
			t.Errorf("%s: %s %q, want %s %q", c.name, got, by, c.want, c.by)
		}
	}
}

package shellquote

import (
	"bytes"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

var cases = []struct{ in, want string }{
	{"huella", "huella"},
	{"--iocs", "--iocs"},
	{"/evidence/backup", "/evidence/backup"},
	{"--output=case-42", "--output=case-42"},
	{"", "''"},
	{"my backup", "'my backup'"},
	{"Ana's iPhone", `'Ana'\''s iPhone'`},
	{`say "hi"`, `'say "hi"'`},
	{"$HOME/x", "'$HOME/x'"},
	{"`id`", "'`id`'"},
	{"a;rm -rf /", "'a;rm -rf /'"},
	{"*.stix2", "'*.stix2'"},
	{"~/iphone-backup", "'~/iphone-backup'"},
	{"=x", "'=x'"},
	{"copia de Ana/días", "'copia de Ana/días'"},
	{"días", "'días'"},
	{"a\nb", "'a\nb'"},
	{"'", `''\'''`},
	{"back\\slash", `'back\slash'`},
	{"!event", "'!event'"},
	{"a&b|c<d>e(f)g{h}[i]#j", "'a&b|c<d>e(f)g{h}[i]#j'"},
}

func TestQuote(t *testing.T) {
	for _, c := range cases {
		if got := Quote(c.in); got != c.want {
			t.Errorf("Quote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	if got := Join([]string{"huella", "check", "--iocs", "my feeds/x.stix2", "/ev/Ana's phone"}); got != `huella check --iocs 'my feeds/x.stix2' '/ev/Ana'\''s phone'` {
		t.Errorf("Join = %s", got)
	}
}

// roundTrip runs a real POSIX shell on the quoted words and returns the
// arguments it received.
func roundTrip(t testing.TB, args []string) []string {
	t.Helper()
	// The quoted line is evaluated by the shell exactly as a person pasting
	// it would have it read.
	cmd := exec.Command("sh", "-c", "set -- "+Join(args)+`; for a in "$@"; do printf '%s\0' "$a"; done`)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v for %s", err, Join(args))
	}
	if len(out) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

// A shell reads the quoted line back into the same arguments.
func TestShellReadsItBack(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX shell")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	var args []string
	for _, c := range cases {
		if c.in != "" {
			args = append(args, c.in)
		}
	}
	args = append(args, "", "x y", "-n")
	got := roundTrip(t, args)
	if strings.Join(got, "\x00") != strings.Join(args, "\x00") {
		t.Errorf("shell read back\n%q\nwant\n%q", got, args)
	}
}

func FuzzQuote(f *testing.F) {
	for _, c := range cases {
		f.Add(c.in)
	}
	haveSh := runtime.GOOS != "windows"
	if _, err := exec.LookPath("sh"); err != nil {
		haveSh = false
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		// Invariants: a plain word is itself; anything else is one
		// single-quoted word whose only way out of the quotes is '\''.
		if q == s {
			if !plain(s) || s == "" {
				t.Fatalf("%q left unquoted", s)
			}
			return
		}
		if !strings.HasPrefix(q, "'") || !strings.HasSuffix(q, "'") {
			t.Fatalf("Quote(%q) = %s: not single-quoted", s, q)
		}
		if strings.Count(strings.ReplaceAll(q, `'\''`, ""), "'") != 2 {
			t.Fatalf("Quote(%q) = %s: stray quote", s, q)
		}
		// NUL cannot be in an argument; invalid UTF-8 is fine for sh but
		// not worth a process per input.
		if haveSh && !strings.ContainsRune(s, 0) && utf8.ValidString(s) && len(s) < 200 {
			if got := roundTrip(t, []string{s}); len(got) != 1 || !bytes.Equal([]byte(got[0]), []byte(s)) {
				t.Fatalf("sh read %q back as %q", s, got)
			}
		}
	})
}

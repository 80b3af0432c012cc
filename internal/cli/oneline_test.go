package cli

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOneLineCutsAtAWord(t *testing.T) {
	long := "A message uses a bait common in spyware attacks (a parcel or delivery notice) and carries a suspicious link"
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short\nline  with   spaces", 200, "short line with spaces"},
		{long, 40, "A message uses a bait common in spyware…"},
		{long, 47, "A message uses a bait common in spyware attacks…"},
		{"Mensaje de señuelo: paquete, entrega, aduana y más", 30, "Mensaje de señuelo: paquete…"},
		// One word longer than the line (a link): cut inside it, on a
		// character boundary.
		{"https://track-delivery.demospy.example/p/7Hq2xK/ñññññ", 20, "https://track-delive…"},
		{"ñññññññññññ", 5, "ññ…"},
	} {
		got := oneLine(c.in, c.n)
		if got != c.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
		if !utf8.ValidString(got) || len(strings.TrimSuffix(got, "…")) > c.n {
			t.Errorf("oneLine(%q, %d) = %q: invalid or too long", c.in, c.n, got)
		}
	}
}

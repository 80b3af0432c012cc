package shutdownlog

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add(block(1700000000, 3, "/usr/sbin/a", "/private/var/db/x/y", "/a/"+uuid))
	f.Add("remaining client pid: 1 (\nSIGTERM: @12\nAfter xs still here\n")
	f.Add("SIGTERM: [1700000000]\nremaining client pid: -1 ())\n")
	f.Fuzz(func(t *testing.T, s string) {
		rbs, _ := Parse(strings.NewReader(s), "f")
		n := 0
		for _, r := range rbs {
			n += len(r.Clients)
			for _, c := range r.Clients {
				if c.PID < 0 || !strings.HasPrefix(c.Path, c.Binary) {
					t.Fatalf("bad client %+v", c)
				}
			}
		}
		if n > len(s) {
			t.Fatalf("%d clients from %d bytes", n, len(s))
		}
	})
}

package cli

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/module/all"
)

// 'huella modules' lists every module once; --paths lists, under each, the
// paths its Def declares, one a line.
func TestModulesCommand(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct {
		args  []string
		lines func() int
		want  []string
	}{
		{[]string{"modules"}, func() int { return len(all.Modules()) },
			[]string{"ios.sms ", "Call history", "android.adb_keys "}},
		{[]string{"modules", "--paths"}, func() int {
			n := 0
			for _, m := range all.Modules() {
				n += len(m.Paths)
			}
			return n
		}, []string{"HomeDomain/Library/SMS/sms.db", "private/var/mobile/Library/SMS/sms.db", "**/adb_keys"}},
	} {
		r := w.huella("", c.args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", c.args, r.code, r.console())
		}
		lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
		if got := len(lines) - 1; got != c.lines() {
			t.Errorf("%v: %d lines under the header, want %d", c.args, got, c.lines())
		}
		for _, want := range c.want {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: no %q in\n%s", c.args, want, r.stdout)
			}
		}
	}
}

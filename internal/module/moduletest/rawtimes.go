package moduletest

import (
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/timestamp"
)

// KeepsRaw checks that r kept each impossible date (desc → the value as
// stored) in RawTimes, put none of them on the timeline, and carries no
// stamp outside the plausible range: an impossible date is shown as stored,
// never turned into a wrong date or silently into "no date".
func KeepsRaw(t testing.TB, r *model.Record, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, rt := range r.RawTimes {
		got[rt.Desc] = rt.Raw
	}
	for desc, raw := range want {
		if g, ok := got[desc]; !ok || g != raw {
			t.Errorf("%s: raw time %q is %q (present %v), want %q; raw times %+v", r.Summary, desc, g, ok, raw, r.RawTimes)
		}
	}
	for _, s := range r.Times {
		if _, bad := want[s.Desc]; bad || !timestamp.InRange(s.Time) {
			t.Errorf("%s: stamp %s at %v for an impossible date", r.Summary, s.Desc, s.Time)
		}
	}
}

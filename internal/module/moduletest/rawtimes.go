package moduletest

import (
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/timestamp"
)

// KeepsRaw checks that r kept each impossible date (desc → the value as
// stored) in RawTimes, with a reason, put none of them on the timeline, and
// carries no stamp outside the plausible range: an impossible date is shown
// as stored, never turned into a wrong date or silently into "no date".
func KeepsRaw(t testing.TB, r *model.Record, want map[string]string) {
	t.Helper()
	for desc, raw := range want {
		if !slices.ContainsFunc(r.RawTimes, func(x model.RawTime) bool { return x.Desc == desc && x.Raw == raw && x.Why != "" }) {
			t.Errorf("%s: no raw time %q = %q; raw times %+v", r.Summary, desc, raw, r.RawTimes)
		}
	}
	for _, s := range r.Times {
		if _, bad := want[s.Desc]; bad || !timestamp.InRange(s.Time) {
			t.Errorf("%s: stamp %s at %v for an impossible date", r.Summary, s.Desc, s.Time)
		}
	}
}

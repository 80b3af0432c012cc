package report

import (
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source/phoneexport"
)

// scopeNotes say, for evidence a person exports from the phone alone, what
// it covers (the days it spans, read from its timeline) and what it cannot
// show: an App Privacy Report holds about seven days, a Safari export the
// period chosen when exporting. Kinds without a "scope.<kind>" text in the
// catalogue get none. A Safari export's files left unopened (passwords,
// payment cards) are named, so the person knows to delete the export.
func scopeNotes(cat *Catalogue, info *results.Info, tl *TimelineInfo) []string {
	kind := string(info.Evidence.Kind)
	key := "scope." + kind
	if !cat.Has(key) {
		return nil
	}
	window := cat.T("scope.window_unknown")
	if len(tl.First) >= 10 && len(tl.Last) >= 10 {
		window = cat.T("scope.window", "from", tl.First[:10], "to", tl.Last[:10])
	}
	out := []string{cat.T(key, "window", window)}
	if files := info.Evidence.Device.Extra[phoneexport.ExtraNotOpened]; files != "" {
		out = append(out, cat.T("scope.not_opened", "files", files))
	}
	return out
}

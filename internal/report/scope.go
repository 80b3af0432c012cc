package report

import (
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/phoneexport"
)

// Scope says what evidence of a kind covers and what it cannot show, in the
// reader's language, or "" for kinds without a "scope.<kind>" text (a full
// backup or file-system dump). Evidence a person exports from the phone
// alone has one: an App Privacy Report holds about seven days, a Safari
// export only Safari's history, crash reports only the programs that
// failed. The console prints it under the verdict; the report adds the
// days the evidence spans.
func Scope(cat *Catalogue, kind source.Kind) string {
	key := "scope." + string(kind)
	if !cat.Has(key) {
		return ""
	}
	return cat.T(key)
}

// scopeNotes are the verdict's notes on scope: what the evidence covers
// and cannot show with the days it spans (read from its timeline), and a
// Safari export's files left unopened (passwords, payment cards), named so
// the person knows to delete the export.
func scopeNotes(cat *Catalogue, info *results.Info, tl *TimelineInfo) []string {
	scope := Scope(cat, info.Evidence.Kind)
	if scope == "" {
		return nil
	}
	window := cat.T("scope.window_unknown")
	if len(tl.First) >= 10 && len(tl.Last) >= 10 {
		window = cat.T("scope.window", "from", tl.First[:10], "to", tl.Last[:10])
	}
	out := []string{scope + " " + window}
	if files := info.Evidence.Device.Extra[phoneexport.ExtraNotOpened]; files != "" {
		out = append(out, cat.T("scope.not_opened", "files", files))
	}
	return out
}

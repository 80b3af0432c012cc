package report

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/phoneexport"
)

// Evidence exported on the phone alone says, in every language, what it
// covers, the days it spans and what it cannot show; a full backup or
// dump says nothing of the kind; a Safari export names the files left
// unopened.
func TestScopeNotes(t *testing.T) {
	limited := append([]source.Kind{source.Bugreport, source.IntrusionLogs}, source.PhoneKinds...)
	for _, lang := range Languages() {
		cat, err := LoadCatalogue(lang)
		if err != nil {
			t.Fatal(err)
		}
		cannot := map[string]string{"en": "cannot", "es": "No puede"}[lang]
		for _, k := range limited {
			info := &results.Info{Evidence: results.EvidenceInfo{Kind: k}}
			notes := scopeNotes(cat, info, &TimelineInfo{First: "2024-02-14T01:02:03Z", Last: "2024-02-21T04:00:00Z"})
			if len(notes) != 1 || !strings.Contains(notes[0], "2024-02-14") || !strings.Contains(notes[0], "2024-02-21") {
				t.Errorf("%s %s: notes %q: want one with the window", lang, k, notes)
				continue
			}
			if !strings.Contains(notes[0], cannot) {
				t.Errorf("%s %s: %q does not say what it cannot show", lang, k, notes[0])
			}
			if Scope(cat, k) == "" || !strings.HasPrefix(notes[0], Scope(cat, k)) {
				t.Errorf("%s %s: Scope %q", lang, k, Scope(cat, k))
			}
			if none := scopeNotes(cat, info, &TimelineInfo{}); len(none) != 1 || !strings.Contains(none[0], cat.T("scope.window_unknown")) {
				t.Errorf("%s %s: no timeline: %q", lang, k, none)
			}
		}
		if k := source.IOSSafariExport; true {
			info := &results.Info{Evidence: results.EvidenceInfo{Kind: k, Device: source.Device{Extra: map[string]string{phoneexport.ExtraNotOpened: "Passwords.csv, PaymentCards.json"}}}}
			notes := scopeNotes(cat, info, &TimelineInfo{})
			if len(notes) != 2 || !strings.Contains(notes[1], "Passwords.csv, PaymentCards.json") {
				t.Errorf("%s: files left unopened not named: %q", lang, notes)
			}
		}
		for _, k := range []source.Kind{source.IOSBackup, source.IOSFS, source.AndroidQF} {
			if n := scopeNotes(cat, &results.Info{Evidence: results.EvidenceInfo{Kind: k}}, &TimelineInfo{First: "2024-01-01"}); n != nil {
				t.Errorf("%s %s: %q", lang, k, n)
			}
		}
	}
}

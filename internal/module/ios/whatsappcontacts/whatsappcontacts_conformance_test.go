package whatsappcontacts

import (
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/module/moduletest"
)

// MVT tests/ios_backup/test_whatsapp_contacts.py: Alice and Bob with their
// disappearing-mode, about and update times; 5 timeline events; no alerts.
func TestConformanceMVTBackup(t *testing.T) {
	sink, err := moduletest.Run(t, Def(), moduletest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 2 {
		t.Fatalf("%d records", len(sink.Records))
	}
	ts := func(x time.Time) string { return x.UTC().Format("2006-01-02 15:04:05") }
	alice, bob := sink.Records[0].Data.(*Contact), sink.Records[1].Data.(*Contact)
	if alice.FullName != "Alice Example" || alice.PhoneNumber != "+14155550100" || alice.WhatsAppID != "14155550100@s.whatsapp.net" ||
		alice.LID != "100000000000001@lid" || alice.UserName != "alice.example" || alice.DisappearingDuration == nil ||
		*alice.DisappearingDuration != 86400 || !alice.DisappearingOn || alice.DisappearingLabel != "24 hours" ||
		ts(alice.DisappearingSet) != "2025-07-23 21:46:40" || ts(alice.AboutChanged) != "2025-07-12 08:00:00" ||
		ts(alice.AboutExpires) != "2025-08-16 01:20:00" || ts(alice.LastUpdated) != "2025-08-04 11:33:20" {
		t.Errorf("alice %+v", alice)
	}
	if bob.LID != "" || bob.DisappearingDuration != nil || bob.DisappearingOn || bob.DisappearingLabel != "off" || !bob.DisappearingSet.IsZero() {
		t.Errorf("bob %+v", bob)
	}
	events := map[string]int{}
	for _, r := range sink.Records {
		for _, e := range r.Events() {
			events[e.Desc]++
			if e.Desc == "contact_last_updated" && ts(e.Time) != "2025-08-04 11:33:20" {
				t.Errorf("last updated at %s", ts(e.Time))
			}
		}
	}
	if events["disappearing_mode_set"] != 1 || events["about_changed"] != 1 || events["about_expiration"] != 1 || events["contact_last_updated"] != 2 {
		t.Errorf("events %v", events)
	}
	s := sink.Records[0].Summary
	for _, want := range []string{"24 hours", "14155550100@s.whatsapp.net (Alice Example)", `changed to "Hey there! I am using WhatsApp."`, "scheduled to expire"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary %q lacks %q", s, want)
		}
	}
	if !strings.Contains(sink.Records[1].Summary, "14155550101@s.whatsapp.net (Bob Example)") {
		t.Errorf("bob summary %q", sink.Records[1].Summary)
	}
	if len(sink.Detections) != 0 || len(sink.Warnings) != 0 {
		t.Errorf("detections %v warnings %v", sink.Detections, sink.Warnings)
	}
}

package interactionc

import (
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/module/ios/iostest"
)

// MVT tests/ios_backup/test_interactionc.py (without the WhatsApp contacts
// dependency): 3 interactions and their unresolved summaries; one record
// created 90 days after its event.
func TestConformanceMVTBackup(t *testing.T) {
	sink, err := iostest.Run(t, New(), iostest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 3 {
		t.Fatalf("%d records", len(sink.Records))
	}
	var sums []string
	late := 0
	for _, r := range sink.Records {
		sums = append(sums, r.Summary)
		for _, s := range r.Times {
			if s.Desc == "interaction_record_created" {
				late++
				if got := s.Time.Format("2006-01-02 15:04:05"); got != "2025-12-09 12:26:40" {
					t.Errorf("late creation at %s", got)
				}
			}
		}
	}
	for _, want := range []string{
		"[net.whatsapp.WhatsApp] INCOMING from 100000000000001@lid to local user",
		"[net.whatsapp.WhatsApp] OUTGOING from local user to +14155550100",
		"[com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user",
	} {
		if !slices.Contains(sums, want) {
			t.Errorf("missing %q in %q", want, sums)
		}
	}
	if late != 1 {
		t.Errorf("%d late-creation stamps, want 1", late)
	}
}

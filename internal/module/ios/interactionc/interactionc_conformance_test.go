package interactionc

import (
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
)

// MVT tests/ios_backup/test_interactionc.py with the WhatsApp contacts
// dependency (ContactsV2.sqlite is in the backup): 3 interactions, WhatsApp
// ids resolved to Alice, one record created 90 days after its event, and
// Bob's first/last incoming-sender dates (ios.interactionc_contacts).
func TestConformanceMVTBackup(t *testing.T) {
	ev := moduletest.MVTBackup(t)
	sink, err := moduletest.Run(t, moduletest.Find(t, Defs(), "ios.interactionc"), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 3 {
		t.Fatalf("%d records, MVT has 3 results", len(sink.Records))
	}
	csink, err := moduletest.Run(t, moduletest.Find(t, Defs(), "ios.interactionc_contacts"), ev)
	if err != nil {
		t.Fatal(err)
	}
	sink.Records = append(sink.Records, csink.Records...)
	var its []*Interaction
	var sums []string
	stamps := map[string][]string{}
	for _, r := range sink.Records {
		if it, ok := r.Data.(*Interaction); ok {
			its = append(its, it)
			sums = append(sums, r.Summary)
		}
		for _, s := range r.Times {
			stamps[s.Desc] = append(stamps[s.Desc], s.Time.Format("2006-01-02 15:04:05")+" "+r.Summary)
		}
	}
	if len(its) != 3 {
		t.Fatalf("%d interactions", len(its))
	}
	for _, want := range []string{
		"[net.whatsapp.WhatsApp] INCOMING from Alice Example (+14155550100) to local user",
		"[net.whatsapp.WhatsApp] OUTGOING from local user to Alice Example (+14155550100)",
		"[com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user",
	} {
		if !slices.Contains(sums, want) {
			t.Errorf("missing %q in %q", want, sums)
		}
	}
	in, out, sms := its[0], its[1], its[2]
	if in.Direction != "INCOMING" || in.Sender.ResolvedPhone != "+14155550100" || in.Sender.ResolvedName != "Alice Example" {
		t.Errorf("incoming %+v sender %+v", in, in.Sender)
	}
	if out.Direction != "OUTGOING" || len(out.Recipients) != 1 || out.Recipients[0].Identifier != "+14155550100" ||
		out.Recipients[0].ResolvedName != "Alice Example" || out.DomainResolvedPhone != "+14155550100" || out.DomainResolvedName != "Alice Example" {
		t.Errorf("outgoing %+v", out)
	}
	if sms.Sender.ResolvedName != "" || sms.Sender.DisplayName != "Bob Example" {
		t.Errorf("sms sender %+v", sms.Sender)
	}
	for desc, want := range map[string][]string{
		"interaction_record_created": {"2025-12-09 12:26:40 [com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user"},
		"first_incoming_sender_date": {"2025-09-03 13:46:40 Interactions with Bob Example (+14155550101): 0 incoming as sender, 0 incoming as recipient, 0 outgoing"},
	} {
		if !slices.Equal(stamps[desc], want) {
			t.Errorf("%s: %q", desc, stamps[desc])
		}
	}
	if len(stamps["last_incoming_sender_date"]) != 1 {
		t.Errorf("last incoming: %q", stamps["last_incoming_sender_date"])
	}
	if len(sink.Detections) != 0 || len(sink.Warnings) != 0 {
		t.Errorf("detections %v warnings %v", sink.Detections, sink.Warnings)
	}
}

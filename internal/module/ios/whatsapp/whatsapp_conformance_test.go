package whatsapp

import (
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
)

// MVT tests/ios_backup/test_whatsapp.py: 3 messages, 2 chat sessions, 1 LID
// pair (LID.sqlite is on disk but not in Manifest.db); the link
// https://example.org/news; Alice's @lid chat resolves to +14155550100.
func TestConformanceMVTBackup(t *testing.T) {
	sink, err := moduletest.Run(t, Def(), moduletest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []*Message
	var sessions []*Session
	var pairs []*LIDPair
	events := 0
	for _, r := range sink.Records {
		events += len(r.Times)
		switch d := r.Data.(type) {
		case *Message:
			msgs = append(msgs, d)
		case *Session:
			sessions = append(sessions, d)
		case *LIDPair:
			pairs = append(pairs, d)
		}
	}
	if len(msgs) != 3 || len(sessions) != 2 || len(pairs) != 1 {
		t.Fatalf("%d messages, %d sessions, %d pairs", len(msgs), len(sessions), len(pairs))
	}
	var linked []string
	for _, m := range msgs {
		linked = append(linked, m.Links...)
	}
	if !slices.Equal(linked, []string{"https://example.org/news"}) {
		t.Errorf("links %v", linked)
	}
	p := pairs[0]
	if p.LID != "100000000000001" || p.PhoneNumber != "14155550100" || p.Timestamp.Format("2006-01-02 15:04:05") != "2025-08-25 07:33:20" {
		t.Errorf("pair %+v", p)
	}
	alice := sessions[0]
	if alice.ContactJID != "100000000000001@lid" || alice.PartnerResolvedPhone != "+14155550100" || alice.StoredMessageCount != 2 ||
		alice.FirstStoredMessage.Format("2006-01-02 15:04:05") != "2025-08-27 15:06:40" ||
		alice.LastMessageDate.Format("2006-01-02 15:04:05") != "2025-08-28 18:53:20" || !alice.GroupCreated.IsZero() {
		t.Errorf("alice %+v", alice)
	}
	group := sessions[1]
	if group.GroupCreated.Format("2006-01-02 15:04:05") != "2025-08-21 20:13:20" ||
		group.LastMessageDate.Format("2006-01-02 15:04:05") != "2025-08-31 02:26:40" {
		t.Errorf("group %+v", group)
	}
	if len(sink.Detections) != 0 {
		t.Errorf("detections %+v", sink.Detections)
	}
}

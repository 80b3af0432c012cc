package smsattachments

import (
	"errors"
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sms"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func build(t *testing.T, dir string) {
	moduletest.SQLite(t, dir, sms.Paths[0],
		`CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT)`,
		`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, handle_id INTEGER, service TEXT, date INTEGER, is_from_me INTEGER)`,
		`CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY, guid TEXT, created_date INTEGER, filename TEXT, uti TEXT, mime_type TEXT, transfer_name TEXT, total_bytes INTEGER, is_outgoing INTEGER)`,
		`CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER)`,
		`INSERT INTO handle VALUES (1, 'evil@icloud.example'), (2, '+15551234567')`,
		`INSERT INTO message VALUES (1, 'M1', NULL, 1, 'iMessage', 650000000000000000, 0), (2, 'M2', 'pic', 2, 'iMessage', 650000100000000000, 1)`,
		`INSERT INTO attachment VALUES
		 (1, 'A1', 650000000, '/var/tmp/com.apple.messages/3F2A-1', 'public.data', NULL, '3F2A-1', 512, 0),
		 (2, 'A2', 650000100, '~/Library/SMS/Attachments/ab/11/IMG_1.jpg', 'public.jpeg', 'image/jpeg', 'IMG_1.jpg', 2048, 1),
		 (3, 'A3', 650000200, '~/Library/SMS/Attachments/cd/22/pass.pkpass', 'com.apple.pkpass', 'application/vnd.apple.pkpass', 'pass.pkpass', 100, 0)`,
		`INSERT INTO message_attachment_join VALUES (1, 1), (2, 2), (1, 3)`)
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	build(t, dir)
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 3 {
		t.Fatalf("%d records, want 3", len(sink.Records))
	}
	tests := []struct {
		i         int
		path      string
		direction string
		handle    string
	}{
		{0, "/var/tmp/com.apple.messages/3F2A-1", "received", "evil@icloud.example"},
		{1, "/private/var/mobile/Library/SMS/Attachments/ab/11/IMG_1.jpg", "sent", "+15551234567"},
		{2, "/private/var/mobile/Library/SMS/Attachments/cd/22/pass.pkpass", "received", "evil@icloud.example"},
	}
	for _, tt := range tests {
		r := sink.Records[tt.i]
		a := r.Data.(*Attachment)
		if !moduletest.Has(r, model.KindFilePath, tt.path) || a.Direction != tt.direction || a.Handle != tt.handle {
			t.Errorf("record %d: %+v %+v", tt.i, a, r.Observables)
		}
		if len(r.Times) != 1 || r.Times[0].Desc != "sms_attachment" {
			t.Errorf("record %d stamps %+v", tt.i, r.Times)
		}
	}
	rules := sink.Rules()
	if !slices.Equal(rules, []string{"ios.attachment.zero_click", "ios.attachment.passkit_stranger"}) {
		t.Fatalf("rules %v", rules)
	}
	if d := sink.Detections[0]; d.Severity != model.High || d.Record != sink.Records[0] {
		t.Errorf("zero-click detection %+v", d)
	}
}

func TestKnownSenderPassNotFlagged(t *testing.T) {
	dir := t.TempDir()
	build(t, dir)
	moduletest.SQLite(t, dir, "HomeDomain/Library/AddressBook/AddressBook.sqlitedb",
		`CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY, First TEXT)`,
		`CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, value TEXT)`,
		`INSERT INTO ABPerson VALUES (1, 'Shop')`, `INSERT INTO ABMultiValue VALUES (1, 1, 4, 'EVIL@icloud.example')`)
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rules := sink.Rules(); !slices.Equal(rules, []string{"ios.attachment.zero_click"}) {
		t.Errorf("rules %v", rules)
	}
}

func TestNoAttachmentTable(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, sms.Paths[1], `CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT)`)
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("got %v, want ErrAbsent", err)
	}
	dir = t.TempDir()
	moduletest.SQLite(t, dir, sms.Paths[0], `CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY, path TEXT)`)
	var se *sqlitex.SchemaError
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); !errors.As(err, &se) {
		t.Errorf("got %v, want SchemaError", err)
	}
}

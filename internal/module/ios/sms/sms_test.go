package sms

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/heuristics/messages"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

const schema = `CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, service TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, text TEXT, handle_id INTEGER DEFAULT 0,
 subject TEXT, attributedBody BLOB, service TEXT, account TEXT, date INTEGER, date_read INTEGER,
 date_delivered INTEGER, is_from_me INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0);`

// typedStream builds an attributedBody the way Messages archives it.
func typedStream(text string) []byte {
	b := []byte("\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+")
	n := len(text)
	switch {
	case n < 0x80:
		b = append(b, byte(n))
	case n < 0x8000:
		b = append(b, 0x81)
		b = binary.LittleEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x82)
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	b = append(b, text...)
	return append(b, "\x86\x84\x02iI\x01"...)
}

func TestBodyText(t *testing.T) {
	long := strings.Repeat("é", 300)
	tests := []struct {
		name string
		blob []byte
		want string
		ok   bool
	}{
		{"short", typedStream("hola https://x.example/1234567s"), "hola https://x.example/1234567s", true},
		{"int16 length", typedStream(long), long, true},
		{"empty", nil, "", false},
		{"truncated", truncated("hello world"), "", false},
		{"no marker", []byte("streamtyped garbage"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := BodyText(tt.blob)
			if got != tt.want || ok != tt.ok {
				t.Errorf("BodyText = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func truncated(text string) []byte {
	b := typedStream(text)
	return b[:len(b)-6-len(text)/2] // the trailer is 6 bytes; cut into the text
}

func newSMSDB(t *testing.T, dir, rel string) string {
	t.Helper()
	p := moduletest.SQLite(t, dir, rel, schema,
		`INSERT INTO handle (ROWID, id, service) VALUES (1, '+52 55 1234 5678', 'SMS'), (2, 'attacker@icloud.example', 'iMessage')`,
		// 2019-08-29 23:13:30 UTC in nanoseconds since 2001.
		`INSERT INTO message (ROWID, guid, text, handle_id, service, account, date, date_read, is_from_me)
		 VALUES (1, 'G1', 'Please click here https://badbadbad.example.org/', 1, 'SMS', 'p:+15550000', 588813210000000000, 588813220000000000, 0)`,
		`INSERT INTO message (ROWID, guid, text, handle_id, service, account, date, is_from_me)
		 VALUES (2, 'G2', 'ok, thanks', 1, 'SMS', 'p:+15550000', 588813300000000000, 1)`,
		`INSERT INTO message (ROWID, guid, text, handle_id, service, date, is_from_me)
		 VALUES (3, 'G3', 'ALERT: Apple detected a targeted mercenary spyware attack against your iPhone.', 0, 'iMessage', 588813400000000000, 0)`,
	)
	moduletest.Exec(t, p, `INSERT INTO message (ROWID, guid, text, attributedBody, handle_id, service, account, date, is_from_me)
		VALUES (4, 'G4', NULL, ?, 2, 'iMessage', 'e:me@example.com', 588813500000000000, 0)`, typedStream("look at https://news.example.net/a"))
	return p
}

func TestRun(t *testing.T) {
	for _, kind := range []struct {
		kind source.Kind
		rel  string
	}{{source.IOSBackup, Paths[0]}, {source.IOSFS, Paths[1]}} {
		t.Run(string(kind.kind), func(t *testing.T) {
			dir := t.TempDir()
			newSMSDB(t, dir, kind.rel)
			sink, err := moduletest.Run(t, Def(), moduletest.Evidence(t, kind.kind, dir))
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.Records) != 4 {
				t.Fatalf("got %d records, want 4", len(sink.Records))
			}
			r0 := sink.Records[0]
			m0 := r0.Data.(*Message)
			if !moduletest.Has(r0, model.KindURL, "https://badbadbad.example.org/") {
				t.Errorf("link observable missing: %+v", r0.Observables)
			}
			if got := moduletest.Descs(r0); !slices.Equal(got, []string{"sms_received", "sms_read"}) {
				t.Errorf("stamps %v", got)
			}
			if got := r0.Times[0].Time.Format("2006-01-02 15:04:05"); got != "2019-08-29 23:13:30" {
				t.Errorf("date %s", got)
			}
			if m0.Handle != "+52 55 1234 5678" || m0.Direction != "received" || m0.SenderKnown != nil {
				t.Errorf("message 1: %+v", m0)
			}
			if d := moduletest.Descs(sink.Records[1]); !slices.Equal(d, []string{"sms_sent"}) {
				t.Errorf("sent stamps %v", d)
			}
			m3 := sink.Records[3].Data.(*Message)
			if m3.Text != "look at https://news.example.net/a" || m3.TextSource != "attributedBody" {
				t.Errorf("attributedBody fallback: %+v", m3)
			}
			for _, want := range []struct {
				kind model.Kind
				v    string
			}{
				{model.KindURL, "https://news.example.net/a"},
				{model.KindEmail, "attacker@icloud.example"},
				{model.KindEmail, "me@example.com"},
			} {
				if !moduletest.Has(sink.Records[3], want.kind, want.v) {
					t.Errorf("record 4 lacks %s %s: %+v", want.kind, want.v, sink.Records[3].Observables)
				}
			}
			if rules := sink.Rules(); !slices.Contains(rules, messages.RuleAppleWarning) {
				t.Errorf("threat notification not detected: %v", rules)
			}
			for _, d := range sink.Detections {
				if d.Rule == messages.RuleAppleWarning && (d.Severity != model.High || d.Record != sink.Records[2]) {
					t.Errorf("threat detection %+v", d)
				}
			}
		})
	}
}

func TestSenderKnownFromContacts(t *testing.T) {
	dir := t.TempDir()
	newSMSDB(t, dir, Paths[0])
	moduletest.SQLite(t, dir, "HomeDomain/Library/AddressBook/AddressBook.sqlitedb",
		`CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY, First TEXT, Last TEXT)`,
		`CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, value TEXT)`,
		`INSERT INTO ABPerson VALUES (1, 'Ana', 'López')`,
		`INSERT INTO ABMultiValue VALUES (1, 1, 3, '55-1234-5678')`)
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{1: true, 2: true, 4: false}
	for _, r := range sink.Records {
		m := r.Data.(*Message)
		w, ok := want[m.ID]
		if !ok {
			if m.SenderKnown != nil {
				t.Errorf("message %d without handle has sender_known", m.ID)
			}
			continue
		}
		if m.SenderKnown == nil || *m.SenderKnown != w {
			t.Errorf("message %d: sender_known %v, want %v", m.ID, m.SenderKnown, w)
		}
	}
}

func TestAbsentAndUnknownSchema(t *testing.T) {
	_, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir())
	if !errors.Is(err, module.ErrAbsent) {
		t.Errorf("empty evidence: %v, want ErrAbsent", err)
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[0], `CREATE TABLE message (ROWID INTEGER PRIMARY KEY, body TEXT)`)
	_, err = moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	var se *sqlitex.SchemaError
	if !errors.As(err, &se) {
		t.Errorf("unknown schema: %v, want SchemaError", err)
	}
	dir = t.TempDir()
	moduletest.File(t, dir, Paths[0], []byte("this is not sqlite, maybe still encrypted"))
	if _, err = moduletest.RunDir(t, Def(), source.IOSBackup, dir); err == nil || errors.Is(err, module.ErrAbsent) || !strings.Contains(err.Error(), "sms.db") {
		t.Errorf("garbage db: %v", err)
	}
}

// TestWALOnlyRows proves rows that live only in sms.db-wal are read: the
// writer stays open while the three files are copied, so nothing has been
// checkpointed into the main file.
func TestWALOnlyRows(t *testing.T) {
	ctx := context.Background()
	work := t.TempDir()
	p := filepath.Join(work, "sms.db")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range []string{"PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0", schema,
		`INSERT INTO message (ROWID, guid, text, date, is_from_me) VALUES (1, 'old', 'in main file', 588813210000000000, 0)`,
		"PRAGMA wal_checkpoint(TRUNCATE)",
		`INSERT INTO message (ROWID, guid, text, date, is_from_me) VALUES (2, 'new', 'only in wal http://wal.example/', 588813310000000000, 0)`,
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	dir := t.TempDir()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		moduletest.CopyFile(t, p+suffix, filepath.Join(dir, filepath.FromSlash(Paths[0]+suffix)))
	}
	if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(Paths[0]+"-wal"))); err != nil || fi.Size() == 0 {
		t.Fatalf("fixture has no WAL content: %v", err)
	}
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	var guids []string
	for _, r := range sink.Records {
		guids = append(guids, r.Data.(*Message).GUID)
	}
	if !slices.Equal(guids, []string{"old", "new"}) {
		t.Fatalf("read %v, want [old new]", guids)
	}
	if !moduletest.Has(sink.Records[1], model.KindURL, "http://wal.example/") {
		t.Errorf("WAL row link missing")
	}
}

func FuzzBodyText(f *testing.F) {
	f.Add(typedStream("hello https://example.org"))
	f.Add(typedStream(strings.Repeat("x", 200)))
	f.Add([]byte("bplist00"))
	f.Add([]byte("NSString\x01\x94\x84\x01+\x82\xff\xff\xff\x7f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, ok := BodyText(b)
		if !ok && s != "" {
			t.Fatalf("not ok but text %q", s)
		}
		if len(s) > 4*maxBodyBytes {
			t.Fatalf("text of %d bytes", len(s))
		}
		_ = extractLinks(s)
	})
}

func TestLureScoring(t *testing.T) {
	dir := t.TempDir()
	p := newSMSDB(t, dir, Paths[0])
	moduletest.Exec(t, p, `INSERT INTO message (ROWID, guid, text, handle_id, service, date, is_from_me)
		VALUES (5, 'G5', 'Falleció tu padre, detalles del velorio: smsmensaje-mx.com/3589003s/', 1, 'SMS', 588813600000000000, 0)`)
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	perRecord := map[int64][]string{}
	for _, d := range sink.Detections {
		id := d.Record.Data.(*Message).ID
		perRecord[id] = append(perRecord[id], d.Rule)
	}
	if len(perRecord[5]) == 0 {
		t.Errorf("lure message not flagged: %v", perRecord)
	}
	if len(perRecord[2]) != 0 {
		t.Errorf("benign sent message flagged: %v", perRecord[2])
	}
	n := 0
	for _, r := range perRecord[3] {
		if r == messages.RuleAppleWarning {
			n++
		}
	}
	if n != 1 {
		t.Errorf("threat notification reported %d times: %v", n, perRecord[3])
	}
	if !moduletest.Has(sink.Records[4], model.KindURL, "smsmensaje-mx.com/3589003s/") {
		t.Errorf("schemeless link observable missing: %+v", sink.Records[4].Observables)
	}
}

// TestDatesOutsideTheRange: a crafted sms.db can hold any number in its date
// columns. A value that is no date between 1970 and 2100 is kept as stored on
// the record (raw_times), never wrapped to a wrong date (9.5e9 seconds once
// came back as 1717), and the message itself is still reported.
func TestDatesOutsideTheRange(t *testing.T) {
	dir := t.TempDir()
	p := newSMSDB(t, dir, Paths[0])
	moduletest.Exec(t, p, `INSERT INTO message (ROWID, guid, text, handle_id, service, date, date_read, is_from_me) VALUES
		(5, 'G5', 'seconds past 2100', 1, 'SMS', 9500000000, 0, 0),
		(6, 'G6', 'nanoseconds near the int64 limit', 1, 'SMS', 9223372036854775807, -9223372036854775808, 0),
		(7, 'G7', 'a real number', 1, 'SMS', 1e300, NULL, 0),
		(8, 'G8', 'before 1970', 1, 'SMS', -1000000000, NULL, 0)`)
	// The delivery date is not on the timeline, but an impossible one is
	// kept as stored all the same.
	moduletest.Exec(t, p, `UPDATE message SET date_delivered = 9600000000 WHERE ROWID = 5`)
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]string{5: {"9500000000", "9600000000"}, 6: {"9223372036854775807", "-9223372036854775808"}, 7: {"1e+300"}, 8: {"-1000000000"}}
	for _, r := range sink.Records {
		m := r.Data.(*Message)
		raws, ok := want[m.ID]
		if !ok {
			continue
		}
		delete(want, m.ID)
		if len(r.Times) != 0 || !m.Date.IsZero() || !m.DateDelivered.IsZero() {
			t.Errorf("message %d: placed at %v (times %v)", m.ID, m.Date, r.Times)
		}
		var got []string
		for _, rt := range r.RawTimes {
			got = append(got, rt.Raw)
			if rt.Desc == "" || !strings.Contains(rt.Why, "not a date between 1970 and 2099") {
				t.Errorf("message %d: raw time %+v", m.ID, rt)
			}
		}
		if !slices.Equal(got, raws) {
			t.Errorf("message %d: raw times %q, want %q", m.ID, got, raws)
		}
		if len(r.Events()) != 0 {
			t.Errorf("message %d is on the timeline: %v", m.ID, r.Events())
		}
	}
	if len(want) != 0 {
		t.Errorf("messages not reported: %v", want)
	}
}

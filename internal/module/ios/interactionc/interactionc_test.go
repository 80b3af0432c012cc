package interactionc

import (
	"errors"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/whatsappcontacts"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func buildDB(t *testing.T, dir string) {
	moduletest.SQLite(t, dir, Paths[0],
		`CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY, ZSENDER INTEGER, ZSTARTDATE REAL, ZENDDATE REAL, ZCREATIONDATE REAL,
		 ZBUNDLEID TEXT, ZACCOUNT TEXT, ZDIRECTION INTEGER, ZDOMAINIDENTIFIER TEXT, ZGROUPNAME TEXT)`,
		`CREATE TABLE ZCONTACTS (Z_PK INTEGER PRIMARY KEY, ZDISPLAYNAME TEXT, ZIDENTIFIER BLOB, ZPERSONID TEXT,
		 ZINCOMINGSENDERCOUNT INTEGER, ZCREATIONDATE REAL, ZFIRSTINCOMINGSENDERDATE REAL, ZLASTINCOMINGSENDERDATE REAL)`,
		`CREATE TABLE Z_2INTERACTIONRECIPIENT (Z_2RECIPIENTS INTEGER, Z_3INTERACTIONRECIPIENT INTEGER)`,
		`CREATE TABLE ZATTACHMENT (Z_PK INTEGER PRIMARY KEY, ZUTI TEXT, ZCONTENTURL TEXT, ZSIZEINBYTES INTEGER, ZIDENTIFIER BLOB)`,
		`CREATE TABLE Z_1INTERACTIONS (Z_1ATTACHMENTS INTEGER, Z_3INTERACTIONS INTEGER)`,
		`INSERT INTO ZCONTACTS VALUES (1, NULL, '100000000000001@lid', NULL, 3, 778000000, 778600000, 779000000),
		 (2, NULL, '+14155550100', NULL, NULL, NULL, NULL, NULL), (3, 'Bob Example', '+14155550101', NULL, NULL, NULL, NULL, NULL),
		 (4, 'Eve', 'eve@icloud.example', NULL, NULL, NULL, NULL, NULL), (5, 'Carol', X'2b3134313535353530313032', NULL, NULL, NULL, NULL, NULL)`,
		`INSERT INTO ZINTERACTIONS VALUES
		 (1, 1, 779000000, 779000000, 779000000, 'net.whatsapp.WhatsApp', NULL, 0, NULL, NULL),
		 (2, NULL, 779100000, 779100000, 779100000, 'net.whatsapp.WhatsApp', NULL, 1, '100000000000001@lid', NULL),
		 (3, 3, 779200000, 779200000, 786976000, 'com.apple.MobileSMS', NULL, 0, NULL, NULL),
		 (4, 4, 779300000, 779300060, 779300000, 'com.apple.MobileSMS', NULL, 0, NULL, 'Chat'),
		 (5, NULL, 779400000, 779400000, 779400000, 'com.apple.MobileSMS', NULL, 1, NULL, NULL)`,
		`INSERT INTO Z_2INTERACTIONRECIPIENT VALUES (2, 2), (3, 5), (5, 5)`,
		`INSERT INTO ZATTACHMENT VALUES (1, 'public.jpeg', 'https://cdn.example.net/a.jpg', 1024, X'CAFE'), (2, 'public.png', NULL, NULL, NULL)`,
		`INSERT INTO Z_1INTERACTIONS VALUES (1, 4), (2, 4)`)
}

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		contacts  bool
		summaries []string
	}{
		{"without WhatsApp contacts", false, []string{
			"[net.whatsapp.WhatsApp] INCOMING from 100000000000001@lid to local user",
			"[net.whatsapp.WhatsApp] OUTGOING from local user to +14155550100",
			"[com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user",
			"[com.apple.MobileSMS] INCOMING from Eve (eve@icloud.example) to local user (group: Chat)",
			"[com.apple.MobileSMS] OUTGOING from local user to Bob Example (+14155550101), Carol (+14155550102)",
			"Interactions with 100000000000001@lid: 3 incoming as sender, 0 incoming as recipient, 0 outgoing",
		}},
		{"with WhatsApp contacts", true, []string{
			"[net.whatsapp.WhatsApp] INCOMING from Alice Example (+14155550100) to local user",
			"[net.whatsapp.WhatsApp] OUTGOING from local user to Alice Example (+14155550100)",
			"[com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user",
			"[com.apple.MobileSMS] INCOMING from Eve (eve@icloud.example) to local user (group: Chat)",
			// SMS parties are not WhatsApp ids and keep their own names.
			"[com.apple.MobileSMS] OUTGOING from local user to Bob Example (+14155550101), Carol (+14155550102)",
			"Interactions with Alice Example (+14155550100): 3 incoming as sender, 0 incoming as recipient, 0 outgoing",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			buildDB(t, dir)
			if tt.contacts {
				moduletest.SQLite(t, dir, whatsappcontacts.Paths[0],
					`CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, ZFULLNAME TEXT, ZPHONENUMBER TEXT, ZWHATSAPPID TEXT, ZLID TEXT)`,
					`INSERT INTO ZWAADDRESSBOOKCONTACT VALUES (1, 'Alice Example', '+14155550100', '14155550100@s.whatsapp.net', '100000000000001@lid'),
					 (2, 'Mallory', '+14155550101', '14155550101@s.whatsapp.net', NULL)`)
			}
			sink, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.interactionc"), source.IOSBackup, dir)
			if err != nil {
				t.Fatal(err)
			}
			csink, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.interactionc_contacts"), source.IOSBackup, dir)
			if err != nil {
				t.Fatal(err)
			}
			sink.Records = append(sink.Records, csink.Records...)
			var sums []string
			for _, r := range sink.Records {
				sums = append(sums, r.Summary)
			}
			if !slices.Equal(sums, tt.summaries) {
				t.Errorf("summaries:\n%q\nwant\n%q", sums, tt.summaries)
			}
			if len(sink.Records) != 6 {
				return
			}
			stamps := [][]string{{"interaction_start"}, {"interaction_start"}, {"interaction_start", "interaction_record_created"},
				{"interaction_start", "interaction_end"}, {"interaction_start"},
				{"contacts_creation_date", "first_incoming_sender_date", "last_incoming_sender_date"}}
			for i, want := range stamps {
				if got := moduletest.Descs(sink.Records[i]); !slices.Equal(got, want) {
					t.Errorf("record %d stamps %v want %v", i, got, want)
				}
			}
			eve := sink.Records[3]
			atts := eve.Data.(*Interaction).Attachments
			if len(atts) != 2 || atts[0] != (Attachment{UTI: "public.jpeg", ContentURL: "https://cdn.example.net/a.jpg", Size: 1024, ID: "CAFE"}) || atts[1].UTI != "public.png" {
				t.Errorf("attachments %+v", atts)
			}
			if !moduletest.Has(eve, model.KindEmail, "eve@icloud.example") || !moduletest.Has(eve, model.KindURL, "https://cdn.example.net/a.jpg") ||
				len(sink.Records[0].Observables) != 0 {
				t.Errorf("observables: %+v / %+v", eve.Observables, sink.Records[0].Observables)
			}
		})
	}
}

func TestRecipientBound(t *testing.T) {
	dir := t.TempDir()
	p := moduletest.SQLite(t, dir, Paths[0],
		`CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY, ZSTARTDATE REAL, ZBUNDLEID TEXT, ZDIRECTION INTEGER)`,
		`CREATE TABLE ZCONTACTS (Z_PK INTEGER PRIMARY KEY, ZIDENTIFIER TEXT)`,
		`CREATE TABLE Z_2INTERACTIONRECIPIENT (Z_2RECIPIENTS INTEGER, Z_3INTERACTIONRECIPIENT INTEGER)`,
		`INSERT INTO ZINTERACTIONS VALUES (1, 1, 'x', 1)`)
	moduletest.Exec(t, p, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 500)
		INSERT INTO ZCONTACTS SELECT i, '+1' || i FROM n`)
	moduletest.Exec(t, p, `INSERT INTO Z_2INTERACTIONRECIPIENT SELECT Z_PK, 1 FROM ZCONTACTS`)
	sink, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.interactionc"), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sink.Records[0].Data.(*Interaction).Recipients); n != maxRecipients {
		t.Errorf("%d recipients kept", n)
	}
}

func TestAbsentAndSchema(t *testing.T) {
	for _, m := range []module.Def{moduletest.Find(t, Defs(), "ios.interactionc"), moduletest.Find(t, Defs(), "ios.interactionc_contacts")} {
		if _, err := moduletest.RunDir(t, m, source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
			t.Errorf("%s: %v", m.Name, err)
		}
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[1], `CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY)`)
	var se *sqlitex.SchemaError
	if _, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.interactionc"), source.IOSBackup, dir); !errors.As(err, &se) {
		t.Errorf("%v", err)
	}
}

// FuzzParties feeds arbitrary linked-row texts through the bounds and the
// party summary: recipients stay within maxRecipients, texts within
// maxText characters, hex within maxText.
func FuzzParties(f *testing.F) {
	f.Add("Bob", "+1", "x@lid", []byte{0xca, 0xfe}, 3)
	f.Add("", "", "", []byte(nil), 0)
	f.Fuzz(func(t *testing.T, name, ident, domain string, blob []byte, n int) {
		n = min(max(n, 0), 300)
		contacts := map[int64]Party{}
		var keys []int64
		for i := range n {
			contacts[int64(i)] = Party{DisplayName: name, Identifier: ident}
			keys = append(keys, int64(n-i), int64(i)) // unsorted, one key missing
		}
		it := &Interaction{Direction: "OUTGOING", DomainIdentifier: domain}
		for _, pk := range firstLinked(keys, contacts, maxRecipients) {
			c := contacts[pk]
			it.Recipients = append(it.Recipients, Party{DisplayName: clip(c.DisplayName), Identifier: clip(c.Identifier)})
		}
		if len(it.Recipients) > maxRecipients {
			t.Fatalf("%d recipients", len(it.Recipients))
		}
		for _, r := range it.Recipients {
			if utf8.RuneCountInString(r.DisplayName) > maxText || utf8.RuneCountInString(r.Identifier) > maxText {
				t.Fatal("text over maxText")
			}
		}
		if h := hexOf(blob); len(h) > maxText || len(h) != 2*min(len(blob), maxText/2) {
			t.Fatalf("hex %d chars for %d bytes", len(h), len(blob))
		}
		it.resolve(func(id string) (string, string) { return "+1", id })
		if from, to := it.parties(); from != "local user" || to == "" {
			t.Fatalf("%q %q", from, to)
		}
	})
}

// TestImpossibleDatesKeptRaw: every date an interaction or a contact row
// carries that is no plausible date is kept as stored on its record.
func TestImpossibleDatesKeptRaw(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[0],
		`CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY, ZSTARTDATE REAL, ZENDDATE REAL, ZCREATIONDATE REAL, ZBUNDLEID TEXT, ZDIRECTION INTEGER)`,
		`CREATE TABLE ZCONTACTS (Z_PK INTEGER PRIMARY KEY, ZIDENTIFIER TEXT, ZCREATIONDATE REAL, ZFIRSTINCOMINGSENDERDATE REAL,
		 ZLASTINCOMINGSENDERDATE REAL, ZFIRSTINCOMINGRECIPIENTDATE REAL, ZLASTINCOMINGRECIPIENTDATE REAL,
		 ZFIRSTOUTGOINGRECIPIENTDATE REAL, ZLASTOUTGOINGRECIPIENTDATE REAL)`,
		`INSERT INTO ZINTERACTIONS VALUES (1, 779000000, 9.5e9, -1e10, 'com.apple.MobileSMS', 0)`,
		`INSERT INTO ZCONTACTS VALUES (1, '+14155550101', 9.5e9, 9.6e9, 9.7e9, 9.8e9, 9.9e9, 1e10, -1e10)`)
	for _, tt := range []struct {
		module string
		want   map[string]string
	}{
		{"ios.interactionc", map[string]string{"interaction_end": "9.5e+09", "interaction_record_created": "-1e+10"}},
		{"ios.interactionc_contacts", map[string]string{"contacts_creation_date": "9.5e+09",
			"first_incoming_sender_date": "9.6e+09", "last_incoming_sender_date": "9.7e+09",
			"first_incoming_recipient_date": "9.8e+09", "last_incoming_recipient_date": "9.9e+09",
			"first_outgoing_recipient_date": "1e+10", "last_outgoing_recipient_date": "-1e+10"}},
	} {
		t.Run(tt.module, func(t *testing.T) {
			sink := moduletest.MustRun(t, moduletest.Find(t, Defs(), tt.module), moduletest.Evidence(t, source.IOSBackup, dir))
			if len(sink.Records) != 1 {
				t.Fatalf("%d records", len(sink.Records))
			}
			moduletest.KeepsRaw(t, sink.Records[0], tt.want)
		})
	}
}

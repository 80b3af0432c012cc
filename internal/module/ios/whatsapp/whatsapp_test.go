package whatsapp

import (
	"errors"
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func build(t *testing.T, dir, folder string, withLID bool) {
	moduletest.SQLite(t, dir, folder+"/ChatStorage.sqlite",
		`CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZFROMJID TEXT, ZTOJID TEXT, ZTEXT TEXT, ZMESSAGEDATE REAL, ZISFROMME INTEGER)`,
		`CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZCONTACTJID TEXT, ZPARTNERNAME TEXT, ZSESSIONTYPE INTEGER, ZMESSAGECOUNTER INTEGER, ZLASTMESSAGEDATE REAL, ZGROUPINFO INTEGER)`,
		`CREATE TABLE ZWAGROUPINFO (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZCREATIONDATE REAL)`,
		`CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZMEDIAURL TEXT)`,
		`CREATE TABLE ZWAMESSAGEDATAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZMATCHEDTEXT TEXT, ZCONTENT1 TEXT, ZTITLE TEXT)`,
		`INSERT INTO ZWAMESSAGE VALUES (1, 1, '14155550100@s.whatsapp.net', NULL, 'Hi', 777900000, 0),
		 (2, 1, NULL, '100000000000001@lid', 'Check https://example.org/news', 778000000, 1),
		 (3, 2, '14155550101@s.whatsapp.net', NULL, 'Welcome', 778200000, 0),
		 (4, 2, '14155550101@s.whatsapp.net', NULL, NULL, 778200100, 0)`,
		`INSERT INTO ZWAMEDIAITEM VALUES (1, 4, 'https://mmg.whatsapp.net/v/t62/abc.enc')`,
		`INSERT INTO ZWAMESSAGEDATAITEM VALUES (1, 4, 'evil-news.com.mx/1234567s', 'https://preview.example/x', 'Title')`,
		`INSERT INTO ZWAGROUPINFO VALUES (1, 2, 777500000)`,
		`INSERT INTO ZWACHATSESSION VALUES (1, '100000000000001@lid', 'Alice Example', 0, 2, 778100000, NULL),
		 (2, '120000000000000001@g.us', 'Example Group', 1, 5, 778300000, 1)`)
	if withLID {
		moduletest.SQLite(t, dir, folder+"/LID.sqlite",
			`CREATE TABLE ZWAPHONENUMBERLIDPAIR (Z_PK INTEGER PRIMARY KEY, ZTIMESTAMP REAL, ZLID TEXT, ZPHONENUMBER TEXT)`,
			`INSERT INTO ZWAPHONENUMBERLIDPAIR VALUES (1, 777800000, '100000000000001', '14155550100')`)
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		kind    source.Kind
		folder  string
		withLID bool
	}{
		{"backup", source.IOSBackup, backupDomain, true},
		{"fs", source.IOSFS, "private/var/mobile/Containers/Shared/AppGroup/0A1B-UUID", true},
		{"no LID", source.IOSBackup, backupDomain, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			build(t, dir, tt.folder, tt.withLID)
			sink, err := moduletest.Run(t, Def(), moduletest.Evidence(t, tt.kind, dir))
			if err != nil {
				t.Fatal(err)
			}
			byType := map[string][]*model.Record{}
			for _, r := range sink.Records {
				switch d := r.Data.(type) {
				case *Message:
					byType[d.RecordType] = append(byType[d.RecordType], r)
				case *Session:
					byType[d.RecordType] = append(byType[d.RecordType], r)
				case *LIDPair:
					byType[d.RecordType] = append(byType[d.RecordType], r)
				}
			}
			wantPairs := 0
			if tt.withLID {
				wantPairs = 1
			}
			if len(byType["message"]) != 4 || len(byType["chat_session"]) != 2 || len(byType["lid_phone_number_pair"]) != wantPairs {
				t.Fatalf("counts: %d messages, %d sessions, %d pairs", len(byType["message"]), len(byType["chat_session"]), len(byType["lid_phone_number_pair"]))
			}
			msgs := byType["message"]
			if l := msgs[1].Data.(*Message).Links; !slices.Equal(l, []string{"https://example.org/news"}) {
				t.Errorf("links %v", l)
			}
			if l := msgs[3].Data.(*Message).Links; !slices.Equal(l, []string{"evil-news.com.mx/1234567s", "https://preview.example/x"}) {
				t.Errorf("preview links (own media host excluded) %v", l)
			}
			if !moduletest.Has(msgs[1], model.KindURL, "https://example.org/news") {
				t.Error("url observable missing")
			}
			alice := byType["chat_session"][0].Data.(*Session)
			wantPhone := ""
			if tt.withLID {
				wantPhone = "+14155550100"
			}
			if alice.PartnerResolvedPhone != wantPhone || alice.StoredMessageCount != 2 {
				t.Errorf("alice %+v", alice)
			}
			group := byType["chat_session"][1]
			if d := moduletest.Descs(group); !slices.Equal(d, []string{"group_created", "chat_first_message", "chat_last_message"}) {
				t.Errorf("group stamps %v", d)
			}
		})
	}
}

func TestAbsentAndSchema(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[0], `CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZBODY TEXT)`)
	var se *sqlitex.SchemaError
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); !errors.As(err, &se) {
		t.Errorf("%v", err)
	}
}

func FuzzLinks(f *testing.F) {
	f.Add("Check https://example.org/news and https://mmg.whatsapp.net/x", "bit.ly/x")
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, l := range links(a, b) {
			if l == "" {
				t.Fatal("empty link")
			}
		}
	})
}

// TestImpossibleDatesKeptRaw: the dates of a chat session (its last message,
// its group's creation, its first and last stored messages) and of a LID
// pair that are no plausible date are kept as stored on their records.
func TestImpossibleDatesKeptRaw(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, backupDomain, true)
	chat, lid := dir+"/"+backupDomain+"/ChatStorage.sqlite", dir+"/"+backupDomain+"/LID.sqlite"
	moduletest.Exec(t, chat, `UPDATE ZWAMESSAGE SET ZMESSAGEDATE = CASE Z_PK WHEN 1 THEN -1e10 ELSE 9.5e9 END WHERE ZCHATSESSION = 1`)
	moduletest.Exec(t, chat, `UPDATE ZWACHATSESSION SET ZLASTMESSAGEDATE = 1e10 WHERE Z_PK = 1`)
	moduletest.Exec(t, chat, `UPDATE ZWAGROUPINFO SET ZCREATIONDATE = 9.6e9`)
	moduletest.Exec(t, lid, `UPDATE ZWAPHONENUMBERLIDPAIR SET ZTIMESTAMP = 9.7e9`)
	sink := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSBackup, dir))
	checked := 0
	for _, r := range sink.Records {
		switch d := r.Data.(type) {
		case *Session:
			if d.ID == 1 {
				checked++
				moduletest.KeepsRaw(t, r, map[string]string{"chat_last_message": "1e+10", "chat_first_message": "-1e+10",
					"chat_last_stored_message": "9.5e+09"})
			} else {
				checked++
				moduletest.KeepsRaw(t, r, map[string]string{"group_created": "9.6e+09"})
			}
		case *LIDPair:
			checked++
			moduletest.KeepsRaw(t, r, map[string]string{"lid_pair_recorded": "9.7e+09"})
		}
	}
	if checked != 3 {
		t.Errorf("%d records checked, want 2 sessions and 1 pair", checked)
	}
}

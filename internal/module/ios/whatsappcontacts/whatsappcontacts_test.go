package whatsappcontacts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

const fullSchema = `CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, ZFULLNAME BLOB, ZGIVENNAME BLOB,
 ZLASTNAME BLOB, ZUSERNAME BLOB, ZBUSINESSNAME BLOB, ZPHONENUMBER BLOB, ZWHATSAPPID BLOB, ZLID BLOB, ZABOUTTEXT BLOB,
 ZNOTES BLOB, ZDISAPPEARINGMODEDURATION REAL, ZDISAPPEARINGMODETIMESTAMP REAL, ZABOUTTIMESTAMP REAL,
 ZABOUTEXPIRATIONTIMESTAMP REAL, ZLASTUPDATED REAL, ZPHONESTATUS INTEGER)`

func build(t *testing.T, dir, rel string) {
	moduletest.SQLite(t, dir, rel, fullSchema,
		`INSERT INTO ZWAADDRESSBOOKCONTACT VALUES
		 (1, 'Alice Example', 'Alice', 'Example', 'alice.example', NULL, '+14155550100', '14155550100@s.whatsapp.net',
		  '100000000000001@lid', 'Hey there! I am using WhatsApp.', NULL, 86400.0, 775000000, 774000000, 777000000, 776000000, 1),
		 (2, NULL, 'Bob', 'Example', NULL, NULL, '+1 (415) 555-0101', '14155550101@s.whatsapp.net', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 776000000, 1),
		 (3, NULL, NULL, NULL, NULL, 'Shop', NULL, '5215512345678@s.whatsapp.net', '200@lid', 'Offers at evil-news.com.mx/abc', NULL, 604801, 775000000, NULL, NULL, NULL, NULL),
		 (4, NULL, NULL, NULL, NULL, NULL, NULL, '5215599999999@s.whatsapp.net', NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL)`)
}

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		kind   source.Kind
		folder string
	}{
		{"backup", source.IOSBackup, backupDomain},
		{"fs", source.IOSFS, "private/var/mobile/Containers/Shared/AppGroup/0A1B-UUID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			build(t, dir, tt.folder+"/ContactsV2.sqlite")
			sink, err := moduletest.Run(t, Def(), moduletest.Evidence(t, tt.kind, dir))
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.Records) != 4 {
				t.Fatalf("%d records", len(sink.Records))
			}
			want := []struct {
				name, label string
				on          bool
				stamps      []string
			}{
				{"Alice Example", "24 hours", true, []string{"disappearing_mode_set", "about_changed", "about_expiration", "contact_last_updated"}},
				{"Bob Example", "off", false, []string{"contact_last_updated"}},
				{"Shop", "604801 seconds", true, []string{"disappearing_mode_set"}},
				{"", "off", false, nil},
			}
			for i, w := range want {
				r := sink.Records[i]
				c := r.Data.(*Contact)
				if c.Name() != w.name || c.DisappearingLabel != w.label || c.DisappearingOn != w.on || !slices.Equal(moduletest.Descs(r), w.stamps) {
					t.Errorf("row %d: name %q label %q on %v stamps %v", i, c.Name(), c.DisappearingLabel, c.DisappearingOn, moduletest.Descs(r))
				}
			}
			alice := sink.Records[0]
			if !strings.Contains(alice.Summary, "14155550100@s.whatsapp.net (Alice Example)") || !strings.Contains(alice.Summary, `"Hey there! I am using WhatsApp."`) {
				t.Errorf("summary %q", alice.Summary)
			}
			if !moduletest.Has(sink.Records[2], model.KindURL, "evil-news.com.mx/abc") {
				t.Errorf("about link not exposed: %+v", sink.Records[2].Observables)
			}
		})
	}
}

func TestDirectory(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, Paths[0])
	env := module.NewEnv(moduletest.Evidence(t, source.IOSBackup, dir), "t", &moduletest.Sink{}, nil)
	d, err := Load(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ id, phone, name string }{
		{"100000000000001@lid", "+14155550100", "Alice Example"},
		{"14155550101@s.whatsapp.net", "+14155550101", "Bob Example"},
		{"+14155550100", "", "Alice Example"},
		{"200@lid", "+5215512345678", "Shop"},
		{"999@lid", "", ""},
		{"5215500000000@s.whatsapp.net", "+5215500000000", ""},
		{"120000000000000001@g.us", "", ""},
		{"x@s.whatsapp.net", "", ""},
	}
	for _, tt := range tests {
		if p, n := d.Resolve(tt.id); p != tt.phone || n != tt.name {
			t.Errorf("Resolve(%q) = %q, %q; want %q, %q", tt.id, p, n, tt.phone, tt.name)
		}
	}
	var nilDir *Directory
	if p, n := nilDir.Resolve("1@lid"); p != "" || n != "" {
		t.Error("nil directory resolved")
	}
}

func TestAbsentAndSchema(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
	env := module.NewEnv(moduletest.Evidence(t, source.IOSBackup, t.TempDir()), "t", &moduletest.Sink{}, nil)
	if d, err := Load(context.Background(), env); !errors.Is(err, module.ErrAbsent) || d.Len() != 0 {
		t.Errorf("Load on empty evidence: %v", err)
	}
	for _, stmt := range []string{
		`CREATE TABLE ZOTHER (Z_PK INTEGER PRIMARY KEY)`,
		`CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, ZFULLNAME TEXT)`,
	} {
		dir := t.TempDir()
		moduletest.SQLite(t, dir, Paths[0], stmt)
		var se *sqlitex.SchemaError
		if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); !errors.As(err, &se) {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}

func FuzzResolve(f *testing.F) {
	f.Add("+1 (415) 555-0100", "100000000000001@lid", "14155550100@s.whatsapp.net")
	f.Add("", "@lid", "+")
	f.Fuzz(func(t *testing.T, phone, lid, query string) {
		d := &Directory{byLID: map[string]entry{}, byPhone: map[string]entry{}}
		d.add(&Contact{PhoneNumber: phone, LID: lid, WhatsAppID: query})
		p, _ := d.Resolve(query)
		if p != "" && (p[0] != '+' || Digits(p) == "") {
			t.Fatalf("resolved phone %q", p)
		}
		if got := Digits(phone); strings.Trim(got, "0123456789") != "" {
			t.Fatalf("Digits(%q) = %q", phone, got)
		}
	})
}

// TestImpossibleDatesKeptRaw: a contact's dates that are no plausible date
// are kept as stored on its record.
func TestImpossibleDatesKeptRaw(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[0],
		`CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, ZWHATSAPPID TEXT, ZDISAPPEARINGMODETIMESTAMP REAL,
		 ZABOUTTIMESTAMP REAL, ZABOUTEXPIRATIONTIMESTAMP REAL, ZLASTUPDATED REAL)`,
		`INSERT INTO ZWAADDRESSBOOKCONTACT VALUES (1, '14155550100@s.whatsapp.net', 9.5e9, 9.6e9, 1e10, -1e10)`)
	s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSBackup, dir))
	if len(s.Records) != 1 {
		t.Fatalf("%d records", len(s.Records))
	}
	moduletest.KeepsRaw(t, s.Records[0], map[string]string{"disappearing_mode_set": "9.5e+09", "about_changed": "9.6e+09",
		"about_expiration": "1e+10", "contact_last_updated": "-1e+10"})
}

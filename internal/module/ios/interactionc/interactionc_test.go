package interactionc

import (
	"errors"
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/module/ios/iostest"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	iostest.SQLite(t, dir, Paths[0],
		`CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY, ZSENDER INTEGER, ZSTARTDATE REAL, ZENDDATE REAL, ZCREATIONDATE REAL,
		 ZBUNDLEID TEXT, ZACCOUNT TEXT, ZDIRECTION INTEGER, ZDOMAINIDENTIFIER TEXT, ZGROUPNAME TEXT)`,
		`CREATE TABLE ZCONTACTS (Z_PK INTEGER PRIMARY KEY, ZDISPLAYNAME TEXT, ZIDENTIFIER TEXT, ZPERSONID TEXT)`,
		`CREATE TABLE Z_2INTERACTIONRECIPIENT (Z_2RECIPIENTS INTEGER, Z_3INTERACTIONRECIPIENT INTEGER)`,
		`INSERT INTO ZCONTACTS VALUES (1, NULL, '100000000000001@lid', NULL), (2, NULL, '+14155550100', NULL), (3, 'Bob Example', '+14155550101', NULL), (4, 'Eve', 'eve@icloud.example', NULL)`,
		`INSERT INTO ZINTERACTIONS VALUES
		 (1, 1, 779000000, 779000000, 779000000, 'net.whatsapp.WhatsApp', NULL, 0, NULL, NULL),
		 (2, NULL, 779100000, 779100000, 779100000, 'net.whatsapp.WhatsApp', NULL, 1, '100000000000001@lid', NULL),
		 (3, 3, 779200000, 779200000, 786976000, 'com.apple.MobileSMS', NULL, 0, NULL, NULL),
		 (4, 4, 779300000, 779300060, 779300000, 'com.apple.MobileSMS', NULL, 0, NULL, 'Chat')`,
		`INSERT INTO Z_2INTERACTIONRECIPIENT VALUES (2, 2)`)
	sink, err := iostest.RunDir(t, New(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		summary string
		stamps  []string
	}{
		{"[net.whatsapp.WhatsApp] INCOMING from 100000000000001@lid to local user", []string{"interaction_start"}},
		{"[net.whatsapp.WhatsApp] OUTGOING from local user to +14155550100", []string{"interaction_start"}},
		{"[com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user", []string{"interaction_start", "interaction_record_created"}},
		{"[com.apple.MobileSMS] INCOMING from Eve (eve@icloud.example) to local user (group: Chat)", []string{"interaction_start", "interaction_end"}},
	}
	if len(sink.Records) != len(want) {
		t.Fatalf("%d records", len(sink.Records))
	}
	for i, w := range want {
		r := sink.Records[i]
		if r.Summary != w.summary || !slices.Equal(iostest.Descs(r), w.stamps) {
			t.Errorf("record %d: %q %v", i, r.Summary, iostest.Descs(r))
		}
	}
	if !iostest.Has(sink.Records[3], model.KindEmail, "eve@icloud.example") || len(sink.Records[0].Observables) != 0 {
		t.Errorf("observables: %+v / %+v", sink.Records[3].Observables, sink.Records[0].Observables)
	}
}

func TestAbsentAndSchema(t *testing.T) {
	if _, err := iostest.RunDir(t, New(), t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
	dir := t.TempDir()
	iostest.SQLite(t, dir, Paths[1], `CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY)`)
	var se *iosdb.SchemaError
	if _, err := iostest.RunDir(t, New(), dir); !errors.As(err, &se) {
		t.Errorf("%v", err)
	}
}

package contacts

import (
	"context"
	"errors"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func build(t *testing.T, dir string) {
	moduletest.SQLite(t, dir, Paths[0],
		`CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY, First TEXT, Middle TEXT, Last TEXT, Organization TEXT, CreationDate INTEGER, ModificationDate INTEGER)`,
		`CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT)`,
		`INSERT INTO ABPerson VALUES (1, 'Ana', NULL, 'López', NULL, 600000000, 600000100), (2, NULL, NULL, NULL, 'ACME', NULL, NULL), (3, 'Solo', NULL, NULL, NULL, NULL, NULL)`,
		`INSERT INTO ABMultiValue VALUES (1, 1, 3, 0, 1, '+52 (55) 1234-5678'), (2, 1, 4, 1, 2, 'ana@example.org'), (3, 2, 3, 0, 1, '800 555 0199'), (4, 1, 22, 2, 3, 'https://ana.example')`)
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	build(t, dir)
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 3 {
		t.Fatalf("%d records, want 3 (a person without values is kept)", len(sink.Records))
	}
	p := sink.Records[0].Data.(*Person)
	if p.Name() != "Ana López" || len(p.Phones) != 1 || len(p.Emails) != 1 || len(p.Other) != 1 {
		t.Errorf("person 1: %+v", p)
	}
	if !moduletest.Has(sink.Records[0], model.KindEmail, "ana@example.org") {
		t.Errorf("email observable missing: %+v", sink.Records[0].Observables)
	}
	if got := moduletest.Descs(sink.Records[0]); len(got) != 2 {
		t.Errorf("stamps %v", got)
	}
	if n := sink.Records[1].Data.(*Person).Name(); n != "ACME" {
		t.Errorf("organisation name %q", n)
	}
}

func TestKnown(t *testing.T) {
	dir := t.TempDir()
	build(t, dir)
	env := module.NewEnv(moduletest.Evidence(t, "ios-backup", dir), "t", &moduletest.Sink{}, nil)
	known, err := Known(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		handle string
		want   bool
	}{
		{"+525512345678", true},
		{"5512345678", true},
		{"tel:+52-55-1234-5678", true},
		{"ANA@example.org", true},
		{"mailto:ana@example.org", true},
		{"+525512345679", false},
		{"other@example.org", false},
		{"8005550199", true},
		{"12345", false},
		{"Apple", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := known(tt.handle); got != tt.want {
			t.Errorf("known(%q) = %v, want %v", tt.handle, got, tt.want)
		}
	}
}

func TestKnownAbsentAndSchema(t *testing.T) {
	env := module.NewEnv(moduletest.Evidence(t, "ios-backup", t.TempDir()), "t", &moduletest.Sink{}, nil)
	known, err := Known(context.Background(), env)
	if !errors.Is(err, module.ErrAbsent) || known("+15550001111") {
		t.Errorf("absent: %v", err)
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[1], `CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY)`)
	var se *sqlitex.SchemaError
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); !errors.As(err, &se) {
		t.Errorf("schema: %v", err)
	}
}

func FuzzPhoneKey(f *testing.F) {
	for _, s := range []string{"+52 55 1234 5678", "tel:１２３４５６７８９", "abc", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := PhoneKey(s)
		if len(k) > phoneKeyDigits {
			t.Fatalf("key %q too long", k)
		}
		if k != "" && PhoneKey(k) != k {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, k, PhoneKey(k))
		}
	})
}

package tcc

import (
	"errors"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func TestSchemas(t *testing.T) {
	tests := []struct {
		name    string
		stmts   []string
		version int
		auth    []string
		stamped bool
	}{
		{"v3", []string{
			`CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, auth_value INTEGER, auth_reason INTEGER, last_modified INTEGER)`,
			`INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.app', 0, 2, 2, 1600000000), ('kTCCServiceMicrophone', '/usr/libexec/evil', 1, 0, 99, 1600000100), ('kTCCServiceLiverpool', 'Launch', 0, 3, 4, 1600000200)`},
			3, []string{"allowed", "denied", "limited"}, true},
		{"v2", []string{
			`CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, allowed INTEGER, prompt_count INTEGER, last_modified INTEGER)`,
			`INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.app', 0, 1, 1, 1600000000), ('kTCCServiceMicrophone', '/usr/libexec/evil', 1, 0, 2, 1600000100), ('kTCCServiceLiverpool', 'Launch', 0, 1, 0, 1600000200)`},
			2, []string{"allowed", "denied", "allowed"}, true},
		{"v1", []string{
			`CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, allowed INTEGER, prompt_count INTEGER)`,
			`INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.app', 0, 1, 1), ('kTCCServiceMicrophone', '/usr/libexec/evil', 1, 0, 2), ('kTCCServiceLiverpool', 'Launch', 0, 0, 0)`},
			1, []string{"allowed", "denied", "denied"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			moduletest.SQLite(t, dir, Paths[0], tt.stmts...)
			sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(sink.Records) != 3 {
				t.Fatalf("%d records", len(sink.Records))
			}
			for i, r := range sink.Records {
				g := r.Data.(*Grant)
				if g.Schema != tt.version || g.Auth != tt.auth[i] || (len(r.Times) == 1) != tt.stamped {
					t.Errorf("row %d: %+v times %v", i, g, r.Times)
				}
			}
			if !moduletest.Has(sink.Records[1], model.KindFilePath, "/usr/libexec/evil") || !moduletest.Has(sink.Records[1], model.KindProcess, "evil") {
				t.Errorf("path client observables %+v", sink.Records[1].Observables)
			}
			if !moduletest.Has(sink.Records[2], model.KindProcess, "Launch") || !moduletest.Has(sink.Records[0], model.KindAppID, "com.example.app") {
				t.Errorf("observables %+v %+v", sink.Records[0].Observables, sink.Records[2].Observables)
			}
		})
	}
}

func TestAbsentAndSchema(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[1], `CREATE TABLE access (service TEXT, client TEXT, verdict INTEGER)`)
	var se *sqlitex.SchemaError
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); !errors.As(err, &se) {
		t.Errorf("%v", err)
	}
}

package calls

import (
	"errors"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	p := moduletest.SQLite(t, dir, Paths[1],
		`CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS BLOB,
		 ZLOCATION VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZORIGINATED INTEGER, ZANSWERED INTEGER)`,
		`INSERT INTO ZCALLRECORD VALUES (1, 600000000.5, 61, '+525512345678', 'Mexico', 'com.apple.Telephony', 0, 1)`)
	moduletest.Exec(t, p, `INSERT INTO ZCALLRECORD VALUES (2, 600000100, 0, ?, '', 'com.apple.FaceTime', 1, 0)`, []byte("caller@icloud.example"))
	sink, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 2 {
		t.Fatalf("%d records", len(sink.Records))
	}
	tests := []struct {
		addr, dir string
		dur       float64
		email     bool
	}{
		{"+525512345678", "incoming", 61, false},
		{"caller@icloud.example", "outgoing", 0, true},
	}
	for i, tt := range tests {
		r := sink.Records[i]
		c := r.Data.(*Call)
		if c.Address != tt.addr || c.Direction != tt.dir || c.Duration != tt.dur {
			t.Errorf("call %d: %+v", i, c)
		}
		if moduletest.Has(r, model.KindEmail, tt.addr) != tt.email {
			t.Errorf("call %d observables %+v", i, r.Observables)
		}
		if len(r.Times) != 1 || r.Times[0].Desc != "call" {
			t.Errorf("call %d stamps %+v", i, r.Times)
		}
	}
	if got := sink.Records[0].Times[0].Time.Format("2006-01-02 15:04:05.0"); got != "2020-01-06 10:40:00.5" {
		t.Errorf("date %s", got)
	}
}

func TestAbsentAndSchema(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[0], `CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZDATE REAL)`)
	var se *sqlitex.SchemaError
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); !errors.As(err, &se) {
		t.Errorf("%v", err)
	}
}

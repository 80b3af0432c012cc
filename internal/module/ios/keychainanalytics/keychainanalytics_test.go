package keychainanalytics

import (
	"testing"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func blob(t *testing.T, v any) []byte {
	b, err := plist.Marshal(v, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestModule(t *testing.T) {
	dir := t.TempDir()
	db := moduletest.SQLite(t, dir, "private/var/Keychains/Analytics/ckks_analytics.db",
		"CREATE TABLE hard_failures(id INTEGER PRIMARY KEY, timestamp REAL, data BLOB)",
		"CREATE TABLE soft_failures(id INTEGER PRIMARY KEY, timestamp REAL, data BLOB)")
	moduletest.Exec(t, db, "INSERT INTO hard_failures(timestamp,data) VALUES (?,?)", 1700000000.0,
		blob(t, map[string]any{"eventType": "SecError", "process": "roleaccountd", "build": "20G75", "peer": "evil.example", "nested": []any{"https://x.example/p"}}))
	moduletest.Exec(t, db, "INSERT INTO soft_failures(timestamp,data) VALUES (?,?)", 1690000000.0, blob(t, map[string]any{"build": "20F66", "note": "has spaces"}))
	moduletest.Exec(t, db, "INSERT INTO soft_failures(timestamp,data) VALUES (NULL,NULL)")
	moduletest.Exec(t, db, "INSERT INTO soft_failures(timestamp,data) VALUES (?,?)", 1690000001.0, []byte("garbage"))
	s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if err != nil {
		t.Fatal(err)
	}
	// 3 events (the empty row skipped) + 2 builds
	if len(s.Records) != 5 {
		t.Fatalf("records = %d", len(s.Records))
	}
	r := s.Records[0]
	if !moduletest.Has(r, model.KindProcess, "roleaccountd") || !moduletest.Has(r, model.KindDomain, "evil.example") ||
		!moduletest.Has(r, model.KindURL, "https://x.example/p") || moduletest.Has(r, model.KindDomain, "20G75") {
		t.Errorf("observables: %+v", r.Observables)
	}
	if b := s.Records[3].Data.(*BuildSeen); b.Build != "20F66" {
		t.Errorf("first build: %+v", b)
	}
	if len(s.Warnings) != 1 {
		t.Errorf("warnings: %v", s.Warnings)
	}
}

// TestImpossibleTimeKeptRaw: an event whose timestamp is no plausible date
// keeps it as stored, not as no date.
func TestImpossibleTimeKeptRaw(t *testing.T) {
	dir := t.TempDir()
	db := moduletest.SQLite(t, dir, "private/var/Keychains/Analytics/ckks_analytics.db",
		"CREATE TABLE hard_failures(id INTEGER PRIMARY KEY, timestamp REAL, data BLOB)")
	moduletest.Exec(t, db, "INSERT INTO hard_failures(timestamp,data) VALUES (?,?)", 1e20, blob(t, map[string]any{"eventType": "SecError"}))
	moduletest.Exec(t, db, "INSERT INTO hard_failures(timestamp,data) VALUES (?,?)", -1.5, blob(t, map[string]any{"eventType": "SecError"}))
	s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	for i, raw := range []string{"1e+20", "-1.5"} {
		r := s.Records[i]
		moduletest.KeepsRaw(t, r, map[string]string{"ckks_analytics": raw})
		if !r.Data.(*Event).Time.IsZero() {
			t.Errorf("time %v", r.Data.(*Event).Time)
		}
	}
}

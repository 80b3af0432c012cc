package cachefiles

import (
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

const schema = `CREATE TABLE cfurl_cache_response(entry_ID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, version INTEGER, hash_value INTEGER,
	storage_policy INTEGER, request_key TEXT UNIQUE, time_stamp NOT NULL DEFAULT CURRENT_TIMESTAMP, partition TEXT)`

func TestModule(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, "private/var/mobile/Containers/Data/Application/AAA/Library/Caches/com.example.app/Cache.db", schema,
		`INSERT INTO cfurl_cache_response(version,hash_value,storage_policy,request_key,time_stamp) VALUES (0,1,0,'https://news.example/a','2024-03-01 10:00:00')`,
		`INSERT INTO cfurl_cache_response(version,hash_value,storage_policy,request_key,time_stamp) VALUES (0,2,0,'http://example.com/thisisbad','2026-01-01 00:00:00')`)
	moduletest.SQLite(t, dir, "private/var/mobile/Library/Caches/com.apple.mobilesafari/Cache.db", schema)
	moduletest.File(t, dir, "private/var/mobile/Library/Caches/other/Cache.db.txt", []byte("not a cache"))
	s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2 {
		t.Fatalf("records = %d", len(s.Records))
	}
	r := s.Records[1]
	if !moduletest.Has(r, model.KindURL, "http://example.com/thisisbad") || !r.Times[0].Time.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || r.Times[0].Desc != "cache_response" {
		t.Errorf("record: %+v", r)
	}
	if len(s.Artifacts) != 2 {
		t.Errorf("artifacts: %v", s.Artifacts)
	}
}

func TestCleanAndBroken(t *testing.T) {
	if s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, t.TempDir())); err == nil || len(s.Records) != 0 {
		t.Errorf("clean twin: %v", err)
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, "private/var/x/Cache.db", "CREATE TABLE other(a)")
	if _, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir)); err == nil {
		t.Error("a Cache.db without cfurl_cache_response must be reported")
	}
}

// TestImpossibleTimeKeptRaw: a cached response's time that is no plausible
// date (text in year 2999 or in no date form, a Cocoa number far out) is
// kept as stored on the record, not turned into no date.
func TestImpossibleTimeKeptRaw(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, "private/var/mobile/Library/Caches/com.apple.mobilesafari/Cache.db", schema,
		`INSERT INTO cfurl_cache_response(request_key,time_stamp) VALUES ('https://a.example/','2999-01-01 00:00:00')`,
		`INSERT INTO cfurl_cache_response(request_key,time_stamp) VALUES ('https://b.example/','not a date')`,
		`INSERT INTO cfurl_cache_response(request_key,time_stamp) VALUES ('https://c.example/',9500000000)`)
	s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if len(s.Records) != 3 {
		t.Fatalf("records = %d", len(s.Records))
	}
	for i, raw := range []string{"2999-01-01 00:00:00", "not a date", "9500000000"} {
		r := s.Records[i]
		moduletest.KeepsRaw(t, r, map[string]string{"cache_response": raw})
		if !r.Data.(*Response).Time.IsZero() {
			t.Errorf("%s: time %v", r.Summary, r.Data.(*Response).Time)
		}
	}
}

package safarifavicon

import (
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestModule(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, "private/var/mobile/Library/Image Cache/Favicons/Favicons.db",
		"CREATE TABLE page_url(id INTEGER PRIMARY KEY, uuid TEXT, url TEXT)",
		"CREATE TABLE icon_info(id INTEGER PRIMARY KEY, uuid TEXT, url TEXT, timestamp REAL, width INTEGER, height INTEGER)",
		"CREATE TABLE rejected_resources(page_url TEXT, icon_url TEXT, timestamp REAL)",
		"INSERT INTO page_url(uuid,url) VALUES ('u1','https://bad.example/x'),('u2','https://ok.example/')",
		"INSERT INTO icon_info(uuid,url,timestamp) VALUES ('u1','https://bad.example/favicon.ico',700000000),('u2','https://ok.example/i.png',700000100)",
		"INSERT INTO rejected_resources VALUES ('https://rej.example/','https://rej.example/f.ico',700000200)")
	s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 3 {
		t.Fatalf("records = %d", len(s.Records))
	}
	r := s.Records[0]
	if !moduletest.Has(r, model.KindURL, "https://bad.example/x") || !moduletest.Has(r, model.KindURL, "https://bad.example/favicon.ico") ||
		r.Times[0].Time.Year() != 2023 {
		t.Errorf("first: %+v", r)
	}
	if s.Records[2].Data.(*Favicon).Type != "rejected" {
		t.Errorf("third: %+v", s.Records[2].Data)
	}
	if _, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, t.TempDir())); err == nil {
		t.Error("clean twin should be absent")
	}
}

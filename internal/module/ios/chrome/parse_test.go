package chrome

import (
	"errors"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

// 13280000000000000 µs after 1601 is 2021-10-31.
const chromeTS = 13280000000000000

func TestChromeHistory(t *testing.T) {
	tests := []struct {
		name, path string
		kind       source.Kind
		stmts      []string
		want       int
		wantErr    string
	}{
		{"backup", HistoryPaths[0], source.IOSBackup, []string{
			"CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT)",
			"CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER, from_visit INTEGER, transition INTEGER)",
			"INSERT INTO urls VALUES (1, 'https://a.example/', 'A'), (2, 'https://b.example/', 'B')",
			"INSERT INTO visits VALUES (1, 1, 13280000000000000, 0, 1), (2, 2, 13280000000500000, 1, 2), (3, 1, 13280000001000000, 0, 1)",
		}, 3, ""},
		{"fs, no optional columns", "private/var/mobile/Containers/Data/Application/X/" + profileDir + "History", source.IOSFS, []string{
			"CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT)",
			"CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER)",
			"INSERT INTO urls VALUES (1, 'https://a.example/')",
			"INSERT INTO visits VALUES (1, 1, 13280000000000000)",
		}, 1, ""},
		{"unknown schema", HistoryPaths[0], source.IOSBackup, []string{"CREATE TABLE urls (id INTEGER PRIMARY KEY)"}, 0, "unknown schema"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			moduletest.SQLite(t, dir, tc.path, tc.stmts...)
			s, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.chrome_history"), tc.kind, dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "History") {
					t.Fatalf("err = %v, want %q naming the file", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != tc.want {
				t.Fatalf("records = %d, want %d", len(s.Records), tc.want)
			}
			v := s.Records[0].Data.(*Visit)
			if v.URL != "https://a.example/" || v.VisitTime.Year() != 2021 || len(s.Records[0].Observables) != 1 {
				t.Errorf("first = %+v", v)
			}
		})
	}
	if _, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.chrome_history"), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("absent: %v", err)
	}
}

func TestChromeFavicon(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, FaviconPaths[0],
		"CREATE TABLE favicons (id INTEGER PRIMARY KEY, url TEXT, icon_type INTEGER)",
		"CREATE TABLE favicon_bitmaps (id INTEGER PRIMARY KEY, icon_id INTEGER, last_updated INTEGER, last_requested INTEGER)",
		"CREATE TABLE icon_mapping (id INTEGER PRIMARY KEY, page_url TEXT, icon_id INTEGER)",
		"INSERT INTO favicons VALUES (1, 'https://a.example/favicon.ico', 1), (2, 'https://b.example/i.png', 1)",
		"INSERT INTO favicon_bitmaps VALUES (1, 1, 13280000000000000, 0), (2, 1, 13280000000000001, 0), (3, 2, 0, 13280000000000000)",
		"INSERT INTO icon_mapping VALUES (1, 'https://a.example/', 1), (2, 'https://b.example/page', 2)",
	)
	s, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.chrome_favicon"), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2 {
		t.Fatalf("records = %d, want one per mapping", len(s.Records))
	}
	for _, r := range s.Records {
		f := r.Data.(*Icon)
		if f.LastSeen.Year() != 2021 || len(r.Observables) != 2 {
			t.Errorf("favicon %+v, observables %v", f, r.Observables)
		}
	}
}

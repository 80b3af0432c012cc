package firefox

import (
	"errors"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

var fullSchema = []string{
	"CREATE TABLE history (id INTEGER PRIMARY KEY, guid TEXT, url TEXT, title TEXT)",
	"CREATE TABLE visits (id INTEGER PRIMARY KEY, siteID INTEGER, date REAL, type INTEGER, is_local TINYINT)",
	"CREATE TABLE favicons (id INTEGER PRIMARY KEY, url TEXT, width INTEGER, height INTEGER, type INTEGER, date REAL)",
	"CREATE TABLE favicon_sites (id INTEGER PRIMARY KEY, siteID INTEGER, faviconID INTEGER)",
	"INSERT INTO history VALUES (1, 'g1', 'https://a.example/', 'A'), (2, 'g2', 'https://b.example/', 'B')",
	// visits.date is microseconds since 1970: 2021-10-18.
	"INSERT INTO visits VALUES (1, 1, 1634560250000000, 1, 1), (2, 2, 1634560251000000, 1, 0), (3, 1, 1634560252000000, 1, 1)",
	"INSERT INTO favicons VALUES (1, 'https://a.example/favicon.ico', 16, 16, 1, 1634560250), (2, 'https://orphan.example/i.png', 32, 32, 1, 1634560250)",
	"INSERT INTO favicon_sites VALUES (1, 1, 1)",
}

func TestFirefox(t *testing.T) {
	tests := []struct {
		name, path string
		kind       source.Kind
		m          module.Def
		want       int
	}{
		{"history backup", Paths[0], source.IOSBackup, moduletest.Find(t, Defs(), "ios.firefox_history"), 3},
		{"history fs", "private/var/mobile/Containers/Shared/AppGroup/U/profile.profile/browser.db", source.IOSFS, moduletest.Find(t, Defs(), "ios.firefox_history"), 3},
		{"favicons backup", Paths[0], source.IOSBackup, moduletest.Find(t, Defs(), "ios.firefox_favicon"), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			moduletest.SQLite(t, dir, tc.path, fullSchema...)
			s, err := moduletest.RunDir(t, tc.m, tc.kind, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != tc.want {
				t.Fatalf("records = %d, want %d", len(s.Records), tc.want)
			}
			switch d := s.Records[0].Data.(type) {
			case *Visit:
				if d.URL != "https://a.example/" || d.VisitTime.Year() != 2021 || !d.IsLocal || d.Title != "A" {
					t.Errorf("visit = %+v", d)
				}
			case *Icon:
				if d.HistoryURL != "https://a.example/" || d.Date.Year() != 2021 || len(s.Records[0].Observables) != 2 {
					t.Errorf("favicon = %+v", d)
				}
			}
		})
	}
}

func TestFirefoxErrors(t *testing.T) {
	if _, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.firefox_history"), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("absent: %v", err)
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[0], "CREATE TABLE history (id INTEGER PRIMARY KEY, url TEXT)")
	for _, m := range []module.Def{moduletest.Find(t, Defs(), "ios.firefox_history"), moduletest.Find(t, Defs(), "ios.firefox_favicon")} {
		if _, err := moduletest.RunDir(t, m, source.IOSBackup, dir); err == nil || !strings.Contains(err.Error(), "browser.db") {
			t.Errorf("%s: err = %v, want an error naming browser.db", m.Name, err)
		}
	}
}

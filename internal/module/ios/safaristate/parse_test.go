package safaristate

import (
	"database/sql"
	"errors"
	"testing"

	"howett.net/plist"

	_ "modernc.org/sqlite"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func sessionBlob(t testing.TB, urls ...string) []byte {
	t.Helper()
	var entries []map[string]any
	for _, u := range urls {
		entries = append(entries, map[string]any{"SessionHistoryEntryURL": u, "SessionHistoryEntryOriginalURL": u + "?orig",
			"SessionHistoryEntryTitle": "t", "SessionHistoryEntryData": []byte{1, 2, 3}})
	}
	b, err := plist.Marshal(map[string]any{"SessionHistory": map[string]any{"SessionHistoryCurrentIndex": 0, "SessionHistoryEntries": entries}}, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{0, 0, 0, 2}, b...)
}

const stateDB = "HomeDomain/Library/Safari/BrowserState.db"

func TestBrowserState(t *testing.T) {
	tests := []struct {
		name        string
		modern      bool
		session     []byte
		wantURLs    int
		wantSession int
		wantWarn    bool
	}{
		{"tabs with session", true, nil, 5, 2, false},
		{"tab without session", true, []byte{}, 1, 0, false},
		{"broken session blob", true, []byte("\x00\x00\x00\x02bplist00garbage"), 1, 0, true},
		{"pre-iOS 12 tabs only", false, nil, 1, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := sql.Open("sqlite", moduletest.MkdirFor(t, dir, stateDB))
			if err != nil {
				t.Fatal(err)
			}
			stmts := []string{"CREATE TABLE tabs (id INTEGER PRIMARY KEY, uuid TEXT, title TEXT, url TEXT, user_visible_url TEXT, last_viewed_time REAL, private_browsing BOOL)",
				"INSERT INTO tabs VALUES (1, 'U1', 'NSO is bad', 'https://en.wikipedia.org/wiki/NSO_Group', 'https://en.wikipedia.org/wiki/NSO_Group', 654598606.156382, 0)"}
			if tc.modern {
				stmts = append(stmts, "CREATE TABLE tab_sessions (id INTEGER PRIMARY KEY, tab_uuid TEXT, session_data BLOB)")
			}
			for _, q := range stmts {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			if tc.modern {
				blob := tc.session
				if blob == nil {
					blob = sessionBlob(t, "https://a.example/", "https://b.example/")
				}
				if _, err := db.Exec("INSERT INTO tab_sessions (tab_uuid, session_data) VALUES ('U1', ?)", blob); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			s, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != 1 {
				t.Fatalf("records = %d, want 1", len(s.Records))
			}
			r := s.Records[0]
			tab := r.Data.(*Tab)
			if len(r.Observables) != tc.wantURLs || len(tab.Session) != tc.wantSession {
				t.Errorf("observables = %v, session = %v; want %d and %d", r.Observables, tab.Session, tc.wantURLs, tc.wantSession)
			}
			if tab.LastViewed.Year() != 2021 || len(r.Times) != 1 {
				t.Errorf("last viewed = %v", tab.LastViewed)
			}
			if (len(s.Warnings) > 0) != tc.wantWarn {
				t.Errorf("warnings = %v, want some: %v", s.Warnings, tc.wantWarn)
			}
		})
	}
}

func TestBrowserStateAbsent(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSFS, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeSession(t *testing.T) {
	raw := sessionBlob(t, "https://x.example/")
	for name, b := range map[string][]byte{"with header": raw, "without header": raw[4:]} {
		got, err := DecodeSession(b)
		if err != nil || len(got) != 1 || got[0].URL != "https://x.example/" || got[0].DataLength != 3 {
			t.Errorf("%s: %+v, %v", name, got, err)
		}
	}
	for name, b := range map[string][]byte{"text": []byte("hello"), "truncated": raw[:len(raw)/2], "huge": make([]byte, maxSessionBlob+1)} {
		if _, err := DecodeSession(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzDecodeSession(f *testing.F) {
	f.Add(sessionBlob(f, "https://a.example/", "https://b.example/"))
	f.Add([]byte("\x00\x00\x00\x02bplist00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := DecodeSession(b)
		if err != nil && entries != nil {
			t.Fatal("entries returned with an error")
		}
		if len(entries) > maxSessionEntries {
			t.Fatal("entry limit not applied")
		}
	})
}

// TestImpossibleLastViewedKeptRaw: a tab's last-viewed time that is no
// plausible date is kept as stored, not as no date.
func TestImpossibleLastViewedKeptRaw(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, stateDB,
		"CREATE TABLE tabs (id INTEGER PRIMARY KEY, title TEXT, url TEXT, last_viewed_time REAL)",
		"INSERT INTO tabs VALUES (1, 't', 'https://a.example/', 9.5e9)")
	s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSBackup, dir))
	if len(s.Records) != 1 {
		t.Fatalf("%d records", len(s.Records))
	}
	moduletest.KeepsRaw(t, s.Records[0], map[string]string{"tab_last_viewed": "9.5e+09"})
	if !s.Records[0].Data.(*Tab).LastViewed.IsZero() {
		t.Error("a last-viewed time was kept")
	}
}

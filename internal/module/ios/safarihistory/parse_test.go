package safarihistory

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

type visit struct {
	id       int64
	url      string
	at       float64 // Cocoa seconds
	src, dst int64
}

const historySchema = `CREATE TABLE history_items (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, visit_count INTEGER);
CREATE TABLE history_visits (id INTEGER PRIMARY KEY, history_item INTEGER NOT NULL, visit_time REAL NOT NULL, title TEXT,
	load_successful BOOLEAN DEFAULT 1, redirect_source INTEGER, redirect_destination INTEGER, origin INTEGER DEFAULT 0)`

func insertVisits(t *testing.T, db *sql.DB, vs []visit) {
	t.Helper()
	for _, v := range vs {
		if _, err := db.Exec("INSERT OR IGNORE INTO history_items (url, visit_count) VALUES (?, 1)", v.url); err != nil {
			t.Fatal(err)
		}
		var src, dst any
		if v.src != 0 {
			src = v.src
		}
		if v.dst != 0 {
			dst = v.dst
		}
		if _, err := db.Exec(`INSERT INTO history_visits (id, history_item, visit_time, title, redirect_source, redirect_destination)
			VALUES (?, (SELECT id FROM history_items WHERE url = ?), ?, 'title', ?, ?)`, v.id, v.url, v.at, src, dst); err != nil {
			t.Fatal(err)
		}
	}
}

func buildHistory(t *testing.T, dir, logical string, vs []visit) {
	t.Helper()
	db, err := sql.Open("sqlite", moduletest.MkdirFor(t, dir, logical))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(historySchema); err != nil {
		t.Fatal(err)
	}
	insertVisits(t, db, vs)
}

const homeHistory = "HomeDomain/Library/Safari/History.db"

func TestRedirectHeuristic(t *testing.T) {
	tests := []struct {
		name     string
		visits   []visit
		wantSev  []model.Severity
		wantText string
	}{
		{"injection to another site", []visit{
			{1, "http://news.example.com/", 700000000.0, 0, 2},
			{2, "https://abc123.free247downloads.com/x", 700000000.35, 1, 0},
		}, []model.Severity{model.Medium}, "350 ms"},
		{"injection to a high port", []visit{
			{1, "http://news.example.com/", 700000000.0, 0, 2},
			{2, "https://bun54l2b67.get1tn0w.free247downloads.com:30495/abc", 700000000.2, 1, 0},
		}, []model.Severity{model.High}, "unusual port"},
		{"same registered domain", []visit{
			{1, "http://google.com/", 700000000.0, 0, 2},
			{2, "https://www.google.com/", 700000000.1, 1, 0},
		}, nil, ""},
		{"slow redirect", []visit{
			{1, "http://news.example.com/", 700000000.0, 0, 2},
			{2, "https://other.example.org/", 700000002.0, 1, 0},
		}, nil, ""},
		{"https origin cannot be injected", []visit{
			{1, "https://news.example.com/", 700000000.0, 0, 2},
			{2, "https://other.example.org/", 700000000.1, 1, 0},
		}, nil, ""},
		{"destination missing", []visit{{1, "http://news.example.com/", 700000000.0, 0, 7}}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			buildHistory(t, dir, homeHistory, tc.visits)
			s, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != len(tc.visits) {
				t.Errorf("records = %d, want %d", len(s.Records), len(tc.visits))
			}
			if len(s.Detections) != len(tc.wantSev) {
				t.Fatalf("detections = %+v, want %d", s.Detections, len(tc.wantSev))
			}
			for i, d := range s.Detections {
				if d.Severity != tc.wantSev[i] || !strings.Contains(d.Reason, tc.wantText) || d.Record == nil || d.Time == nil {
					t.Errorf("detection %d = %+v (reason %q), want severity %v mentioning %q", i, d, d.Reason, tc.wantSev[i], tc.wantText)
				}
			}
		})
	}
}

// MVT's scoping case: ids are per database, so a profile's visit 2 must not
// be taken as the destination of the default database's visit 1.
func TestRedirectScopedPerDatabase(t *testing.T) {
	dir := t.TempDir()
	buildHistory(t, dir, homeHistory, []visit{
		{1, "http://safe.example.com/start", 700000000.0, 0, 2},
		{2, "https://safe.example.com/end", 700000000.1, 1, 0},
	})
	buildHistory(t, dir, "AppDomain-com.apple.mobilesafari/Library/Safari/Profiles/00000000-0000-4000-A000-000000000001/History.db", []visit{
		{2, "https://profile.example.net/visited-page", 700000000.05, 0, 0},
	})
	s, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 3 || len(s.Detections) != 0 {
		t.Fatalf("records = %d, detections = %d; want 3 and 0", len(s.Records), len(s.Detections))
	}
	dbs := map[string]bool{}
	for _, r := range s.Records {
		dbs[r.Data.(*Visit).DB] = true
	}
	if len(dbs) != 2 {
		t.Errorf("databases = %v, want 2", dbs)
	}
}

func TestHistoryRecordFields(t *testing.T) {
	dir := t.TempDir()
	buildHistory(t, dir, "private/var/mobile/Library/Safari/History.db", []visit{
		{1, "http://a.example/", 726100000.0, 0, 2},
		{2, "https://b.example/", 726100003.0, 1, 0},
	})
	s, err := moduletest.RunDir(t, Def(), source.IOSFS, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2 {
		t.Fatalf("records = %d", len(s.Records))
	}
	first := s.Records[0].Data.(*Visit)
	if first.URL != "http://a.example/" || first.RedirectDestURL != "https://b.example/" || first.VisitTime.Year() != 2024 {
		t.Errorf("first visit = %+v", first)
	}
	second := s.Records[1]
	if second.Data.(*Visit).RedirectSourceURL != "http://a.example/" || len(second.Observables) != 1 || second.Observables[0].Kind != model.KindURL {
		t.Errorf("second record = %+v", second)
	}
}

// The newest visits of a live History.db sit in its -wal; they must be read.
func TestHistoryWALOnlyRows(t *testing.T) {
	work := t.TempDir()
	wp := filepath.Join(work, "History.db")
	db, err := sql.Open("sqlite", wp+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	if _, err := db.Exec(historySchema); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	insertVisits(t, db, []visit{{1, "https://only-in-wal.example/", 726100000.0, 0, 0}, {2, "https://also-wal.example/", 726100001.0, 0, 0}})
	dir := t.TempDir()
	moduletest.MkdirFor(t, dir, homeHistory)
	for _, suf := range []string{"", "-wal", "-shm"} {
		moduletest.CopyFile(t, wp+suf, filepath.Join(dir, filepath.FromSlash(homeHistory))+suf)
	}
	if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(homeHistory)) + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("test setup: no WAL content (%v)", err)
	}
	s, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2 {
		t.Fatalf("records = %d, want the 2 rows that live only in the WAL", len(s.Records))
	}
}

func TestHistoryAbsentAndUnknownSchema(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Fatalf("err = %v, want ErrAbsent", err)
	}
	dir := t.TempDir()
	db, err := sql.Open("sqlite", moduletest.MkdirFor(t, dir, homeHistory))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE history_items (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); err == nil || !strings.Contains(err.Error(), "History.db") {
		t.Fatalf("err = %v, want an error naming History.db", err)
	}
}

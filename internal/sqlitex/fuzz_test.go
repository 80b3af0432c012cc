package sqlitex

import (
	"context"
	"database/sql"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/source/scratch"
)

// walPair builds a small database whose last rows live only in its WAL, and
// returns the bytes of both files as SQLite leaves them while still open.
func walPair(t testing.TB) (db, wal []byte) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "m.db")
	conn, err := sql.Open("sqlite", p+"?_pragma=journal_mode(wal)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT, date REAL, data BLOB)`,
		`CREATE INDEX message_date ON message(date)`,
		`CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT UNIQUE)`,
		`INSERT INTO message VALUES (1, 'in the database', 700000000.5, x'00ff')`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
		`INSERT INTO message VALUES (2, 'only in the WAL https://example.com/x', 700000001, NULL)`,
		`INSERT INTO handle VALUES (1, '+5215550000000')`,
	} {
		if _, err := conn.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db, err = os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	wal, err = os.ReadFile(p + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	return db, wal
}

// testTemp is a private folder with a budget, removed after the test.
func testTemp(t testing.TB) *scratch.Dir {
	t.Helper()
	d, err := scratch.New(t.TempDir(), "huella-", scratch.NewBudget(64<<20))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// readAll reads every table the way modules do (rows into any, values
// through the Any helpers) and returns the text values seen.
func readAll(ctx context.Context, d *DB) ([]string, error) {
	tables, err := d.Tables(ctx)
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(tables))
	var texts []string
	for i, table := range names {
		if i == 16 {
			break
		}
		if _, err := d.Columns(ctx, table); err != nil {
			continue
		}
		rows, err := d.QueryContext(ctx, `SELECT * FROM "`+strings.ReplaceAll(table, `"`, `""`)+`" LIMIT 256`)
		if err != nil {
			continue // a damaged table must not hide the others
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if rows.Scan(ptrs...) != nil {
				break
			}
			for _, v := range vals {
				Int(v)
				_, _ = AppleTimeChecked(v)
				if s := Text(v); s != "" {
					texts = append(texts, s)
				}
			}
		}
		rows.Close()
	}
	return texts, nil
}

func TestOpenReadsWALRows(t *testing.T) {
	db, wal := walPair(t)
	tmp := testTemp(t)
	tests := []struct {
		name string
		fsys fstest.MapFS
		want []string
		not  []string
	}{
		{"with WAL", fstest.MapFS{"m.db": {Data: db}, "m.db-wal": {Data: wal}},
			[]string{"in the database", "only in the WAL https://example.com/x", "+5215550000000"}, nil},
		{"without WAL", fstest.MapFS{"m.db": {Data: db}},
			[]string{"in the database"}, []string{"only in the WAL https://example.com/x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Open(context.Background(), tc.fsys, "m.db", Options{Temp: tmp})
			if err != nil {
				t.Fatal(err)
			}
			texts, err := readAll(context.Background(), d)
			d.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !slices.Contains(texts, w) {
					t.Errorf("missing %q in %q", w, texts)
				}
			}
			for _, n := range tc.not {
				if slices.Contains(texts, n) {
					t.Errorf("unexpected %q", n)
				}
			}
			if left, _ := os.ReadDir(tmp.Path()); len(left) != 0 || tmp.Budget().Used() != 0 {
				t.Errorf("private copy left behind: %v, %d bytes still reserved", left, tmp.Budget().Used())
			}
		})
	}
}

// FuzzOpen feeds arbitrary database and WAL bytes through Open and reads
// every table as a module would: SQLite files come from a phone the attacker
// controlled, and modernc's engine is C translated to Go, so a damaged page
// must give an error, never a panic, a hang or a private copy left behind.
func FuzzOpen(f *testing.F) {
	db, wal := walPair(f)
	f.Add(db, wal)
	f.Add(db, []byte(nil))
	f.Add(db[:len(db)/2], wal)
	f.Add([]byte("SQLite format 3\x00"), []byte(nil))
	tmp := testTemp(f)
	f.Fuzz(func(t *testing.T, db, wal []byte) {
		if len(db)+len(wal) > 1<<20 {
			return
		}
		fsys := fstest.MapFS{"m.db": {Data: db}}
		if len(wal) > 0 {
			fsys["m.db-wal"] = &fstest.MapFile{Data: wal}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d, err := Open(ctx, fsys, "m.db", Options{Temp: tmp})
		if err == nil {
			readAll(ctx, d)
			d.Close()
		} else if !strings.Contains(err.Error(), "m.db") {
			t.Fatalf("error does not name the file: %v", err)
		}
		if left, _ := os.ReadDir(tmp.Path()); len(left) != 0 || tmp.Budget().Used() != 0 {
			t.Fatalf("private copy left behind: %v, %d bytes still reserved", left, tmp.Budget().Used())
		}
	})
}

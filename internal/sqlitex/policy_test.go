package sqlitex

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/source/evfile"
)

// crafted writes a database holding what a vendor could plant to make a
// reader hang, fill memory or read something else than stored rows.
func crafted(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "evil.db")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`PRAGMA page_size = 65536`,
		`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT, body BLOB)`,
		`INSERT INTO message VALUES (1, 'short', x'01'), (2, zeroblob(70000000), NULL), (3, printf('%.*c', 4500000, 'a'), zeroblob(4500000))`,
		`CREATE VIEW Files AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x AS fileID FROM r`,
		`CREATE VIEW handle AS SELECT 1 AS ROWID, 'x' AS id`,
		`CREATE VIRTUAL TABLE chat USING fts5(chat_identifier)`,
		`CREATE TABLE gen (a INTEGER, b TEXT GENERATED ALWAYS AS (printf('%.*c', 10, 'x')) VIRTUAL, c TEXT AS (upper(a)) STORED)`,
		`INSERT INTO gen (a) VALUES (1)`,
		`CREATE TABLE big (x INTEGER)`,
		`WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 3000) INSERT INTO big SELECT x FROM r`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return p
}

func TestPolicyRefusesWhatIsNotAStoredColumnOfATable(t *testing.T) {
	p := crafted(t, t.TempDir())
	var notes []string
	d, err := OpenFile(context.Background(), p, Options{Note: func(s string) { notes = append(notes, s) }})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tables, _ := d.Tables(context.Background())
	for _, want := range []string{"message", "gen", "big"} {
		if !tables[want] {
			t.Errorf("Tables() lacks %s: %v", want, tables)
		}
	}
	for _, not := range []string{"Files", "handle", "chat"} {
		if tables[not] {
			t.Errorf("Tables() lists %s, which is not a real table", not)
		}
		if err := d.Table(not); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("Table(%s) = %v", not, err)
		}
	}
	cols, _ := d.Columns(context.Background(), "gen")
	if cols["b"] || cols["c"] || !cols["a"] {
		t.Errorf("Columns(gen) = %v: generated columns must not be offered", cols)
	}
	cases := []struct {
		query, want string
	}{
		{`SELECT fileID FROM Files`, `"Files" is a view`},
		{`SELECT count(*) FROM Files`, `"Files" is a view`},
		{`SELECT m.text FROM message m LEFT JOIN handle h ON h.ROWID = m.ROWID`, `"handle" is a view`},
		{`SELECT chat_identifier FROM chat`, `"chat" is a virtual table`},
		{`SELECT b FROM gen`, `column "b" of "gen" is generated`},
		{`SELECT c FROM gen`, `column "c" of "gen" is generated`},
		{`WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r`, `recursive`},
		{`ATTACH DATABASE '/etc/passwd' AS x`, `attaching another database file`},
		{`SELECT text FROM message WHERE ROWID = 2`, `string or blob too big`},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			rows, err := d.QueryContext(ctx, c.query)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if c.want != "string or blob too big" && !(evfile.IsRefused(err) && strings.HasPrefix(err.Error(), "evil.db: refused: ")) {
				t.Errorf("not a refusal naming the database: %v", err)
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
	// The real table still reads, through Capped, without loading the
	// 70 MB cell and with the 4.5 M-character one cut and noted.
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	before := mem.TotalAlloc
	rows, err := d.QueryContext(context.Background(), `SELECT ROWID, `+Capped("text")+`, `+Capped("body")+` FROM message ORDER BY ROWID`)
	if err != nil {
		t.Fatal(err)
	}
	var got []any
	for rows.Next() {
		var id int64
		var text, body any
		if err := rows.Scan(&id, &text, &body); err != nil {
			t.Fatal(err)
		}
		got = append(got, d.Cell(text, "message.text"), d.Cell(body, "message.body"))
	}
	rows.Close()
	runtime.ReadMemStats(&mem)
	if grew := mem.TotalAlloc - before; grew > 32<<20 {
		t.Errorf("reading capped cells allocated %d MB", grew>>20)
	}
	if got[0] != "short" || got[2] != nil || len(got[4].(string)) != CellCap || len(got[5].([]byte)) != CellCap {
		t.Errorf("capped values: %q %v %d", got[0], got[2], len(got[4].(string)))
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{"message.text holds 66.8 MiB, over the 64 MiB this value may have: not read", "message.text is longer than 4194304 characters", "message.body is longer than 4 MiB"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
}

// TestDeadlineInterruptsTheEngine: a query that would run for minutes
// before its first row stops at the context's deadline.
func TestDeadlineInterruptsTheEngine(t *testing.T) {
	d, err := OpenFile(context.Background(), crafted(t, t.TempDir()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	var n int64
	err = d.QueryRowContext(ctx, `SELECT count(*) FROM big a, big b, big c`).Scan(&n)
	if !errors.Is(err, context.DeadlineExceeded) && (err == nil || !strings.Contains(err.Error(), "interrupt")) {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("stopped after %v", el)
	}
}

// TestSidecars: a -wal that is not a regular file stops the read (rows
// would be missed silently); the -shm is never read, so a link to
// /dev/zero or a pipe costs nothing; a database linked from outside the
// evidence is refused.
func TestSidecars(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("named pipes and links")
	}
	db, wal := walPair(t)
	base := t.TempDir()
	ev := filepath.Join(base, "evidence")
	for _, sub := range []string{"walfifo", "shmzero", "shmfifo", "escape"} {
		if err := os.MkdirAll(filepath.Join(ev, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p string, b []byte) {
		if err := os.WriteFile(filepath.Join(ev, p), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("walfifo/m.db", db)
	mkfifo(t, filepath.Join(ev, "walfifo", "m.db-wal"))
	write("shmzero/m.db", db)
	write("shmzero/m.db-wal", wal)
	must(t, os.Symlink("/dev/zero", filepath.Join(ev, "shmzero", "m.db-shm")))
	write("shmfifo/m.db", db)
	write("shmfifo/m.db-wal", wal)
	mkfifo(t, filepath.Join(ev, "shmfifo", "m.db-shm"))
	must(t, os.WriteFile(filepath.Join(base, "other-case.db"), db, 0o644))
	must(t, os.Symlink("../../other-case.db", filepath.Join(ev, "escape", "m.db")))
	tmp := testTemp(t)
	cases := []struct {
		dir, want string
	}{
		{"walfifo", "walfifo/m.db-wal: refused: a named pipe"},
		{"shmzero", ""},
		{"shmfifo", ""},
		{"escape", "escape/m.db: refused: a symbolic link that leads outside the evidence folder"},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			done := make(chan struct{})
			var d *DB
			var err error
			go func() {
				defer close(done)
				d, err = Open(context.Background(), evfile.Dir(ev), c.dir+"/m.db", Options{Temp: tmp})
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Open blocked")
			}
			if c.want != "" {
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("err = %v, want %q", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			texts, err := readAll(context.Background(), d)
			if err != nil || !strings.Contains(strings.Join(texts, "|"), "only in the WAL") {
				t.Fatalf("WAL rows not read: %q %v", texts, err)
			}
			if tmp.Budget().Used() > int64(len(db)+len(wal)) {
				t.Errorf("%d bytes reserved for a %d-byte database and WAL", tmp.Budget().Used(), len(db)+len(wal))
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

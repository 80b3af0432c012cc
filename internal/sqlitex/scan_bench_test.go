package sqlitex

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkScanRows reads a 100k-row message-like table through Open, as
// modules do (immutable open, rows scanned into any).
func BenchmarkScanRows(b *testing.B) {
	const rows = 100_000
	dir := b.TempDir()
	p := filepath.Join(dir, "m.db")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, date INTEGER, is_from_me INTEGER)`); err != nil {
		b.Fatal(err)
	}
	tx, _ := db.Begin()
	st, _ := tx.Prepare("INSERT INTO message VALUES (?,?,?,?,?)")
	for i := range rows {
		if _, err := st.Exec(i+1, fmt.Sprintf("G-%d", i), fmt.Sprintf("message number %d https://example.com/%d", i, i), int64(i)*1e9, i%2); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	db.Close()
	fsys := os.DirFS(dir)
	tmp := testTemp(b)
	b.ReportAllocs()
	for b.Loop() {
		d, err := Open(context.Background(), fsys, "m.db", Options{Temp: tmp})
		if err != nil {
			b.Fatal(err)
		}
		r, err := d.QueryContext(context.Background(), "SELECT ROWID, guid, text, date, is_from_me FROM message ORDER BY ROWID")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		var v [5]any
		for r.Next() {
			if err := r.Scan(&v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
		d.Close()
		if n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

package sqlitex

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

const benchRows = 100_000

// benchDB writes a 100k-row message-like table (no WAL) into a folder.
func benchDB(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "m.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, date INTEGER, is_from_me INTEGER)`); err != nil {
		b.Fatal(err)
	}
	tx, _ := db.Begin()
	st, _ := tx.Prepare("INSERT INTO message VALUES (?,?,?,?,?)")
	for i := range benchRows {
		if _, err := st.Exec(i+1, fmt.Sprintf("G-%d", i), fmt.Sprintf("message number %d https://example.com/%d", i, i), int64(i)*1e9, i%2); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return dir
}

// scanAll opens m.db through Open, as modules do, scans every row into any,
// and says whether the open was in place (no private copy).
func scanAll(b *testing.B, fsys fs.FS, tmp *scratch.Dir) (inPlace bool) {
	d, err := Open(context.Background(), fsys, "m.db", Options{Temp: tmp})
	if err != nil {
		b.Fatal(err)
	}
	inPlace = d.cleanup == nil
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
	if n != benchRows {
		b.Fatalf("%d rows", n)
	}
	return inPlace
}

// BenchmarkScanRows reads a 100k-row table through Open the way a module
// reads a database of an iOS backup or a folder: opened immutable in place
// (the evidence file system is a local one), rows scanned into any.
//
// It used to open through os.DirFS, which does not say where its files are
// on disk (source.LocalPather), so Open made a private copy of the database
// on every iteration: it measured the copy, not the in-place open it named.
// It now fails if the open is not in place; BenchmarkScanRowsPrivateCopy
// measures the copy path (databases with a -wal, or inside an archive).
func BenchmarkScanRows(b *testing.B) {
	dir := benchDB(b)
	fsys := evfile.Dir(dir)
	tmp := testTemp(b)
	b.ReportAllocs()
	for b.Loop() {
		if !scanAll(b, fsys, tmp) {
			b.Fatal("the database was copied, not opened in place")
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkScanRowsPrivateCopy is the same scan when Open must copy the
// database into the private temporary folder first: a file system that
// cannot name a local path (here os.DirFS; in use, a zip or a decrypted
// backup), or a database with a -wal.
func BenchmarkScanRowsPrivateCopy(b *testing.B) {
	dir := benchDB(b)
	fsys := os.DirFS(dir)
	tmp := testTemp(b)
	b.ReportAllocs()
	for b.Loop() {
		if scanAll(b, fsys, tmp) {
			b.Fatal("expected a private copy")
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

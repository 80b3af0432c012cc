package moduletest

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"howett.net/plist"
	_ "modernc.org/sqlite"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/iosbackup"
	"github.com/huella-project/huella/internal/testutil"
)

// SQLite creates the database at dir/rel (making folders) and runs stmts.
func SQLite(t testing.TB, dir, rel string, stmts ...string) string {
	t.Helper()
	p := MkdirFor(t, dir, rel)
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v\n%s", rel, err, s)
		}
	}
	return p
}

// Exec runs one statement with arguments on an existing database (for blobs).
func Exec(t testing.TB, p, stmt string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("%v\n%s", err, stmt)
	}
}

// Plist writes v as a binary plist at dir/rel.
func Plist(t testing.TB, dir, rel string, v any) string {
	t.Helper()
	b, err := plist.Marshal(v, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	return File(t, dir, rel, b)
}

// File writes raw bytes at dir/rel.
func File(t testing.TB, dir, rel string, b []byte) string {
	t.Helper()
	p := MkdirFor(t, dir, rel)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Has says whether the record carries the observable.
func Has(r *model.Record, kind model.Kind, value string) bool {
	for _, o := range r.Observables {
		if o.Kind == kind && o.Value == value {
			return true
		}
	}
	return false
}

// Descs lists the record's stamp descriptions.
func Descs(r *model.Record) []string {
	var out []string
	for _, s := range r.Times {
		out = append(out, s.Desc)
	}
	return out
}

// MVTBackup opens MVT's test iOS backup (../shared/fixtures/mvt/ios_backup)
// with the real backup reader; the test is skipped when the data is absent.
func MVTBackup(t testing.TB) *source.Evidence {
	t.Helper()
	dir := testutil.Shared(t, "fixtures/mvt/ios_backup")
	ev, err := iosbackup.Open(context.Background(), dir, iosbackup.Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatalf("open MVT backup: %v", err)
	}
	t.Cleanup(func() { ev.Close() })
	return ev
}

// Package sqlitex opens evidence databases without changing them, without
// losing the rows that live only in a write-ahead log, and without letting a
// crafted database turn SQLite against the examiner.
//
// The recipe (see ARCHITECTURE.md): a database with a -wal sidecar is copied
// with its -wal, under the same base name, into the run's private temporary
// folder (within its disk budget) and opened read-only there, so SQLite
// replays the WAL into its view; the -shm is never read (SQLite rebuilds it
// in the copy). A database without a WAL is opened in place with
// mode=ro&immutable=1, which never writes. Files that are not plainly on
// disk (inside a zip, decrypted from a backup) are always copied.
//
// Every connection is then hardened (policy.go): a cell larger than
// MaxCell cannot be loaded, the schema is untrusted (trusted_schema=OFF),
// and an authorizer refuses reads through views, from virtual tables and of
// generated columns, so a query only ever reads real tables' stored bytes.
// Queries run under the caller's context, whose deadline interrupts the
// engine.
package sqlitex

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"

	_ "modernc.org/sqlite" // pure-Go driver, registered as "sqlite"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// Options say where private copies go and where problems are reported.
type Options struct {
	// Temp is the run's private folder; copies draw on its budget. Needed
	// whenever a copy is (a WAL, a file inside an archive).
	Temp *scratch.Dir
	// Note receives problems that do not stop the read: a text cut at
	// CellCap. nil drops them.
	Note func(msg string)
	// Skipped receives the values left out because they are larger than a
	// value may be (what, the size and limit, in detail): parts of the
	// evidence not checked. nil sends them to Note.
	Skipped func(what, detail string)
}

// DB is an evidence database opened read-only. Close removes any private
// copy. Its methods are the only way to query it: each runs on the one
// hardened connection and names the database in its errors.
type DB struct {
	Name    string // logical path inside the evidence
	db      *sql.DB
	conn    *sql.Conn
	pol     *policy
	note    func(string)
	skipped func(what, detail string)
	cleanup func()

	cellNotes atomic.Int64
}

// Close closes the connection and removes the private copy.
func (d *DB) Close() error {
	err := d.conn.Close()
	err = errors.Join(err, d.db.Close())
	if d.cleanup != nil {
		d.cleanup()
	}
	return err
}

// Open opens the database at logical path name of fsys.
func Open(ctx context.Context, fsys fs.FS, name string, o Options) (*DB, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if why := evfile.NotRegular(fi.Mode()); why != "" {
		return nil, &evfile.RefusedError{Name: name, Reason: why}
	}
	walName := name + "-wal"
	var walSize int64
	switch wfi, err := fs.Stat(fsys, walName); {
	case err == nil:
		if why := evfile.NotRegular(wfi.Mode()); why != "" {
			// Reading without it would silently miss the newest rows.
			return nil, &evfile.RefusedError{Name: walName, Reason: why + "; the database was not read without it"}
		}
		walSize = wfi.Size()
	case evfile.IsRefused(err):
		return nil, fmt.Errorf("%w; the database was not read without it", err)
	}
	if fi.Size() == 0 && walSize == 0 {
		// A database of 0 bytes (and no WAL to rebuild it from) is one the
		// acquisition could not copy while it was in use: present, not
		// checked, and not a database of some unknown schema.
		return nil, &evfile.EmptyError{Name: name}
	}
	if lp, ok := fsys.(source.LocalPather); ok && walSize == 0 {
		if p, ok := lp.LocalPath(name); ok {
			return openPath(ctx, name, p, true, nil, o)
		}
	}
	if o.Temp == nil {
		return nil, fmt.Errorf("%s: a private copy is needed and no temporary folder was given", name)
	}
	// Copy the database and its -wal into a folder of their own, keeping the
	// base name so SQLite pairs them. The -shm is left behind on purpose: it
	// is derived data SQLite rebuilds from the WAL, and a crafted one (a
	// link to /dev/zero, a pipe) must not be read at all.
	dir, err := o.Temp.MkdirTemp("db")
	if err != nil {
		return nil, fmt.Errorf("%s: private copy: %w", name, err)
	}
	var reserved int64
	cleanup := func() {
		os.RemoveAll(dir)
		o.Temp.Budget().Release(reserved)
	}
	base := path.Base(name)
	for _, suffix := range []string{"", "-wal"} {
		if suffix == "-wal" && walSize == 0 {
			continue
		}
		n, err := copyOut(ctx, fsys, name+suffix, filepath.Join(dir, base+suffix), o.Temp.Budget())
		reserved += n
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("%s: private copy: %w", name+suffix, err)
		}
	}
	return openPath(ctx, name, filepath.Join(dir, base), walSize == 0, cleanup, o)
}

// OpenFile opens a database given by an on-disk path (tools, tests, an
// iOS backup's Manifest.db).
func OpenFile(ctx context.Context, p string, o Options) (*DB, error) {
	dir, base := filepath.Split(p)
	return Open(ctx, evfile.Dir(dir), base, o)
}

// copyOut copies one file into dst after reserving its declared size; the
// copy stops at that size, so a lying archive entry cannot overrun it. It
// returns the bytes reserved (kept until the copy is removed).
func copyOut(ctx context.Context, fsys fs.FS, name, dst string, b *scratch.Budget) (int64, error) {
	src, err := evfile.Open(fsys, name, evfile.Database)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	size := src.Info.Size()
	if err := b.Reserve(name, size); err != nil {
		return 0, err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return size, err
	}
	n, err := io.Copy(out, io.LimitReader(evfile.WithContext(ctx, src), size+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > size {
		err = fmt.Errorf("holds more than the %d bytes it declares", size)
	}
	return size, err
}

func openPath(ctx context.Context, name, p string, immutable bool, cleanup func(), o Options) (*DB, error) {
	fail := func(err error) (*DB, error) {
		if cleanup != nil {
			cleanup()
		}
		return nil, err
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
	q := "mode=ro"
	if immutable {
		q += "&immutable=1"
	}
	// query_only guards against any statement that would write, even to a
	// copy; trusted_schema=OFF keeps functions with side effects out of
	// views, triggers and generated columns; cell_size_check catches
	// corrupt pages early; no memory mapping of a hostile file.
	q += "&_pragma=query_only(1)&_pragma=busy_timeout(1000)&_pragma=trusted_schema(0)&_pragma=cell_size_check(1)&_pragma=mmap_size(0)"
	dsn := u.String() + "?" + q
	if !strings.HasPrefix(u.Path, "/") { // Windows drive paths
		dsn = "file:" + filepath.ToSlash(p) + "?" + q
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", name, err))
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return fail(fmt.Errorf("%s: not a readable SQLite database: %w", name, err))
	}
	d := &DB{Name: name, db: db, conn: conn, note: o.Note, skipped: o.Skipped, cleanup: cleanup}
	// Fail now, naming the file, rather than in every query: "file is not a
	// database" here usually means an encrypted backup that was not
	// decrypted.
	if err := d.harden(ctx); err != nil {
		conn.Close()
		db.Close()
		return fail(fmt.Errorf("%s: not a readable SQLite database: %w", name, err))
	}
	return d, nil
}

// Tables lists the database's real tables (views and virtual tables left
// out), to tell schema versions apart.
func (d *DB) Tables(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	for n := range d.pol.tables {
		out[d.pol.tables[n]] = true
	}
	return out, nil
}

// Columns lists a table's columns (generated ones left out).
func (d *DB) Columns(ctx context.Context, table string) (map[string]bool, error) {
	cols, err := d.nameSet(ctx, "SELECT name FROM pragma_table_xinfo(?) WHERE hidden NOT IN (2, 3)", table)
	if err != nil {
		return nil, err
	}
	return cols, nil
}

// Table checks that name is a real table of the database before a module
// queries it, naming what it is instead.
func (d *DB) Table(name string) error {
	return d.pol.checkTable(d.Name, name)
}

// nameSet collects a one-column query of names into a set.
func (d *DB) nameSet(ctx context.Context, query string, args ...any) (map[string]bool, error) {
	rows, err := d.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// QueryContext runs a read query. Its context's deadline interrupts the
// engine while the query starts (modernc installs a progress handler for
// that step); between rows database/sql checks the context. A refusal by
// the authorizer names what was refused.
func (d *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := d.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, d.explain(err)
	}
	return rows, nil
}

// QueryRowContext runs a query expected to return at most one row.
func (d *DB) QueryRowContext(ctx context.Context, query string, args ...any) *OneRow {
	rows, err := d.QueryContext(ctx, query, args...)
	return &OneRow{rows: rows, err: err}
}

// OneRow is QueryRowContext's result.
type OneRow struct {
	rows *sql.Rows
	err  error
}

// Scan copies the row's columns into dest; sql.ErrNoRows when none.
func (r *OneRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}

// explain turns SQLite's "not authorized" into what was refused.
func (d *DB) explain(err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); strings.Contains(msg, "not authorized") || strings.Contains(msg, "authorization denied") {
		if why := d.pol.lastDenied(); why != "" {
			return &evfile.RefusedError{Name: d.Name, Reason: why + " (a crafted database?)"}
		}
	}
	return err
}

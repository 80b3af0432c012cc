// Package sqlitex opens evidence databases without changing them and without
// losing the rows that live only in a write-ahead log.
//
// The recipe (see ARCHITECTURE.md): a database with a -wal sidecar is copied
// with its sidecars, under the same base name, into a private temporary
// folder and opened read-only there, so SQLite replays the WAL into its view
// and any -shm it writes lands in the copy. A database without a WAL is opened
// in place with mode=ro&immutable=1, which never writes. Files that are not
// plainly on disk (inside a zip, decrypted from a backup) are always copied.
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

	"github.com/huella-project/huella/internal/source"
	_ "modernc.org/sqlite" // pure-Go driver, registered as "sqlite"
)

// DB is an evidence database opened read-only. Close removes any private copy.
type DB struct {
	*sql.DB
	Name    string // logical path inside the evidence
	cleanup func()
}

func (d *DB) Close() error {
	err := d.DB.Close()
	if d.cleanup != nil {
		d.cleanup()
	}
	return err
}

var seq atomic.Int64

// Open opens the database at logical path name of fsys. tmpDir is a private
// folder the copy may go into (the evidence's TempDir).
func Open(fsys fs.FS, name, tmpDir string) (*DB, error) {
	walName := name + "-wal"
	hasWAL := false
	if fi, err := fs.Stat(fsys, walName); err == nil && fi.Size() > 0 {
		hasWAL = true
	}
	if lp, ok := fsys.(source.LocalPather); ok && !hasWAL {
		if p, ok := lp.LocalPath(name); ok {
			return openPath(name, p, true, nil)
		}
	}
	// Copy db (+ -wal, -shm) into a folder of its own, keeping the base name
	// so SQLite pairs the sidecars with the database.
	dir, err := os.MkdirTemp(tmpDir, fmt.Sprintf("db%d-", seq.Add(1)))
	if err != nil {
		return nil, fmt.Errorf("%s: private copy: %w", name, err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	base := path.Base(name)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		err := copyOut(fsys, name+suffix, filepath.Join(dir, base+suffix))
		if err != nil {
			if suffix != "" && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			cleanup()
			return nil, fmt.Errorf("%s: private copy: %w", name+suffix, err)
		}
	}
	return openPath(name, filepath.Join(dir, base), !hasWAL, cleanup)
}

// OpenFile opens a database given by an on-disk path (tests, tools).
func OpenFile(p, tmpDir string) (*DB, error) {
	dir, base := filepath.Split(p)
	return Open(localFS(dir), base, tmpDir)
}

type localFS string

func (l localFS) Open(name string) (fs.File, error) { return os.DirFS(string(l)).Open(name) }
func (l localFS) LocalPath(name string) (string, bool) {
	return filepath.Join(string(l), filepath.FromSlash(name)), true
}

func copyOut(fsys fs.FS, name, dst string) error {
	src, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func openPath(name, p string, immutable bool, cleanup func()) (*DB, error) {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
	q := "mode=ro"
	if immutable {
		q += "&immutable=1"
	}
	// query_only guards against any statement that would write, even to a copy.
	q += "&_pragma=query_only(1)&_pragma=busy_timeout(1000)"
	dsn := u.String() + "?" + q
	if !strings.HasPrefix(u.Path, "/") { // Windows drive paths
		dsn = "file:" + filepath.ToSlash(p) + "?" + q
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		if cleanup != nil {
			cleanup()
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	db.SetMaxOpenConns(1)
	// Fail now, naming the file, rather than in every query: "file is not a
	// database" here usually means an encrypted backup that was not decrypted.
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		db.Close()
		if cleanup != nil {
			cleanup()
		}
		return nil, fmt.Errorf("%s: not a readable SQLite database: %w", name, err)
	}
	return &DB{DB: db, Name: name, cleanup: cleanup}, nil
}

// Tables lists the database's tables, to tell schema versions apart.
func (d *DB) Tables(ctx context.Context) (map[string]bool, error) {
	return d.nameSet(ctx, "SELECT name FROM sqlite_master WHERE type='table'")
}

// Columns lists a table's columns.
func (d *DB) Columns(ctx context.Context, table string) (map[string]bool, error) {
	return d.nameSet(ctx, "SELECT name FROM pragma_table_info(?)", table)
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

// Package casestore keeps a helpline's cases: for every stored check, the
// device, the evidence hashes, the provenance of the run and every
// observable the modules extracted (kind, value, module, time, record
// reference), plus the findings of the check and of later retro-hunts.
//
// One schema, two engines: an embedded SQLite file (the default, one
// analyst) and a PostgreSQL server (a team). Both are reached through
// database/sql with pure-Go drivers (modernc.org/sqlite, pgx) and migrated
// by goose from the versioned SQL files in migrations/<engine>/.
//
// The store is not evidence: it is written freely. It is sensitive (it
// holds what was on people's phones), so the SQLite file is created 0600 in
// a 0700 folder, deleted rows are overwritten (secure_delete) and removing
// a case removes every row that came from it.
//
// The hunt index: every distinct observed value is stored once (vals) with
// the lookup keys the matcher would use for it (indicators.ObservableKeys,
// encoded as int64 codes in val_keys); run_vals says which runs observed
// it and obs where and when. A hunt encodes the keys of its new indicators
// the same way and reads only the observations behind them.
package casestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // pure-Go SQLite, registered as "sqlite"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Engines.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Store is an open case store. Its methods are safe to call one at a time
// (a command's work); SQLite uses a single connection.
type Store struct {
	db     *sql.DB
	engine string
	where  string // file path, or the DSN without its password
	// flushEvery bounds the observations held in memory while loading a
	// run (defaultFlushEvery; a test lowers its own store's).
	flushEvery int
}

// IsPostgres reports whether dsn names a PostgreSQL server.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the store named by dsn, creating and migrating it as needed:
// "postgres://…" (or "postgresql://…") is a PostgreSQL server; anything else
// is the path of a SQLite file ("sqlite:" prefix optional).
func Open(ctx context.Context, dsn string) (*Store, error) {
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("no case store path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("case store path %q: '?' and '#' are not allowed in the file name", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("case store: %w", err)
	}
	// Create the file private before SQLite does (it would use 0644).
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("case store: %w", err)
	}
	f.Close()
	// secure_delete: deleted rows are overwritten with zeros, so a removed
	// case cannot be read back from the file's free space. (Copies of keys
	// that B-tree interior pages keep as dividers are another matter: Remove
	// rebuilds the file for those.)
	// temp_store(MEMORY) keeps statement journals (every multi-row insert
	// has one) off the disk; Remove switches it back to files for VACUUM,
	// whose temporary copy is as large as the store.
	pragmas := []string{"busy_timeout(30000)", "journal_mode(WAL)", "synchronous(NORMAL)", "secure_delete(ON)",
		"foreign_keys(OFF)", "cache_size(-131072)", "temp_store(MEMORY)"}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	s := &Store{db: db, engine: SQLite, where: path, flushEvery: defaultFlushEvery}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	where := dsn
	if u, err := url.Parse(dsn); err == nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		where = u.Redacted()
	}
	s := &Store{db: db, engine: Postgres, where: where, flushEvery: defaultFlushEvery}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("case store %s: %w", where, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// migrate brings the schema to the newest version. On PostgreSQL a session
// lock keeps two analysts who start huella at once from migrating twice.
func (s *Store) migrate(ctx context.Context) error {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.engine == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		l, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(l))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, s.db, sub, opts...)
	if err != nil {
		return fmt.Errorf("case store migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("case store %s: migrating the schema: %w", s.where, err)
	}
	return nil
}

// SchemaVersion is the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v, err
}

// Engine is SQLite or Postgres.
func (s *Store) Engine() string { return s.engine }

// Where names the store for messages: the file, or the DSN without password.
func (s *Store) Where() string { return s.where }

// Close closes the store; on SQLite it first folds the write-ahead log back
// into the file and empties it, so no copy of deleted pages lingers there.
func (s *Store) Close() error {
	if s.engine == SQLite {
		_, _ = s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	return s.db.Close()
}

// Tables lists the store's own tables (not goose's bookkeeping), for tests
// and diagnostics.
func (s *Store) Tables(ctx context.Context) ([]string, error) {
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name"
	if s.engine == Postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'goose_db_version' ORDER BY table_name"
	}
	return queryColumn[string](ctx, s.db, q)
}

// DB exposes the connection pool for tests and benchmarks that inspect the
// store directly.
func (s *Store) DB() *sql.DB { return s.db }

// session is one connection with a manual transaction on it. Manual
// BEGIN/COMMIT (rather than sql.Tx) lets the PostgreSQL path use pgx's COPY
// on the very connection the transaction runs on.
type session struct {
	*sql.Conn
	s    *Store
	done bool
}

func (s *Store) begin(ctx context.Context) (*session, error) {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	stmt := "BEGIN"
	if s.engine == SQLite {
		stmt = "BEGIN IMMEDIATE" // take the write lock now, not halfway through
	}
	if _, err := c.ExecContext(ctx, stmt); err != nil {
		c.Close()
		return nil, err
	}
	return &session{Conn: c, s: s}, nil
}

func (t *session) commit(ctx context.Context) error {
	t.done = true
	_, err := t.ExecContext(ctx, "COMMIT")
	if err != nil {
		_, _ = t.ExecContext(context.Background(), "ROLLBACK")
	}
	return errors.Join(err, t.Close())
}

// end rolls back unless committed; deferred right after begin.
func (t *session) end() {
	if !t.done {
		t.done = true
		_, _ = t.ExecContext(context.Background(), "ROLLBACK")
		t.Close()
	}
}

// copyFrom bulk-loads rows into table with PostgreSQL's COPY on the
// session's connection.
func (t *session) copyFrom(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	return t.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs a pgx connection, got %T", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
}

// prepare prepares queries on the session's connection, in their order.
// Closing closes them all; on an error the ones already prepared are
// closed here.
func (t *session) prepare(ctx context.Context, queries ...string) ([]*sql.Stmt, func(), error) {
	stmts := make([]*sql.Stmt, 0, len(queries))
	closeAll := func() {
		for _, st := range stmts {
			st.Close()
		}
	}
	for _, q := range queries {
		st, err := t.PrepareContext(ctx, q)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		stmts = append(stmts, st)
	}
	return stmts, closeAll, nil
}

// forRows calls fn for each row of rows, then closes them: the store's one
// row loop, so no early return forgets to close or to check rows.Err.
func forRows(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

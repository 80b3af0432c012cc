package samplegen

import (
	"database/sql"
	"errors"
	"fmt"
	"os"

	_ "modernc.org/sqlite" // the generator writes real SQLite files
)

// loader bulk-loads one new SQLite file. All its inserters share one
// transaction: SQLite has a single writer, so two open transactions on one
// file would wait on each other.
type loader struct {
	db    *sql.DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	rows  int
}

// createDB makes a new SQLite file tuned for bulk loading: nothing here
// needs crash safety, the file is rebuilt from the seed if interrupted.
func createDB(p, schema string) (*loader, error) {
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+p+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-65536)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: schema: %w", p, err)
	}
	return &loader{db: db, stmts: map[string]*sql.Stmt{}}, nil
}

const rowsPerTx = 50_000

func (l *loader) exec(q string, args []any) error {
	if l.tx == nil {
		var err error
		if l.tx, err = l.db.Begin(); err != nil {
			return err
		}
	}
	st, ok := l.stmts[q]
	if !ok {
		var err error
		if st, err = l.tx.Prepare(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		l.stmts[q] = st
	}
	if _, err := st.Exec(args...); err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	if l.rows++; l.rows%rowsPerTx == 0 {
		return l.commit()
	}
	return nil
}

func (l *loader) commit() error {
	if l.tx == nil {
		return nil
	}
	for q, st := range l.stmts {
		st.Close()
		delete(l.stmts, q)
	}
	err := l.tx.Commit()
	l.tx = nil
	return err
}

// Close commits what is pending and closes the file; calling it twice is harmless.
func (l *loader) Close() error {
	if l.db == nil {
		return nil
	}
	err := errors.Join(l.commit(), l.db.Close())
	l.db = nil
	return err
}

// inserter adds rows with one INSERT statement.
type inserter struct {
	l *loader
	q string
}

func newInserter(l *loader, q string) *inserter { return &inserter{l: l, q: q} }

func (in *inserter) add(args ...any) error { return in.l.exec(in.q, args) }

func (in *inserter) flush() error { return in.l.commit() }

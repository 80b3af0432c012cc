package sqlitex

import (
	"context"
	"errors"
	"fmt"
	"regexp"
)

// Row is one result row of Each. It is only valid inside the callback that
// received it: the same buffers are reused for the next row, so a table of
// a million rows costs one slice, not a million maps.
type Row struct {
	cols map[string]int // column name (as aliased in the query) -> position
	vals []any
}

// Get is the value of the named column, nil when NULL or not selected.
func (r Row) Get(name string) any {
	if i, ok := r.cols[name]; ok {
		return r.vals[i]
	}
	return nil
}

// Int is Int(r.Get(name)).
func (r Row) Int(name string) int64 { return Int(r.Get(name)) }

// Float is Float(r.Get(name)).
func (r Row) Float(name string) float64 { return Float(r.Get(name)) }

// Text is Text(r.Get(name)).
func (r Row) Text(name string) string { return Text(r.Get(name)) }

// big says whether a value may have been cut or left out by Capped: only
// those go through Cell, which notes them.
func big(v any) bool {
	switch x := v.(type) {
	case string:
		return len(x) >= CellCap || len(x) > 0 && x[0] == 0
	case []byte:
		return len(x) >= CellCap
	}
	return false
}

// fromTable finds the table a one-table query reads, to name cells in notes.
var fromTable = regexp.MustCompile(`(?i)\bFROM\s+"?([A-Za-z_][A-Za-z0-9_]*)`)

// Stop, returned by Each's callback, ends the loop early without an error.
var Stop = errors.New("stop reading rows")

// Each is the one row loop: it streams the rows of query to fn, checking
// ctx between rows, so a huge table is never held in memory (fn returns
// Stop to end early). Values read
// through Capped or Whole that were cut or left out are noted (see Cell),
// naming the table and column. An error names the database.
func Each(ctx context.Context, db *DB, query string, fn func(Row) error, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	table := "column"
	if m := fromTable.FindStringSubmatch(query); m != nil {
		table = m[1]
	}
	row := Row{cols: make(map[string]int, len(names)), vals: make([]any, len(names))}
	for i, n := range names {
		row.cols[n] = i // of two same-named columns the last wins, as it always did
	}
	ptrs := make([]any, len(names))
	for i := range row.vals {
		ptrs[i] = &row.vals[i]
	}
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		clear(row.vals)
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("%s: %w", db.Name, err)
		}
		for i, v := range row.vals {
			if big(v) {
				row.vals[i] = db.Cell(v, table+"."+names[i])
			}
		}
		if err := fn(row); err != nil {
			if err == Stop {
				return nil
			}
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	return nil
}

// BlobAt reads column col of the row rowid of table, whole up to max bytes
// (see Whole), for a module that reads large blobs one at a time rather
// than holding them all. A NULL, a non-blob, or a value left out for its
// size (noted) gives nil. NOT INDEXED: a rowid lookup needs no index, and a
// crafted one must not be used.
func BlobAt(ctx context.Context, db *DB, table, col string, max int, rowid int64) ([]byte, error) {
	var out []byte
	err := Each(ctx, db, fmt.Sprintf(`SELECT %s AS %s FROM %s NOT INDEXED WHERE rowid = ?`, Whole(col, max), col, table), func(r Row) error {
		out, _ = r.Get(col).([]byte)
		return Stop
	}, rowid)
	return out, err
}

// MaxJoinRows bounds what one table may put in memory when modules join
// tables in Go (they never let SQLite join: a crafted database without
// indexes, or with lying statistics, turns a join quadratic).
const MaxJoinRows = 2_000_000

// Index loads a table into a map keyed by a column, to join in Go: query
// reads one table only, and kv turns a row into its key and value
// (ok=false skips the row). Past MaxJoinRows rows the rest is left out and
// noted on the database.
func Index[K comparable, V any](ctx context.Context, db *DB, query string, kv func(Row) (K, V, bool)) (map[K]V, error) {
	out := map[K]V{}
	err := Each(ctx, db, query, func(r Row) error {
		k, v, ok := kv(r)
		if !ok {
			return nil
		}
		if _, dup := out[k]; !dup && len(out) >= MaxJoinRows {
			return errTooMany
		}
		out[k] = v
		return nil
	})
	if errors.Is(err, errTooMany) {
		db.Note(fmt.Sprintf("%s: more than %d rows to join in %q; the rest were left out", db.Name, MaxJoinRows, query))
		err = nil
	}
	return out, err
}

// Group is Index for a key with many rows (a page's icons, a tab's
// sessions): the values of each key in the order read, MaxJoinRows values
// in all at most.
func Group[K comparable, V any](ctx context.Context, db *DB, query string, kv func(Row) (K, V, bool)) (map[K][]V, error) {
	out := map[K][]V{}
	n := 0
	err := Each(ctx, db, query, func(r Row) error {
		k, v, ok := kv(r)
		if !ok {
			return nil
		}
		if n++; n > MaxJoinRows {
			return errTooMany
		}
		out[k] = append(out[k], v)
		return nil
	})
	if errors.Is(err, errTooMany) {
		db.Note(fmt.Sprintf("%s: more than %d rows to join in %q; the rest were left out", db.Name, MaxJoinRows, query))
		err = nil
	}
	return out, err
}

var errTooMany = errors.New("too many rows")

// SchemaError says a database does not have the shape a module knows. It is a
// failure, not silence: a new iOS version may have moved the data elsewhere.
type SchemaError struct {
	DB     string
	Table  string
	Column string
}

func (e *SchemaError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s: unknown schema: no table %q", e.DB, e.Table)
	}
	return fmt.Sprintf("%s: unknown schema: table %q has no column %q", e.DB, e.Table, e.Column)
}

// Need checks that table exists with the required columns and returns every
// column it has, so optional ones can be selected when present (Pick).
func Need(ctx context.Context, db *DB, table string, required ...string) (map[string]bool, error) {
	tables, err := db.Tables(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", db.Name, err)
	}
	if !tables[table] {
		return nil, &SchemaError{DB: db.Name, Table: table}
	}
	cols, err := db.Columns(ctx, table)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", db.Name, err)
	}
	for _, c := range required {
		if !cols[c] {
			return nil, &SchemaError{DB: db.Name, Table: table, Column: c}
		}
	}
	return cols, nil
}

// Pick is "alias.col" when the column exists, else NULL, so one query serves
// every schema version that has the required columns. The column is read
// through Capped: a text or blob longer than CellCap comes back cut (and
// Each notes it), one over MaxCell not at all.
func Pick(have map[string]bool, alias, col string) string {
	if !have[col] {
		return "NULL"
	}
	return Col(alias, col)
}

// Col is a required column, read through Capped like Pick's.
func Col(alias, col string) string {
	if alias == "" {
		return Capped(`"` + col + `"`)
	}
	return Capped(alias + `."` + col + `"`)
}

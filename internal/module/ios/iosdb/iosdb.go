// Package iosdb holds the few steps every iOS database module repeats:
// locating the artifact under both its backup and its file-system path,
// refusing a schema it does not understand, and turning SQLite's loosely
// typed values into Go values without trusting the declared column types.
package iosdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/timestamp"
)

// Find returns the first logical path that exists among paths, or an
// ErrAbsent error naming what was looked for.
func Find(env *module.Env, what string, paths ...string) (string, error) {
	found := env.Find(paths...)
	if len(found) == 0 {
		return "", module.Absent(what)
	}
	// Keep the caller's order of preference rather than the sorted order.
	for _, p := range paths {
		for _, f := range found {
			if f == p {
				return f, nil
			}
		}
	}
	return found[0], nil
}

// Open finds and opens the database (WAL-safe, read-only).
func Open(env *module.Env, what string, paths ...string) (*sqlitex.DB, error) {
	p, err := Find(env, what, paths...)
	if err != nil {
		return nil, err
	}
	return env.OpenDB(p)
}

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
// column it has, so optional ones can be selected when present.
func Need(ctx context.Context, db *sqlitex.DB, table string, required ...string) (map[string]bool, error) {
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
// through sqlitex.Capped: a text or blob longer than sqlitex.CellCap comes
// back cut (and Each notes it), one over sqlitex.MaxCell not at all.
func Pick(have map[string]bool, alias, col string) string {
	if !have[col] {
		return "NULL"
	}
	return Col(alias, col)
}

// Col is a required column, read through sqlitex.Capped like Pick's.
func Col(alias, col string) string {
	if alias == "" {
		return sqlitex.Capped(`"` + col + `"`)
	}
	return sqlitex.Capped(alias + `."` + col + `"`)
}

// MaxJoinRows bounds what one table may put in memory when modules join
// tables in Go (they never let SQLite join: a crafted database without
// indexes, or with lying statistics, turns a join quadratic).
const MaxJoinRows = 2_000_000

// Index loads a table into a map keyed by an integer column, to join in Go:
// query reads one table only, and kv turns a row into its key and value
// (ok=false skips the row). Past MaxJoinRows rows the rest is left out and
// noted on the database.
func Index[V any](ctx context.Context, db *sqlitex.DB, query string, kv func(Row) (int64, V, bool)) (map[int64]V, error) {
	out := map[int64]V{}
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

var errTooMany = errors.New("too many rows")

// Str renders a scanned value as text; blobs are taken as UTF-8 because
// Core Data stores some strings (WhatsApp names, call numbers) as blobs.
func Str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return strings.ToValidUTF8(string(x), "\uFFFD")
	case int64:
		return fmt.Sprint(x)
	case float64:
		return fmt.Sprint(x)
	case bool:
		return fmt.Sprint(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// Float reads a number stored as integer, real or numeric text.
func Float(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case string:
		var f float64
		if _, err := fmt.Sscan(x, &f); err == nil {
			return f
		}
	case []byte:
		return Float(string(x))
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

// Int is Float truncated.
func Int(v any) int64 {
	if x, ok := v.(int64); ok {
		return x
	}
	return int64(Float(v))
}

// Null says whether the column was NULL (or absent from the schema).
func Null(v any) bool { return v == nil }

// AppleTime converts a Cocoa timestamp column (seconds or nanoseconds); a
// value that is no date between 1970 and 2100 gives the zero time.
func AppleTime(v any) time.Time { return timestamp.OrZero(AppleTimeChecked(v)) }

// AppleTimeChecked is AppleTime with the error that keeps an out-of-range
// value, for model.Record.StampChecked. Integer columns convert exactly.
func AppleTimeChecked(v any) (time.Time, error) {
	if i, ok := v.(int64); ok {
		return timestamp.AppleInt(i)
	}
	return timestamp.Apple(Float(v))
}

// UnixTime converts a Unix timestamp column (unit guessed by magnitude).
func UnixTime(v any) time.Time { return timestamp.OrZero(UnixTimeChecked(v)) }

// UnixTimeChecked is UnixTime with the error that keeps an out-of-range value.
func UnixTimeChecked(v any) (time.Time, error) {
	if i, ok := v.(int64); ok {
		return timestamp.UnixInt(i)
	}
	return timestamp.Unix(Float(v))
}

// Row is one result row. It is only valid inside the Each callback that
// received it: the same buffers are reused for the next row, so a table of a
// million rows costs one slice, not a million maps.
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

// big says whether a value may have been cut or left out by Capped: only
// those go through sqlitex's check, which notes them.
func big(v any) bool {
	switch x := v.(type) {
	case string:
		return len(x) >= sqlitex.CellCap || len(x) > 0 && x[0] == 0
	case []byte:
		return len(x) >= sqlitex.CellCap
	}
	return false
}

// Each streams the rows of query to fn, checking ctx between rows, so a huge
// table is never held in memory. An error names the database.
func Each(ctx context.Context, db *sqlitex.DB, query string, fn func(Row) error, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
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
				row.vals[i] = db.Cell(v, fmt.Sprintf("column %q", names[i]))
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	return nil
}

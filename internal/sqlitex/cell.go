package sqlitex

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/source/evfile"
)

// CellCap is the most characters (text) or bytes (blob) of one value a
// module reads through Capped. Longer values are cut there, and the cut is
// noted: a 400 MB message text costs a few megabytes, not gigabytes.
const CellCap = 4 << 20

// overMarker starts what Capped and Whole return for a value they do not
// load; Cell turns it into nil and a note giving the size and the limit.
const overMarker = "\x00huella:cell-over-limit:"

// sqlMarker is overMarker as an SQL expression (a literal cannot hold NUL).
var sqlMarker = "'" + strings.ReplaceAll(overMarker, "\x00", "'||char(0)||'") + "'"

// Capped is SQL selecting expr with its size bounded: values up to CellCap
// whole, longer ones cut to CellCap, and ones over MaxCell (which SQLite
// must not load) replaced by a marker holding their size. octet_length
// reads a value's size from the record header without loading it, so the
// check itself costs nothing. Numbers and NULLs pass unchanged.
func Capped(expr string) string {
	return fmt.Sprintf(`(CASE WHEN typeof(%[1]s) NOT IN ('text', 'blob') THEN %[1]s WHEN octet_length(%[1]s) > %[2]d THEN %[4]s || octet_length(%[1]s) || ':' || %[2]d WHEN octet_length(%[1]s) > %[3]d THEN substr(%[1]s, 1, %[3]d) ELSE %[1]s END)`,
		expr, MaxCell, CellCap, sqlMarker)
}

// Whole is SQL selecting a value a module decodes whole (a plist blob),
// never cut: up to max bytes (at most MaxCell) it comes back as stored,
// larger it is not loaded at all and Cell notes it.
func Whole(expr string, max int) string {
	max = min(max, MaxCell)
	return fmt.Sprintf(`(CASE WHEN typeof(%[1]s) NOT IN ('text', 'blob') THEN %[1]s WHEN octet_length(%[1]s) > %[2]d THEN %[3]s || octet_length(%[1]s) || ':' || %[2]d ELSE %[1]s END)`,
		expr, max, sqlMarker)
}

// Cell checks a value read through Capped or Whole: a marker becomes nil,
// and a value cut at CellCap is reported; what says which (a column, a
// row). Values a module reads through Whole are only reported when left
// out.
func (d *DB) Cell(v any, what string) any {
	switch x := v.(type) {
	case string:
		if rest, ok := strings.CutPrefix(x, overMarker); ok {
			size, limit, _ := strings.Cut(rest, ":")
			n, _ := strconv.ParseInt(size, 10, 64)
			l, _ := strconv.ParseInt(limit, 10, 64)
			msg := fmt.Sprintf("%s: %s holds %s, over the %s this value may have: not read", d.Name, what, evfile.Size(n), evfile.Size(l))
			if d.skipped != nil {
				d.skipped(d.Name+" ("+what+")", msg)
			} else {
				d.noteCell(msg)
			}
			return nil
		}
		// A cut value is exactly CellCap long (a value read whole through
		// Whole may be longer, and was not cut).
		if len(x) >= CellCap && len(x) <= 4*CellCap && utf8.RuneCountInString(x) == CellCap {
			d.noteCell(fmt.Sprintf("%s: %s is longer than %d characters: read cut there", d.Name, what, CellCap))
		}
	case []byte:
		if len(x) == CellCap {
			d.noteCell(fmt.Sprintf("%s: %s is longer than %s: read cut there", d.Name, what, evfile.Size(CellCap)))
		}
	}
	return v
}

// Note reports a problem reading the database that does not stop the read
// (to the module's warnings when opened by a module).
func (d *DB) Note(msg string) {
	if d.note != nil {
		d.note(msg)
	}
}

// maxCellNotes bounds the notes of one database: a table of a million
// oversized values gets a handful of lines, not a million.
const maxCellNotes = 20

func (d *DB) noteCell(msg string) {
	if d.note == nil {
		return
	}
	switch n := d.cellNotes.Add(1); {
	case n <= maxCellNotes:
		d.note(msg)
	case n == maxCellNotes+1:
		d.note(d.Name + ": more values over the size limits; not listed one by one")
	}
}

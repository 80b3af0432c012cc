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

// overMarker starts what Capped returns for a value larger than MaxCell,
// which SQLite is not allowed to load at all; Cell turns it into nil and a
// note giving the size.
const overMarker = "\x00huella:cell-over-limit:"

// Capped is SQL selecting expr with its size bounded: values up to CellCap
// whole, longer ones cut to CellCap, and ones over MaxCell (which SQLite
// must not load) replaced by a marker holding their size. octet_length
// reads a value's size from the record header without loading it, so the
// check itself costs nothing. Numbers and NULLs pass unchanged.
func Capped(expr string) string {
	return fmt.Sprintf(`(CASE WHEN typeof(%[1]s) NOT IN ('text', 'blob') THEN %[1]s WHEN octet_length(%[1]s) > %[2]d THEN '%[4]s' || octet_length(%[1]s) WHEN octet_length(%[1]s) > %[3]d THEN substr(%[1]s, 1, %[3]d) ELSE %[1]s END)`,
		expr, MaxCell, CellCap, strings.ReplaceAll(overMarker, "\x00", "'||char(0)||'"))
}

// Cell checks a value read through Capped: a marker becomes nil, and a
// value cut at CellCap is reported; what says which (table.column, row).
func (d *DB) Cell(v any, what string) any {
	switch x := v.(type) {
	case string:
		if rest, ok := strings.CutPrefix(x, overMarker); ok {
			n, _ := strconv.ParseInt(rest, 10, 64)
			d.noteCell(fmt.Sprintf("%s: %s holds %s, over the %s a value may have: not read", d.Name, what, evfile.Size(n), evfile.Size(MaxCell)))
			return nil
		}
		if len(x) >= CellCap && utf8.RuneCountInString(x) >= CellCap {
			d.noteCell(fmt.Sprintf("%s: %s is longer than %d characters: read cut there", d.Name, what, CellCap))
		}
	case []byte:
		if len(x) >= CellCap {
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

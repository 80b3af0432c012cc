package report

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// A timeline of a million file paths has a million distinct summaries and
// sources: held as strings in dictionaries it took more memory than the
// whole check. The page's string columns are therefore dictionaries with a
// bounded memory: the first strings stay in memory (where small reports
// keep all of theirs), the rest go, already encoded as the page writes
// them, to a file in the private folder, and are copied into the page.
var (
	// maxDictEntries bounds the strings remembered for reuse; past it a
	// string met again gets a new entry (the page is a little larger).
	maxDictEntries = 1 << 16
	// dictMemBytes bounds the strings kept in memory per column.
	dictMemBytes = 4 << 20
	// memRows bounds the events whose numbers stay in memory; the rest go
	// to a file of fixed-size rows (rowSpool).
	memRows = 200_000
)

type spoolDict struct {
	idx      map[string]int32
	mem      []string // the first strings, in id order
	memBytes int
	n        int32  // strings in all (mem, then the file)
	dir      string // where the file goes ("" = a private folder of its own)
	name     string
	own      string // the private folder made here, removed at close
	f        *os.File
	w        *bufio.Writer
	spooled  int
	err      error
}

func newSpoolDict(dir, name string) *spoolDict {
	return &spoolDict{idx: map[string]int32{}, dir: dir, name: name}
}

func (d *spoolDict) id(s string) int32 {
	if i, ok := d.idx[s]; ok {
		return i
	}
	i := d.n
	d.n++
	if len(d.idx) < maxDictEntries {
		d.idx[s] = i
	}
	if d.f == nil && d.err == nil && d.memBytes+len(s) <= dictMemBytes {
		d.mem = append(d.mem, s)
		d.memBytes += len(s) + 16
		return i
	}
	if d.f == nil && d.err == nil {
		d.open()
	}
	if d.err != nil {
		// The page still gets an entry (empty), and the report says it
		// could not be completed.
		return i
	}
	enc, _ := json.Marshal(s) // a string always encodes; HTML-escaped: it goes inside <script>
	d.w.Write(enc)
	if err := d.w.WriteByte('\n'); err != nil {
		d.err = err
	}
	d.spooled++
	return i
}

func (d *spoolDict) open() {
	dir := d.dir
	if dir == "" {
		own, err := os.MkdirTemp("", "huella-report-")
		if err != nil {
			d.err = err
			return
		}
		d.own, dir = own, own
	}
	f, err := os.CreateTemp(dir, "report-"+d.name+"-*")
	if err != nil {
		d.err = err
		return
	}
	d.f, d.w = f, bufio.NewWriterSize(f, 1<<16)
}

// each calls fn with every string's page encoding, in id order.
func (d *spoolDict) each(fn func(enc []byte) error) error {
	for _, s := range d.mem {
		enc, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if err := fn(enc); err != nil {
			return err
		}
	}
	if d.f == nil {
		return d.err
	}
	if err := d.w.Flush(); err != nil {
		return err
	}
	if _, err := d.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(d.f, 1<<16)
	for n := 0; n < d.spooled; n++ {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A long line: gather it whole (summaries are clipped, so
			// this is a few KB at most).
			full := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = r.ReadSlice('\n')
				full = append(full, line...)
			}
			line = full
		}
		if err != nil {
			return err
		}
		if err := fn(line[:len(line)-1]); err != nil {
			return err
		}
	}
	return nil
}

// close removes the file (and the private folder made for it).
func (d *spoolDict) close() {
	if d.f != nil {
		name := d.f.Name()
		d.f.Close()
		os.Remove(name)
		d.f = nil
	}
	if d.own != "" {
		os.RemoveAll(filepath.Clean(d.own))
		d.own = ""
	}
}

// rowSpool holds the numeric columns of the events past memRows, one
// fixed-size row each (time, module, severity, event, summary, source), in
// a file of the private folder; the page reads it once per column.
type rowSpool struct {
	dir, own string
	f        *os.File
	w        *bufio.Writer
	n        int
	err      error
}

const rowSize = 8 + 4 + 1 + 4 + 4 + 4

type row struct {
	t          int64
	m, d, x, r int32
	s          int8
}

func (r *rowSpool) add(v row) {
	if r.err != nil {
		return
	}
	if r.f == nil {
		dir := r.dir
		if dir == "" {
			own, err := os.MkdirTemp("", "huella-report-")
			if err != nil {
				r.err = err
				return
			}
			r.own, dir = own, own
		}
		f, err := os.CreateTemp(dir, "report-rows-*")
		if err != nil {
			r.err = err
			return
		}
		r.f, r.w = f, bufio.NewWriterSize(f, 1<<16)
	}
	var b [rowSize]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(v.t))
	binary.LittleEndian.PutUint32(b[8:], uint32(v.m))
	b[12] = byte(v.s)
	binary.LittleEndian.PutUint32(b[13:], uint32(v.d))
	binary.LittleEndian.PutUint32(b[17:], uint32(v.x))
	binary.LittleEndian.PutUint32(b[21:], uint32(v.r))
	if _, err := r.w.Write(b[:]); err != nil {
		r.err = err
	}
	r.n++
}

// each reads the rows back in order.
func (r *rowSpool) each(fn func(row)) error {
	if r == nil || r.f == nil {
		if r != nil {
			return r.err
		}
		return nil
	}
	if err := r.w.Flush(); err != nil {
		return err
	}
	if _, err := r.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(r.f, 1<<16)
	var b [rowSize]byte
	for i := 0; i < r.n; i++ {
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return err
		}
		fn(row{t: int64(binary.LittleEndian.Uint64(b[0:])), m: int32(binary.LittleEndian.Uint32(b[8:])), s: int8(b[12]),
			d: int32(binary.LittleEndian.Uint32(b[13:])), x: int32(binary.LittleEndian.Uint32(b[17:])), r: int32(binary.LittleEndian.Uint32(b[21:]))})
	}
	return nil
}

func (r *rowSpool) close() {
	if r == nil {
		return
	}
	if r.f != nil {
		name := r.f.Name()
		r.f.Close()
		os.Remove(name)
		r.f = nil
	}
	if r.own != "" {
		os.RemoveAll(r.own)
		r.own = ""
	}
}

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
const (
	// maxDictEntries bounds the strings remembered for reuse; past it a
	// string met again gets a new entry (the page is a little larger).
	maxDictEntries = 1 << 16
	// dictMemBytes bounds the strings kept in memory per column.
	dictMemBytes = 4 << 20
	// memRows bounds the events whose numbers stay in memory; the rest go
	// to a file of fixed-size rows (rowSpool).
	memRows = 200_000
)

// limits are what one report's timeline holds: the events embedded at most
// (Options.MaxEvents) and the memory bounds above. A zero field is its
// default; tests pass small ones to cross every bound with a few events.
type limits struct {
	events, dictEntries, dictBytes, memRows int
}

func (l limits) withDefaults() limits {
	if l.events <= 0 {
		l.events = DefaultMaxEvents
	}
	if l.dictEntries <= 0 {
		l.dictEntries = maxDictEntries
	}
	if l.dictBytes <= 0 {
		l.dictBytes = dictMemBytes
	}
	if l.memRows <= 0 {
		l.memRows = memRows
	}
	return l
}

// spoolFile is the temporary file of one spool, made on first use in dir
// or, when dir is "", in a private folder made for it; close removes both.
type spoolFile struct {
	dir string // where the file goes ("" = a private folder of its own)
	own string // the private folder made here, removed at close
	f   *os.File
	w   *bufio.Writer
	err error
}

// create makes the file, named after pattern (as os.CreateTemp reads it);
// a failure is kept in err.
func (s *spoolFile) create(pattern string) {
	dir := s.dir
	if dir == "" {
		own, err := os.MkdirTemp("", "huella-report-")
		if err != nil {
			s.err = err
			return
		}
		s.own, dir = own, own
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		s.err = err
		return
	}
	s.f, s.w = f, bufio.NewWriterSize(f, 1<<16)
}

// rewind flushes what was written and reads the file from its start.
func (s *spoolFile) rewind() (*bufio.Reader, error) {
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return bufio.NewReaderSize(s.f, 1<<16), nil
}

// close removes the file (and the private folder made for it).
func (s *spoolFile) close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		os.Remove(name)
		s.f = nil
	}
	if s.own != "" {
		os.RemoveAll(filepath.Clean(s.own))
		s.own = ""
	}
}

type spoolDict struct {
	spoolFile
	idx      map[string]int32
	mem      []string // the first strings, in id order
	memBytes int
	n        int32 // strings in all (mem, then the file)
	name     string
	spooled  int
	lim      limits
}

func newSpoolDict(dir, name string, lim limits) *spoolDict {
	return &spoolDict{spoolFile: spoolFile{dir: dir}, idx: map[string]int32{}, name: name, lim: lim}
}

func (d *spoolDict) id(s string) int32 {
	if i, ok := d.idx[s]; ok {
		return i
	}
	i := d.n
	d.n++
	if len(d.idx) < d.lim.dictEntries {
		d.idx[s] = i
	}
	if d.f == nil && d.err == nil && d.memBytes+len(s) <= d.lim.dictBytes {
		d.mem = append(d.mem, s)
		d.memBytes += len(s) + 16
		return i
	}
	if d.f == nil && d.err == nil {
		d.create("report-" + d.name + "-*")
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
	r, err := d.rewind()
	if err != nil {
		return err
	}
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

// rowSpool holds the numeric columns of the events past memRows, one
// fixed-size row each (time, module, severity, event, summary, source), in
// a file of the private folder; the page reads it once per column.
type rowSpool struct {
	spoolFile
	n int
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
		r.create("report-rows-*")
		if r.err != nil {
			return
		}
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
	br, err := r.rewind()
	if err != nil {
		return err
	}
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
	if r != nil {
		r.spoolFile.close()
	}
}

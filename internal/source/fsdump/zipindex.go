package fsdump

import (
	"bufio"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"time"

	"github.com/huella-project/huella/internal/source/archive"
)

// The zip reader reads the central directory as a stream, entry by entry,
// into the compact index, where archive/zip would keep a struct of about
// 300 bytes per entry (300 MB for a dump of a million files). Formats:
// PKWARE's APPNOTE.TXT (end of central directory, its zip64 record and
// locator, central file headers, local file headers, the zip64 (0x0001),
// extended timestamp (0x5455) and NTFS (0x000a) extra fields). Entries are
// stored or deflated; any other method, and encrypted entries, are listed
// and refused when read, naming the method.

const (
	sigEOCD     = 0x06054b50
	sigZip64End = 0x06064b50
	sigZip64Loc = 0x07064b50
	sigCentral  = 0x02014b50
	sigLocal    = 0x04034b50
)

// zipIndex is a zip's index and how to read its entries (the compressed
// size, CRC, method and flags of each file are in its node).
type zipIndex struct {
	f    *os.File
	size int64
	lim  archive.Limits
}

// errNotZip says the file has no readable central directory.
var errNotZip = errors.New("not a readable zip archive (no end of central directory)")

// findEnd returns the central directory's offset, size and entry count.
func findEnd(r io.ReaderAt, size int64) (off, cdSize, count int64, err error) {
	const eocdLen = 22
	if size < eocdLen {
		return 0, 0, 0, errNotZip
	}
	back := min(size, eocdLen+0xffff)
	buf := make([]byte, back)
	if _, err := r.ReadAt(buf, size-back); err != nil && err != io.EOF {
		return 0, 0, 0, err
	}
	at := -1
	for i := len(buf) - eocdLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == sigEOCD {
			// The comment must reach the end exactly (a signature inside
			// the comment is not the record).
			if i+eocdLen+int(binary.LittleEndian.Uint16(buf[i+20:])) == len(buf) {
				at = i
				break
			}
		}
	}
	if at < 0 {
		return 0, 0, 0, errNotZip
	}
	e := buf[at:]
	if binary.LittleEndian.Uint16(e[4:]) != 0 || binary.LittleEndian.Uint16(e[6:]) != 0 {
		return 0, 0, 0, errors.New("a multi-part (spanned) zip: join the parts into one file first")
	}
	count = int64(binary.LittleEndian.Uint16(e[10:]))
	cdSize = int64(binary.LittleEndian.Uint32(e[12:]))
	off = int64(binary.LittleEndian.Uint32(e[16:]))
	eocdAt := size - back + int64(at)
	if count == 0xffff || cdSize == 0xffffffff || off == 0xffffffff {
		// zip64: the locator sits just before the record.
		if eocdAt < 20 {
			return 0, 0, 0, errors.New("zip64 locator missing")
		}
		loc := make([]byte, 20)
		if _, err := r.ReadAt(loc, eocdAt-20); err != nil {
			return 0, 0, 0, err
		}
		if binary.LittleEndian.Uint32(loc) != sigZip64Loc {
			return 0, 0, 0, errors.New("zip64 locator missing")
		}
		recAt := int64(binary.LittleEndian.Uint64(loc[8:]))
		if recAt < 0 || recAt > size-56 {
			return 0, 0, 0, errors.New("zip64 end record out of the file")
		}
		rec := make([]byte, 56)
		if _, err := r.ReadAt(rec, recAt); err != nil {
			return 0, 0, 0, err
		}
		if binary.LittleEndian.Uint32(rec) != sigZip64End {
			return 0, 0, 0, errors.New("zip64 end record missing")
		}
		count = int64(binary.LittleEndian.Uint64(rec[32:]))
		cdSize = int64(binary.LittleEndian.Uint64(rec[40:]))
		off = int64(binary.LittleEndian.Uint64(rec[48:]))
		eocdAt = recAt
	}
	if off < 0 || cdSize < 0 || count < 0 || off > eocdAt || cdSize > eocdAt-off {
		return 0, 0, 0, errors.New("central directory out of the file")
	}
	return off, cdSize, count, nil
}

// zipEntry is one central file header, as parsed.
type zipEntry struct {
	name    []byte // reused for the next entry
	usize   int64
	csize   int64
	offset  int64
	crc     uint32
	method  uint16
	flags   uint16
	mtime   int64 // Unix ns
	dir     bool
	special bool // a symbolic link or device in the Unix mode bits
}

// readCentral streams the central directory, calling fn for each entry.
func readCentral(ctx context.Context, r io.ReaderAt, off, cdSize, count int64, maxEntries int, fn func(*zipEntry) error) error {
	br := bufio.NewReaderSize(io.NewSectionReader(r, off, cdSize), 1<<16)
	var fixed [46]byte
	var e zipEntry
	name := make([]byte, 0, 256)
	extra := make([]byte, 0, 256)
	for n := int64(0); ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if _, err := io.ReadFull(br, fixed[:]); err != nil {
			if err == io.EOF && (n == count || count == 0xffff) {
				return nil
			}
			if err == io.EOF {
				return fmt.Errorf("central directory ends after %d of the %d entries it declares", n, count)
			}
			return fmt.Errorf("central directory cut after %d entries: %w", n, err)
		}
		if binary.LittleEndian.Uint32(fixed[:]) != sigCentral {
			if n >= count {
				return nil // trailing data after the last declared entry
			}
			return fmt.Errorf("central directory damaged at entry %d", n)
		}
		if n >= int64(maxEntries) {
			return fmt.Errorf("more than %d entries: %w", maxEntries, archive.ErrLimit)
		}
		made := binary.LittleEndian.Uint16(fixed[4:])
		e = zipEntry{
			flags:  binary.LittleEndian.Uint16(fixed[8:]),
			method: binary.LittleEndian.Uint16(fixed[10:]),
			crc:    binary.LittleEndian.Uint32(fixed[16:]),
			csize:  int64(binary.LittleEndian.Uint32(fixed[20:])),
			usize:  int64(binary.LittleEndian.Uint32(fixed[24:])),
			offset: int64(binary.LittleEndian.Uint32(fixed[42:])),
		}
		dosTime, dosDate := binary.LittleEndian.Uint16(fixed[12:]), binary.LittleEndian.Uint16(fixed[14:])
		nlen, xlen, clen := int(binary.LittleEndian.Uint16(fixed[28:])), int(binary.LittleEndian.Uint16(fixed[30:])), int(binary.LittleEndian.Uint16(fixed[32:]))
		ext := binary.LittleEndian.Uint32(fixed[38:])
		name = slices.Grow(name[:0], nlen)[:nlen]
		extra = slices.Grow(extra[:0], xlen)[:xlen]
		if _, err := io.ReadFull(br, name); err != nil {
			return fmt.Errorf("central directory cut at entry %d: %w", n, err)
		}
		if _, err := io.ReadFull(br, extra); err != nil {
			return fmt.Errorf("central directory cut at entry %d: %w", n, err)
		}
		if _, err := br.Discard(clen); err != nil {
			return fmt.Errorf("central directory cut at entry %d: %w", n, err)
		}
		e.name = name
		e.mtime = parseExtra(extra, &e)
		if e.mtime == 0 {
			e.mtime = dosNano(dosDate, dosTime)
		}
		e.dir = len(name) > 0 && name[len(name)-1] == '/'
		switch made >> 8 {
		case 3, 19: // Unix, OS X: st_mode in the high half
			mode := ext >> 16
			switch mode & 0o170000 {
			case 0o040000:
				e.dir = true
			case 0o100000, 0:
			default:
				e.special = true // link, device, pipe, socket
			}
		case 0: // MS-DOS attributes
			if ext&0x10 != 0 {
				e.dir = true
			}
		}
		if e.usize < 0 || e.csize < 0 || e.offset < 0 {
			return fmt.Errorf("entry %q declares a negative size or offset", name)
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
}

// parseExtra reads the zip64 sizes and the best modification time from an
// entry's extra fields; it returns the time (0 when none is given).
func parseExtra(x []byte, e *zipEntry) int64 {
	var mtime int64
	for len(x) >= 4 {
		id, size := binary.LittleEndian.Uint16(x), int(binary.LittleEndian.Uint16(x[2:]))
		x = x[4:]
		if size > len(x) {
			return mtime
		}
		field := x[:size]
		x = x[size:]
		switch id {
		case 0x0001: // zip64: only the fields whose header value is saturated
			if e.usize == 0xffffffff && len(field) >= 8 {
				e.usize, field = int64(binary.LittleEndian.Uint64(field)), field[8:]
			}
			if e.csize == 0xffffffff && len(field) >= 8 {
				e.csize, field = int64(binary.LittleEndian.Uint64(field)), field[8:]
			}
			if e.offset == 0xffffffff && len(field) >= 8 {
				e.offset = int64(binary.LittleEndian.Uint64(field))
			}
		case 0x5455: // extended timestamp: flags, then mtime (UTC seconds)
			if len(field) >= 5 && field[0]&1 != 0 {
				mtime = int64(int32(binary.LittleEndian.Uint32(field[1:]))) * 1e9
			}
		case 0x000a: // NTFS: reserved(4), then tag 1 (size 24): mtime, atime, ctime
			if len(field) >= 32 && binary.LittleEndian.Uint16(field[4:]) == 1 && binary.LittleEndian.Uint16(field[6:]) >= 24 && mtime == 0 {
				ft := int64(binary.LittleEndian.Uint64(field[8:]))
				// 100 ns ticks since 1601-01-01.
				const epochDiff = 116444736000000000
				if ft > epochDiff && ft < epochDiff+int64(200*365*24*3600)*1e7 {
					mtime = (ft - epochDiff) * 100
				}
			}
		}
	}
	return mtime
}

// dosNano reads an MS-DOS date and time (local time of the machine that
// made the zip, zone unknown: taken as UTC, as archive/zip does).
func dosNano(date, tm uint16) int64 {
	if date == 0 {
		return 0
	}
	t := time.Date(int(date>>9)+1980, time.Month(date>>5&0xf), int(date&0x1f),
		int(tm>>11), int(tm>>5&0x3f), int(tm&0x1f)*2, 0, time.UTC)
	return t.UnixNano()
}

// overlapRatio: declared bytes per archive byte above which entries are
// checked for shared data (see archive.NewZip).
const overlapRatio = 16

// indexZip reads the zip at p into a raw tree. Refused entries (unsafe
// names, over the size limits, data shared with another entry) are listed
// in refused, not indexed.
func indexZip(ctx context.Context, p string, lim archive.Limits) (t *tree, z *zipIndex, refused []string, rooted int, err error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, nil, 0, err
	}
	lim = lim.WithDefaults()
	off, cdSize, count, err := findEnd(f, fi.Size())
	if err != nil {
		return nil, nil, nil, 0, err
	}
	if count > int64(lim.MaxEntries) {
		return nil, nil, nil, 0, fmt.Errorf("%d entries, more than the limit of %d: %w", count, lim.MaxEntries, archive.ErrLimit)
	}
	t = newTree()
	z = &zipIndex{f: f, size: fi.Size(), lim: lim}
	var total uint64
	nRefused := 0
	refuse := func(name, why string) {
		nRefused++
		if len(refused) < maxRefusedListed {
			refused = append(refused, fmt.Sprintf("entry %q refused: %s", name, why))
		}
	}
	// The central directory says how many entries and how many bytes of
	// names there are: size the index once.
	t.reserve(int(min(count, int64(lim.MaxEntries)))+16, int(min(max(cdSize-46*count, 0)/3, 1<<30)))
	err = readCentral(ctx, f, off, cdSize, count, lim.MaxEntries, func(e *zipEntry) error {
		clean, nerr := cleanNameBytes(e.name)
		if nerr != nil {
			refuse(string(e.name), nerr.Error())
			return nil
		}
		if len(e.name) > 0 && e.name[0] == '/' {
			rooted++
		}
		if len(clean) == 0 || len(clean) == 1 && clean[0] == '.' {
			return nil
		}
		if e.dir {
			_, err := t.addBytes(clean, kindDir, 0, e.mtime, 0)
			return err
		}
		if e.special {
			_, err := t.addBytes(clean, kindLink, e.usize, e.mtime, 0)
			return err
		}
		if uint64(e.usize) > lim.MaxFileSize {
			refuse(string(e.name), fmt.Sprintf("declares %d bytes, more than the per-file limit of %d", e.usize, lim.MaxFileSize))
			return nil
		}
		if total += uint64(e.usize); total > lim.MaxTotal {
			return fmt.Errorf("entries declare more than %d uncompressed bytes in total (at %q): %w", lim.MaxTotal, e.name, archive.ErrLimit)
		}
		if e.offset > fi.Size() || e.csize > fi.Size()-e.offset {
			refuse(string(e.name), "its data lies outside the archive")
			return nil
		}
		id, err := t.addBytes(clean, kindFile, e.usize, e.mtime, e.offset)
		if err != nil {
			return err
		}
		n := &t.nodes[id]
		n.aux, n.crc, n.method, n.flags = e.csize, e.crc, e.method, e.flags
		return nil
	})
	if err != nil {
		return nil, nil, nil, 0, err
	}
	if total > overlapRatio*uint64(max(fi.Size(), 1)) {
		for _, name := range dropOverlapping(t) {
			refuse(name, "its data overlaps another entry's (a zip bomb trick)")
		}
	}
	if nRefused > len(refused) {
		refused = append(refused, fmt.Sprintf("%d more entries refused (not listed one by one)", nRefused-len(refused)))
	}
	t.freeze()
	return t, z, refused, rooted, nil
}

// maxRefusedListed bounds the refused entries listed one by one.
const maxRefusedListed = 200

// dropOverlapping turns into gaps the files whose compressed data starts
// inside another's: one stretch of data is read for one entry only.
func dropOverlapping(t *tree) []string {
	var files []int32
	for i := range t.nodes {
		if t.nodes[i].kind == kindFile {
			files = append(files, int32(i))
		}
	}
	slices.SortFunc(files, func(a, b int32) int { return int(t.nodes[a].loc - t.nodes[b].loc) })
	var out []string
	end := int64(-1)
	for _, id := range files {
		n := &t.nodes[id]
		if n.loc < end {
			n.kind = kindGone
			out = append(out, t.rawPath(id))
			continue
		}
		end = n.loc + 30 + n.aux
	}
	return out
}

func (z *zipIndex) close() error { return z.f.Close() }

func (z *zipIndex) localPath(*tree, int32) (string, bool) { return "", false }

// open returns the entry's bytes: stored or inflated, stopped at the size
// it declares and checked against its CRC-32 at the end.
func (z *zipIndex) open(t *tree, id int32) (io.ReadCloser, error) {
	n := &t.nodes[id]
	m := struct {
		csize         int64
		crc           uint32
		method, flags uint16
	}{n.aux, n.crc, n.method, n.flags}
	if m.flags&1 != 0 {
		return nil, errors.New("encrypted zip entry: decrypt the archive first")
	}
	var hdr [30]byte
	if _, err := z.f.ReadAt(hdr[:], n.loc); err != nil {
		return nil, fmt.Errorf("local header: %w", err)
	}
	if binary.LittleEndian.Uint32(hdr[:]) != sigLocal {
		return nil, errors.New("local header missing (damaged archive)")
	}
	start := n.loc + 30 + int64(binary.LittleEndian.Uint16(hdr[26:])) + int64(binary.LittleEndian.Uint16(hdr[28:]))
	if start > z.size || m.csize > z.size-start {
		return nil, errors.New("entry data lies outside the archive")
	}
	sr := io.NewSectionReader(z.f, start, m.csize)
	var rc io.ReadCloser
	switch m.method {
	case 0:
		if m.csize != n.size {
			return nil, fmt.Errorf("stored entry: %d bytes of data for %d declared", m.csize, n.size)
		}
		rc = io.NopCloser(sr)
	case 8:
		rc = flate.NewReader(sr)
	default:
		return nil, fmt.Errorf("compression method %d (%s) is not supported: extract the archive with its tool and give the folder", m.method, methodName(m.method))
	}
	return &checkedReader{rc: rc, left: n.size, crc: m.crc, h: crc32.NewIEEE()}, nil
}

func methodName(m uint16) string {
	switch m {
	case 9:
		return "Deflate64"
	case 12:
		return "bzip2"
	case 14:
		return "LZMA"
	case 93:
		return "Zstandard"
	case 95:
		return "XZ"
	case 99:
		return "AES encryption"
	}
	return "unknown"
}

// checkedReader stops at the declared size (one byte more is an error)
// and checks the CRC-32 when the data ends.
type checkedReader struct {
	rc   io.ReadCloser
	left int64
	crc  uint32
	h    hash.Hash32
}

func (c *checkedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var b [1]byte
		if n, _ := c.rc.Read(b[:]); n > 0 {
			return 0, errors.New("entry holds more bytes than it declares")
		}
		if c.h.Sum32() != c.crc {
			return 0, errors.New("entry data does not match its CRC-32 (damaged archive)")
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	c.h.Write(p[:n])
	if err == io.EOF && c.left > 0 {
		return n, fmt.Errorf("entry cut: %d bytes missing: %w", c.left, io.ErrUnexpectedEOF)
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.rc.Close() }

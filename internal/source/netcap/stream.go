package netcap

import (
	"bufio"
	"compress/gzip"
	"io"
)

// Reader is a logical file opened for streaming, decompressed when it is
// gzip (rotated logs usually are). The compressed size was checked by the
// bounded reader; what it inflates to is read as a stream, never held.
type Reader struct {
	io.Reader
	closers []io.Closer
}

// Close closes the decompressor and the file.
func (r *Reader) Close() error {
	var first error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if err := r.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Decompress wraps an opened evidence file, looking at its first bytes for
// gzip's magic.
func Decompress(f io.ReadCloser) (*Reader, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	r := &Reader{Reader: br, closers: []io.Closer{f}}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, err
		}
		zr.Multistream(true)
		r.Reader = bufio.NewReaderSize(zr, 64<<10)
		r.closers = append(r.closers, zr)
	}
	return r, nil
}

// MaxLine bounds one line of a log: longer lines are skipped, never held.
const MaxLine = 1 << 20

// Lines calls fn with each line of r, without its line end, and returns
// how many lines were longer than max and skipped. The slice fn gets is
// only valid during the call.
func Lines(r io.Reader, max int, fn func(line []byte) error) (skipped int, err error) {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	var long []byte
	tooLong := false
	for {
		frag, err := br.ReadSlice('\n')
		switch {
		case err == bufio.ErrBufferFull:
			if !tooLong {
				if len(long)+len(frag) > max {
					tooLong, long = true, long[:0]
				} else {
					long = append(long, frag...)
				}
			}
			continue
		case err != nil && err != io.EOF:
			return skipped, err
		}
		line := frag
		if len(long) > 0 || tooLong {
			if !tooLong && len(long)+len(frag) <= max {
				long = append(long, frag...)
				line = long
			} else {
				tooLong = true
			}
		}
		if !tooLong && len(trimEOL(line)) > max {
			tooLong = true
		}
		if tooLong {
			skipped++
		} else {
			line = trimEOL(line)
			if len(line) > 0 || err == nil {
				if ferr := fn(line); ferr != nil {
					return skipped, ferr
				}
			}
		}
		long, tooLong = long[:0], false
		if err == io.EOF {
			return skipped, nil
		}
	}
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

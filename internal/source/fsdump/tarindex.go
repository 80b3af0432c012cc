package fsdump

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// A tar is indexed in one pass over its headers and never extracted file by
// file (a million small files cost a million creations, a minute on a
// laptop): a plain .tar is read in place, each file a section of the
// archive; a .tar.gz cannot be read at an offset, so the contents of its
// non-empty files are copied, in that one pass, into one pack file in the
// private folder, each piece reserved from the disk budget before it is
// written.

// tarIndex reads file bytes from the archive itself (loc >= 0) or from the
// pack (loc < 0: at -loc-1).
type tarIndex struct {
	f    *os.File      // the plain .tar; nil for a .tar.gz
	pf   *os.File      // the pack, when one was written
	pack *scratch.File // removed at close, its room given back
}

func (x *tarIndex) open(t *tree, id int32) (io.ReadCloser, error) {
	n := &t.nodes[id]
	switch {
	case n.size == 0:
		return io.NopCloser(strings.NewReader("")), nil
	case n.loc < 0 && x.pf != nil:
		return io.NopCloser(io.NewSectionReader(x.pf, -n.loc-1, n.size)), nil
	case n.loc >= 0 && x.f != nil:
		return io.NopCloser(io.NewSectionReader(x.f, n.loc, n.size)), nil
	}
	return nil, errors.New("entry data not indexed")
}

func (x *tarIndex) localPath(*tree, int32) (string, bool) { return "", false }

func (x *tarIndex) close() error {
	var err error
	if x.f != nil {
		err = x.f.Close()
	}
	if x.pf != nil {
		x.pf.Close()
		x.pack.Discard()
	}
	return err
}

// seekReader reads a file through a buffer and lets archive/tar seek past
// entry data (it asks io.Seeker for that), so headers are read and data
// skipped, while Pos says where each entry's data starts.
type seekReader struct {
	f    io.ReaderAt
	size int64
	buf  []byte
	base int64 // file offset of buf[0]
	r, w int
}

func (s *seekReader) Pos() int64 { return s.base + int64(s.r) }

func (s *seekReader) Read(p []byte) (int, error) {
	if s.r == s.w {
		s.base += int64(s.w)
		s.r, s.w = 0, 0
		if s.base >= s.size {
			return 0, io.EOF
		}
		n, err := s.f.ReadAt(s.buf, s.base)
		s.w = n
		if n == 0 {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
	n := copy(p, s.buf[s.r:s.w])
	s.r += n
	return n, nil
}

func (s *seekReader) Seek(off int64, whence int) (int64, error) {
	if whence != io.SeekCurrent {
		return 0, errors.New("seekReader: only relative seeks")
	}
	if off >= 0 && off <= int64(s.w-s.r) {
		s.r += int(off)
		return s.Pos(), nil
	}
	pos := s.Pos() + off
	if pos < 0 {
		return 0, errors.New("seekReader: negative position")
	}
	s.base, s.r, s.w = pos, 0, 0
	return pos, nil
}

// counter counts the bytes read through it (the decompressed stream).
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// isSparse says whether archive/tar expands holes for this entry (its data
// in the archive is not the file's bytes in order).
func isSparse(h *tar.Header) bool {
	if h.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// tarResult is an indexed tar: its tree, how to read it, and what the
// analyst must be told.
type tarResult struct {
	t       *tree
	be      *tarIndex
	refused []string // entries refused (unsafe names, over a limit)
	damaged string   // set when the archive ends early or is corrupt: the rest was not read
	rooted  int      // entries whose name started with "/"
	links   int      // links and device entries listed, not followed
}

// indexTar indexes the tar or tar.gz at p (see the top of this file). tmp
// holds the pack of a compressed archive.
func indexTar(ctx context.Context, p string, lim archive.TarLimits, tmp *scratch.Dir) (res *tarResult, err error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	var head [2]byte
	n, _ := f.ReadAt(head[:], 0)
	gz := n == 2 && bytes.Equal(head[:], []byte{0x1f, 0x8b})

	res = &tarResult{t: newTree()}
	var tr *tar.Reader
	var sr *seekReader
	var gzr *gzip.Reader
	var pack *scratch.File
	var packAt int64
	var pw *bufio.Writer
	if gz {
		gzr, err = gzip.NewReader(bufio.NewReaderSize(evfile.WithContext(ctx, f), 1<<16))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("not a readable gzip stream: %w", err)
		}
		tr = tar.NewReader(gzr)
		if tmp == nil {
			f.Close()
			return nil, errors.New("a compressed dump needs the run's temporary folder")
		}
		pack, err = tmp.Create(fmt.Sprintf("dump-pack-%d", os.Getpid()), "contents of "+fi.Name(), 0)
		if err != nil {
			f.Close()
			return nil, err
		}
		pw = bufio.NewWriterSize(pack, 1<<20)
	} else {
		sr = &seekReader{f: f, size: fi.Size(), buf: make([]byte, 1<<16)}
		tr = tar.NewReader(sr)
	}
	cleanup := func() {
		f.Close()
		if pack != nil {
			pack.Close()
			pack.Discard()
		}
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()

	nRefused, entries := 0, 0
	var total int64
	refuse := func(name, why string) {
		nRefused++
		if len(res.refused) < maxRefusedListed {
			res.refused = append(res.refused, fmt.Sprintf("entry %q refused: %s", name, why))
		}
	}
	for {
		if entries%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		h, herr := tr.Next()
		if herr == io.EOF {
			break
		}
		if herr != nil {
			if entries == 0 {
				return nil, fmt.Errorf("not a readable tar archive: %w", herr)
			}
			res.damaged = fmt.Sprintf("the archive is cut or damaged after %d entries (%v): the rest was not read", entries, herr)
			break
		}
		entries++
		if lim.MaxEntries > 0 && entries > lim.MaxEntries {
			return nil, fmt.Errorf("more than %d entries: %w", lim.MaxEntries, archive.ErrLimit)
		}
		clean, nerr := cleanName(h.Name)
		if nerr != nil {
			refuse(h.Name, nerr.Error())
			continue
		}
		if archive.HasRootPrefix(h.Name) {
			res.rooted++
		}
		if clean == "." {
			continue
		}
		mt := int64(0)
		if !h.ModTime.IsZero() {
			mt = h.ModTime.UnixNano()
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if _, err := res.t.add(clean, kindDir, 0, mt, 0); err != nil {
				return nil, err
			}
		case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
			if h.Size < 0 || lim.MaxFileSize > 0 && h.Size > lim.MaxFileSize {
				refuse(h.Name, fmt.Sprintf("declares %d bytes, over the per-file limit of %d", h.Size, lim.MaxFileSize))
				continue
			}
			loc := int64(0)
			switch {
			case h.Size == 0:
			case gz || isSparse(h):
				if pack == nil {
					// A sparse entry of a plain tar: its holes are filled
					// into a pack like a compressed archive's files.
					if pack, err = tmp.Create(fmt.Sprintf("dump-pack-%d", os.Getpid()), "contents of "+fi.Name(), 0); err != nil {
						return nil, err
					}
					pw = bufio.NewWriterSize(pack, 1<<20)
				}
				if total += h.Size; lim.MaxTotalSize > 0 && total > lim.MaxTotalSize {
					return nil, fmt.Errorf("entries hold more than %d bytes in all (at %q): %w", lim.MaxTotalSize, h.Name, archive.ErrLimit)
				}
				if err := pack.Extend(h.Size); err != nil {
					return nil, err
				}
				c, cerr := io.Copy(pw, io.LimitReader(tr, h.Size))
				if cerr == nil && c < h.Size {
					cerr = io.ErrUnexpectedEOF
				}
				loc, packAt = -packAt-1, packAt+c
				if cerr != nil {
					res.damaged = fmt.Sprintf("the archive is cut or damaged inside entry %q (%v): the rest was not read", h.Name, cerr)
					goto done
				}
			default:
				loc = sr.Pos()
			}
			if _, err := res.t.add(clean, kindFile, h.Size, mt, loc); err != nil {
				return nil, err
			}
		case tar.TypeSymlink, tar.TypeLink, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			// Listed in the tree, never followed, created or read.
			res.links++
			if _, err := res.t.add(clean, kindLink, 0, mt, 0); err != nil {
				return nil, err
			}
		}
	}
done:
	if gz && res.damaged == "" {
		// Read what follows the tar's end so the gzip checksum is checked:
		// a truncated .tar.gz whose tar part happens to end cleanly must
		// not pass for whole.
		if _, err := io.Copy(io.Discard, io.LimitReader(gzr, 16<<20)); err != nil {
			res.damaged = fmt.Sprintf("the compressed stream is cut or damaged after the last entry (%v)", err)
		}
	}
	if nRefused > len(res.refused) {
		res.refused = append(res.refused, fmt.Sprintf("%d more entries refused (not listed one by one)", nRefused-len(res.refused)))
	}
	res.t.freeze()
	be := &tarIndex{}
	if !gz {
		be.f = f
	} else {
		f.Close()
	}
	if pack != nil {
		if err := pw.Flush(); err != nil {
			return nil, err
		}
		if err := pack.Close(); err != nil {
			return nil, err
		}
		if be.pf, err = os.Open(pack.Name()); err != nil {
			return nil, err
		}
		be.pack = pack
	}
	res.be = be
	return res, nil
}

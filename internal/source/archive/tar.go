package archive

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
	"path"
	"path/filepath"
	"time"

	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// TarLimits bound what extracting a tar may write: the evidence may come from
// a device the attacker controlled, so a bomb must stop with a clear error.
type TarLimits struct {
	MaxEntries   int   // entries of any type
	MaxFileSize  int64 // bytes of one entry
	MaxTotalSize int64 // bytes of all entries
}

// DefaultTarLimits fit the largest real sysdiagnose and file-system dumps.
var DefaultTarLimits = TarLimits{MaxEntries: 2_000_000, MaxFileSize: 16 << 30, MaxTotalSize: 256 << 30}

// EntryError names the archive entry that was refused.
type EntryError struct {
	Archive, Entry, Reason string
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("%s: entry %q refused: %s", e.Archive, e.Entry, e.Reason)
}

// ErrLimit marks a size or count limit being hit.
var ErrLimit = errors.New("archive limit exceeded")

// SafeName checks an entry name with CheckName and returns it cleaned and
// relative (EntryName).
func SafeName(name string) (string, error) { return EntryName(name) }

// SysdiagnoseTarLimits: a real sysdiagnose holds tens of thousands of
// files, so an archive far past that is refused before anything is written.
var SysdiagnoseTarLimits = TarLimits{MaxEntries: 250_000, MaxFileSize: 4 << 30, MaxTotalSize: 64 << 30}

// ExtractTar extracts a tar or tar.gz file into dst (which must exist and be
// private). A first pass reads only the headers, so an archive over the
// entry limit, with an unsafe name, or whose entries declare more bytes in
// all than the run's temporary disk budget allows (sparse and PAX entries
// count for the size they expand to), is refused before a single file is
// written; the second pass extracts, each entry stopped at its declared
// size. Every entry is checked: names (SafeName), types (regular files and
// folders only; links are recorded as skipped, device files refused), and
// limits. It returns notes on entries skipped. A nil budget is unlimited.
func ExtractTar(ctx context.Context, archivePath, dst string, lim TarLimits, budget *scratch.Budget) (notes []string, err error) {
	name := filepath.Base(archivePath)
	var declared int64
	if err := withTarStream(ctx, archivePath, func(r io.Reader) error {
		declared, err = scanTar(ctx, name, r, lim)
		return err
	}); err != nil {
		return nil, err
	}
	if budget != nil {
		if err := budget.Reserve(name+" (entries to extract)", declared); err != nil {
			return nil, err
		}
	}
	err = withTarStream(ctx, archivePath, func(r io.Reader) error {
		notes, err = extractTarStream(ctx, name, r, dst, lim)
		return err
	})
	return notes, err
}

func withTarStream(ctx context.Context, archivePath string, fn func(io.Reader) error) error {
	f, err := os.Open(archivePath)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(evfile.WithContext(ctx, f), 1<<16)
	if head, _ := br.Peek(2); !bytes.Equal(head, []byte{0x1f, 0x8b}) {
		return fn(br)
	}
	gz, err := gzip.NewReader(br)
	if err != nil {
		return fmt.Errorf("%s: %w", archivePath, err)
	}
	defer gz.Close()
	if err := fn(gz); err != nil {
		return err
	}
	// Read what follows the tar's end so the gzip checksum is verified: a
	// truncated .tar.gz whose tar part happens to be complete must not pass.
	if _, err := io.Copy(io.Discard, io.LimitReader(gz, 16<<20)); err != nil {
		return fmt.Errorf("%s: compressed stream truncated or corrupt after the last entry: %w", filepath.Base(archivePath), err)
	}
	return nil
}

// isFile says whether a tar entry carries a file to extract. GNU sparse
// entries ('S') and PAX sparse ones (reported as regular) are files whose
// holes the reader fills: their Size is what they expand to.
func isFile(h *tar.Header) bool {
	return h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeRegA || h.Typeflag == tar.TypeGNUSparse
}

// scanTar walks the headers only (entry data is skipped, not stored) and
// returns the bytes the files declare in all.
func scanTar(ctx context.Context, name string, r io.Reader, lim TarLimits) (int64, error) {
	tr := tar.NewReader(r)
	entries := 0
	var declared int64
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return declared, nil
		}
		if err != nil {
			return 0, fmt.Errorf("%s: after %d entries: %w (archive truncated or corrupt)", name, entries, err)
		}
		entries++
		if lim.MaxEntries > 0 && entries > lim.MaxEntries {
			return 0, fmt.Errorf("%s: more than %d entries, nothing extracted: %w", name, lim.MaxEntries, ErrLimit)
		}
		if _, err := SafeName(h.Name); err != nil {
			return 0, &EntryError{Archive: name, Entry: h.Name, Reason: err.Error()}
		}
		if isFile(h) {
			if h.Size < 0 || lim.MaxFileSize > 0 && h.Size > lim.MaxFileSize {
				return 0, &EntryError{Archive: name, Entry: h.Name, Reason: fmt.Sprintf("declared size %d over the limit: %v", h.Size, ErrLimit)}
			}
			declared += h.Size
			if lim.MaxTotalSize > 0 && declared > lim.MaxTotalSize {
				return 0, &EntryError{Archive: name, Entry: h.Name, Reason: fmt.Sprintf("total declared size over the limit: %v", ErrLimit)}
			}
		}
	}
}

// maxNotes bounds the per-entry notes kept; an archive of a million
// symlinks must not turn into a million strings.
const maxNotes = 1000

// maxDirTimes bounds the folder times remembered until the end.
const maxDirTimes = 1_000_000

type dirTime struct {
	name string
	mt   time.Time
}

func extractTarStream(ctx context.Context, name string, r io.Reader, dst string, lim TarLimits) (notes []string, err error) {
	root, err := os.OpenRoot(dst)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	tr := tar.NewReader(r)
	made := map[string]bool{".": true} // folders already created: a million files in a few folders must not cost a million MkdirAll
	var entries, suppressed int
	var total int64
	var dirs []dirTime
	note := func(msg string) {
		if len(notes) < maxNotes {
			notes = append(notes, msg)
		} else {
			suppressed++
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return notes, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			// Folder times are set last: creating files inside a folder
			// changes its modification time.
			for i := len(dirs) - 1; i >= 0; i-- {
				_ = os.Chtimes(filepath.Join(root.Name(), filepath.FromSlash(dirs[i].name)), dirs[i].mt, dirs[i].mt)
			}
			if suppressed > 0 {
				notes = append(notes, fmt.Sprintf("%s: %d more entries were skipped (not listed one by one)", name, suppressed))
			}
			return notes, nil
		}
		if err != nil {
			return notes, fmt.Errorf("%s: after %d entries: %w (archive truncated or corrupt)", name, entries, err)
		}
		entries++
		if lim.MaxEntries > 0 && entries > lim.MaxEntries {
			return notes, fmt.Errorf("%s: more than %d entries: %w", name, lim.MaxEntries, ErrLimit)
		}
		clean, nerr := SafeName(h.Name)
		if nerr != nil {
			return notes, &EntryError{Archive: name, Entry: h.Name, Reason: nerr.Error()}
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(clean, 0o700); err != nil {
				return notes, &EntryError{Archive: name, Entry: h.Name, Reason: err.Error()}
			}
			if !h.ModTime.IsZero() && clean != "." && len(dirs) < maxDirTimes {
				dirs = append(dirs, dirTime{clean, h.ModTime})
			}
		case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
			if h.Size < 0 || lim.MaxFileSize > 0 && h.Size > lim.MaxFileSize {
				return notes, &EntryError{Archive: name, Entry: h.Name, Reason: fmt.Sprintf("declared size %d over the limit: %v", h.Size, ErrLimit)}
			}
			if dir := path.Dir(clean); !made[dir] {
				if err := root.MkdirAll(dir, 0o700); err != nil {
					return notes, &EntryError{Archive: name, Entry: h.Name, Reason: err.Error()}
				}
				made[dir] = true
			}
			out, err := root.OpenFile(clean, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				if errors.Is(err, os.ErrExist) {
					note(fmt.Sprintf("%s: duplicate entry %q: first copy kept", name, h.Name))
					continue
				}
				return notes, &EntryError{Archive: name, Entry: h.Name, Reason: err.Error()}
			}
			remain := lim.MaxTotalSize - total
			if lim.MaxTotalSize <= 0 {
				remain = 1 << 62
			}
			n, cerr := io.Copy(out, io.LimitReader(tr, min(remain, h.Size)+1))
			out.Close()
			total += n
			if cerr != nil {
				return notes, fmt.Errorf("%s: entry %q: %w (archive truncated or corrupt)", name, h.Name, cerr)
			}
			if n > h.Size || (lim.MaxTotalSize > 0 && total > lim.MaxTotalSize) {
				return notes, &EntryError{Archive: name, Entry: h.Name, Reason: fmt.Sprintf("total extracted size over the limit: %v", ErrLimit)}
			}
			if mt := h.ModTime; !mt.IsZero() {
				_ = os.Chtimes(filepath.Join(root.Name(), filepath.FromSlash(clean)), mt, mt)
			}
		case tar.TypeSymlink, tar.TypeLink:
			// Links are never followed or created: a link can point outside
			// the root. The analyst is told which ones were skipped.
			note(fmt.Sprintf("%s: link %q -> %q not extracted", name, h.Name, h.Linkname))
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			note(fmt.Sprintf("%s: device or pipe entry %q refused", name, h.Name))
		default:
			// pax headers and the like carry no file
		}
	}
}

package androidab

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// TarStats says how far a tar extraction got, for error messages and notes.
type TarStats struct {
	Entries int
	Bytes   int64 // payload bytes written
	Skipped []string
}

// ReadTar extracts the tar stream into dir (which must exist and be private)
// and returns it as a file system. The limits bound entries and bytes, which
// is what stops a zlib bomb; each entry's declared size (for a sparse entry,
// the size it expands to) is reserved from the run's disk budget before any
// of it is written, so a small .ab of sparse entries stops at the budget
// instead of filling the disk. The stream is compressed and maybe
// encrypted, so this is done entry by entry rather than in a first pass. On
// a truncated or corrupt stream the returned file system holds every entry
// read before the damage and err says where it stopped. A nil budget is
// unlimited.
func ReadTar(ctx context.Context, r io.Reader, dir string, lim archive.Limits, budget *scratch.Budget) (fs.FS, TarStats, error) {
	lim = lim.WithDefaults()
	var st TarStats
	tr := tar.NewReader(r)
	fsys := &OrderedFS{Dir: evfile.Dir(dir), order: map[string]int{}}
	// Files are created through a root on dir: once the run is over and the
	// folder removed, a stream still being read cannot recreate it.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fsys, st, err
	}
	defer root.Close()
	for {
		if err := ctx.Err(); err != nil {
			return fsys, st, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return fsys, st, nil
		}
		if err != nil {
			return fsys, st, fmt.Errorf("tar stream damaged after %d entries (%d bytes): %w", st.Entries, st.Bytes, err)
		}
		st.Entries++
		if st.Entries > lim.MaxEntries {
			return fsys, st, fmt.Errorf("tar holds more than %d entries; stopped: %w", lim.MaxEntries, archive.ErrLimit)
		}
		name, nerr := archive.EntryName(h.Name)
		if nerr != nil {
			st.Skipped = append(st.Skipped, fmt.Sprintf("tar entry %q refused: %v", h.Name, nerr))
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o700); err != nil {
				return fsys, st, err
			}
		case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
			if h.Size < 0 || uint64(h.Size) > lim.MaxFileSize {
				return fsys, st, fmt.Errorf("tar entry %q declares %d bytes, over the per-file limit: %w", h.Name, h.Size, archive.ErrLimit)
			}
			if uint64(st.Bytes)+uint64(h.Size) > lim.MaxTotal {
				return fsys, st, fmt.Errorf("tar content exceeds the limit of %d bytes at entry %q: %w", lim.MaxTotal, h.Name, archive.ErrLimit)
			}
			if budget != nil {
				if err := budget.Reserve(fmt.Sprintf("tar entry %q", h.Name), h.Size); err != nil {
					return fsys, st, err
				}
			}
			n, err := writeFile(root, name, tr, h.Size)
			st.Bytes += n
			fsys.order[name] = st.Entries - 1
			if err != nil {
				return fsys, st, fmt.Errorf("tar entry %q cut after %d of %d bytes (%d entries read, %d bytes): %w", h.Name, n, h.Size, st.Entries, st.Bytes, err)
			}
		default:
			// Links and devices have no place in an app backup and could
			// point outside the tree.
			st.Skipped = append(st.Skipped, fmt.Sprintf("tar entry %q skipped: type %q is not a file or folder", h.Name, h.Typeflag))
		}
	}
}

// OrderedFS is an unpacked tar: its files on disk, plus the position each
// entry had in the archive. MVT reads a backup's files in tar order (the
// telephony provider writes MMS before SMS), so modules that must list
// records as MVT does sort by it.
type OrderedFS struct {
	evfile.Dir
	order map[string]int
}

// EntryIndexer is implemented by file systems that know the archive order
// of their files.
type EntryIndexer interface {
	// EntryIndex is name's position in the archive it was read from;
	// ok is false for a name the archive did not hold as a regular file.
	EntryIndex(name string) (idx int, ok bool)
}

// EntryIndex implements EntryIndexer.
func (o *OrderedFS) EntryIndex(name string) (int, bool) {
	i, ok := o.order[name]
	return i, ok
}

func writeFile(root *os.Root, name string, r io.Reader, size int64) (int64, error) {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o700); err != nil {
			return 0, err
		}
	}
	// O_EXCL is not used: a duplicate tar entry replaces the earlier one,
	// as tar semantics say. The path was checked, and the root keeps it
	// inside dir.
	f, err := root.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, io.LimitReader(r, size))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n < size {
		err = io.ErrUnexpectedEOF
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

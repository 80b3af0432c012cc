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
	"path/filepath"
	"strings"

	"github.com/huella-project/huella/internal/source/archive"
)

// TarStats says how far a tar extraction got, for error messages and notes.
type TarStats struct {
	Entries int
	Bytes   int64 // payload bytes written
	Skipped []string
}

// ReadTar extracts the tar stream into dir (which must exist and be private)
// and returns it as a file system. The limits bound entries and bytes, which
// is what stops a zlib bomb. On a truncated or corrupt stream the returned
// file system holds every entry read before the damage and err says where
// it stopped.
func ReadTar(ctx context.Context, r io.Reader, dir string, lim archive.Limits) (fs.FS, TarStats, error) {
	lim = withDefaults(lim)
	var st TarStats
	tr := tar.NewReader(r)
	fsys := &OrderedFS{DirFS: archive.DirFS(dir), order: map[string]int{}}
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
			return fsys, st, fmt.Errorf("tar holds more than %d entries; stopped", lim.MaxEntries)
		}
		name := strings.TrimPrefix(h.Name, "./")
		if why := archive.CheckName(name); why != "" {
			st.Skipped = append(st.Skipped, fmt.Sprintf("tar entry %q refused: %s", h.Name, why))
			continue
		}
		name = path.Clean(strings.TrimSuffix(name, "/"))
		dst := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o700); err != nil {
				return fsys, st, err
			}
		case tar.TypeReg, tar.TypeRegA:
			if h.Size < 0 || uint64(h.Size) > lim.MaxFileSize {
				return fsys, st, fmt.Errorf("tar entry %q declares %d bytes, over the per-file limit", h.Name, h.Size)
			}
			if uint64(st.Bytes)+uint64(h.Size) > lim.MaxTotal {
				return fsys, st, fmt.Errorf("tar content exceeds the limit of %d bytes at entry %q", lim.MaxTotal, h.Name)
			}
			n, err := writeFile(dst, tr, h.Size)
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
	archive.DirFS
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

func writeFile(dst string, r io.Reader, size int64) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, err
	}
	// O_EXCL is not used: a duplicate tar entry replaces the earlier one,
	// as tar semantics say. The path was checked, so it stays inside dir.
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
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

func withDefaults(l archive.Limits) archive.Limits {
	d := archive.DefaultLimits
	if l.MaxEntries > 0 {
		d.MaxEntries = l.MaxEntries
	}
	if l.MaxFileSize > 0 {
		d.MaxFileSize = l.MaxFileSize
	}
	if l.MaxTotal > 0 {
		d.MaxTotal = l.MaxTotal
	}
	return d
}

// Package archive opens evidence archives as read-only file systems while
// refusing the entries an attacker would use against the examiner: paths that
// escape the tree, absurd entry counts and decompression bombs.
package archive

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/huella-project/huella/internal/source/evfile"
)

// Limits bound what an archive may make huella read. Zero fields take the
// defaults, which are far above any real acquisition.
type Limits struct {
	MaxEntries  int    // entries in the central directory
	MaxFileSize uint64 // uncompressed bytes of one entry
	MaxTotal    uint64 // uncompressed bytes of all entries together
}

// DefaultLimits are used when a field of Limits is zero.
var DefaultLimits = Limits{
	MaxEntries:  2_000_000,
	MaxFileSize: 8 << 30,
	MaxTotal:    128 << 30,
}

// WithDefaults is l with each zero field taken from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultLimits.MaxEntries
	}
	if l.MaxFileSize == 0 {
		l.MaxFileSize = DefaultLimits.MaxFileSize
	}
	if l.MaxTotal == 0 {
		l.MaxTotal = DefaultLimits.MaxTotal
	}
	return l
}

// ZipFS is a zip archive seen as an fs.FS. Entries refused at open time are
// listed in Refused so the caller can record them as evidence notes.
type ZipFS struct {
	name    string
	r       *zip.Reader
	Refused []string
}

// OpenZip opens the zip file at path with the default limits. Closing the
// returned closer releases the file.
func OpenZip(p string) (fs.FS, io.Closer, error) {
	z, c, err := OpenZipLimits(p, Limits{})
	if err != nil {
		return nil, nil, err
	}
	return z, c, nil
}

// OpenZipLimits is OpenZip with explicit limits.
func OpenZipLimits(p string, lim Limits) (*ZipFS, io.Closer, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	z, err := NewZip(f, fi.Size(), p, lim)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return z, f, nil
}

// NewZip reads a zip from r (size bytes) named name in error messages.
func NewZip(r io.ReaderAt, size int64, name string, lim Limits) (*ZipFS, error) {
	lim = lim.WithDefaults()
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%s: not a readable zip archive: %w", name, err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, fmt.Errorf("%s: %d entries, more than the limit of %d", name, len(zr.File), lim.MaxEntries)
	}
	z := &ZipFS{name: name, r: zr}
	kept := zr.File[:0:0]
	var total uint64
	for _, f := range zr.File {
		if why := checkEntry(f, lim); why != "" {
			z.Refused = append(z.Refused, fmt.Sprintf("%s: entry %q refused: %s", name, f.Name, why))
			continue
		}
		total += f.UncompressedSize64
		if total > lim.MaxTotal {
			return nil, fmt.Errorf("%s: entries declare more than %d uncompressed bytes in total (at %q)", name, lim.MaxTotal, f.Name)
		}
		kept = append(kept, f)
	}
	// An archive that declares far more than it could hold may be made of
	// entries sharing one compressed stream (overlapping entries, a
	// non-recursive zip bomb): only the first entry of each stretch of data
	// is kept. Real archives never overlap, and checking costs one small
	// read per entry, so only suspicious ratios are checked.
	if total > overlapCheckRatio*uint64(max(size, 1)) {
		kept = dropOverlaps(z, kept)
	}
	// zip.Reader builds its fs.FS index from File on first Open, so the
	// refused entries never become reachable.
	zr.File = kept
	return z, nil
}

// overlapCheckRatio: declared bytes per archive byte above which entries are
// checked for overlapping data. Evidence compresses a few times at most;
// zeros compress about a thousand times.
const overlapCheckRatio = 16

func dropOverlaps(z *ZipFS, files []*zip.File) []*zip.File {
	type span struct {
		f          *zip.File
		start, end int64
	}
	spans := make([]span, 0, len(files))
	for _, f := range files {
		if f.FileInfo().IsDir() {
			spans = append(spans, span{f, -1, -1})
			continue
		}
		off, err := f.DataOffset()
		if err != nil {
			z.Refused = append(z.Refused, fmt.Sprintf("%s: entry %q refused: its data cannot be located: %v", z.name, f.Name, err))
			continue
		}
		spans = append(spans, span{f, off, off + int64(f.CompressedSize64)})
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return spans[order[a]].start < spans[order[b]].start })
	drop := map[int]bool{}
	var end int64 = -1
	var owner string
	for _, i := range order {
		sp := spans[i]
		if sp.start < 0 {
			continue
		}
		if sp.start < end {
			drop[i] = true
			z.Refused = append(z.Refused, fmt.Sprintf("%s: entry %q refused: its data overlaps entry %q (a zip bomb trick)", z.name, sp.f.Name, owner))
			continue
		}
		end, owner = sp.end, sp.f.Name
	}
	out := files[:0:0]
	for i, sp := range spans {
		if !drop[i] {
			out = append(out, sp.f)
		}
	}
	return out
}

// CheckName says why an archive entry name is unsafe, or "" when it is fine.
// A leading "/" is not a reason: it is removed (see EntryName), as GNU tar
// and unzip do, so "/private/var/x" is the entry "private/var/x" inside the
// extraction folder, never a path outside it.
func CheckName(name string) string {
	name = trimRoot(name)
	switch {
	case name == "":
		return "empty name"
	case strings.ContainsRune(name, 0):
		return "name contains a NUL byte"
	case strings.Contains(name, `\`):
		return "name contains a backslash"
	case len(name) >= 2 && name[1] == ':':
		return "drive letter"
	}
	for _, seg := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if seg == ".." {
			return "path climbs out of the archive (..)"
		}
	}
	if !fs.ValidPath(path.Clean(strings.TrimSuffix(name, "/"))) {
		return "invalid path"
	}
	return ""
}

// trimRoot removes what makes a name start at the archive's root rather
// than inside it: leading slashes (GNU tar writes them with -P, GrayKey's
// zips hold "/private/var/..."; GNU tar strips them on extraction, "Removing
// leading '/' from member names") and leading "./" (tar -C / -cf x.tar .).
// The root itself ("/", "./", ".") becomes ".".
func trimRoot(name string) string {
	for {
		switch {
		case strings.HasPrefix(name, "/"):
			name = name[1:]
		case strings.HasPrefix(name, "./"):
			name = name[2:]
		case name == "" || name == ".":
			return "."
		default:
			return name
		}
	}
}

// EntryName is an archive entry's name as a clean path inside the archive
// ("." for the root itself), or why it is refused: leading "/" and "./" are
// removed (trimRoot), then the name is checked (CheckName) and cleaned.
func EntryName(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty name")
	}
	if why := CheckName(name); why != "" {
		return "", errors.New(why)
	}
	return path.Clean(strings.TrimSuffix(trimRoot(name), "/")), nil
}

// HasRootPrefix says whether an entry name starts with "/" (the archive
// was made with absolute paths), for the one note that says they were
// made relative.
func HasRootPrefix(name string) bool { return strings.HasPrefix(name, "/") }

func checkEntry(f *zip.File, lim Limits) string {
	if why := CheckName(f.Name); why != "" {
		return why
	}
	m := f.Mode()
	if m&fs.ModeSymlink != 0 || m&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice) != 0 {
		return "not a regular file or folder"
	}
	if f.UncompressedSize64 > lim.MaxFileSize {
		return fmt.Sprintf("declares %d bytes, more than the per-file limit of %d", f.UncompressedSize64, lim.MaxFileSize)
	}
	return ""
}

// Open implements fs.FS. Reads are capped at the entry's declared size (the
// zip reader also checks it against the CRC), so a lying header cannot make
// a read run on.
func (z *ZipFS) Open(name string) (fs.File, error) {
	f, err := z.r.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		return f, err
	}
	return &cappedFile{File: f, name: name, left: fi.Size(), zname: z.name}, nil
}

type cappedFile struct {
	fs.File
	name  string
	zname string
	left  int64
}

func (c *cappedFile) Read(p []byte) (int, error) {
	n, err := evfile.ReadCapped(c.File, p, &c.left)
	switch {
	case err == evfile.ErrPastCap: // one more byte than declared: the header lied
		err = fmt.Errorf("%s: entry %q holds more bytes than it declares", c.zname, c.name)
	case err != nil && err != io.EOF:
		err = fmt.Errorf("%s: entry %q: %w", c.zname, c.name, err)
	}
	return n, err
}

// Refused returns the notes of a ZipFS (or of a StripTopDir over one).
func Refused(fsys fs.FS) []string {
	switch z := fsys.(type) {
	case *ZipFS:
		return z.Refused
	case *subFS:
		return Refused(z.base)
	}
	return nil
}

// StripTopDir returns the tree below the single top-level folder when the
// archive wraps everything in one folder (as "zip -r acq.zip acq/" does), else
// fsys itself.
func StripTopDir(fsys fs.FS) fs.FS {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil || len(ents) != 1 || !ents[0].IsDir() {
		return fsys
	}
	sub, err := fs.Sub(fsys, ents[0].Name())
	if err != nil {
		return fsys
	}
	return &subFS{FS: sub, base: fsys, dir: ents[0].Name()}
}

// subFS keeps a link to the archive so Refused and LocalPath still work.
type subFS struct {
	fs.FS
	base fs.FS
	dir  string
}

func (s *subFS) LocalPath(name string) (string, bool) {
	if lp, ok := s.base.(interface{ LocalPath(string) (string, bool) }); ok {
		return lp.LocalPath(path.Join(s.dir, name))
	}
	return "", false
}

package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/source/scratch"
)

type entry struct {
	name string
	body string
	mode fs.FileMode
}

func makeZip(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNewZipRefusesUnsafeEntries(t *testing.T) {
	data := makeZip(t, []entry{
		{name: "acq/getprop.txt", body: "[a]: [b]\n"},
		{name: "../evil", body: "x"},
		{name: "/acq/abs.txt", body: "rooted"},
		{name: "acq/a\x00b", body: "x"},
		{name: `acq\..\win`, body: "x"},
		{name: "acq/link", body: "/etc", mode: fs.ModeSymlink | 0o777},
	})
	z, err := NewZip(bytes.NewReader(data), int64(len(data)), "t.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Refused) != 4 {
		t.Fatalf("refused = %q", z.Refused)
	}
	for _, r := range z.Refused {
		if !strings.HasPrefix(r, "t.zip: entry ") {
			t.Errorf("note %q does not name the archive and entry", r)
		}
	}
	sub := StripTopDir(z)
	b, err := fs.ReadFile(sub, "getprop.txt")
	if err != nil || string(b) != "[a]: [b]\n" {
		t.Fatalf("getprop = %q, %v", b, err)
	}
	if len(Refused(sub)) != 4 {
		t.Fatal("Refused lost through StripTopDir")
	}
	// A leading "/" is removed, as unzip does: the entry is inside.
	if b, err := fs.ReadFile(sub, "abs.txt"); err != nil || string(b) != "rooted" {
		t.Fatalf("/acq/abs.txt = %q, %v", b, err)
	}
	if _, err := fs.Stat(sub, "link"); err == nil {
		t.Fatal("symlink entry reachable")
	}
}

func TestLimits(t *testing.T) {
	many := make([]entry, 20)
	for i := range many {
		many[i] = entry{name: strings.Repeat("d", i+1), body: strings.Repeat("0", 2<<20)}
	}
	data := makeZip(t, many)
	tests := []struct {
		name     string
		lim      Limits
		wantErr  string
		refusals int
	}{
		{"entries", Limits{MaxEntries: 10}, "entries, more than the limit", 0},
		{"total", Limits{MaxTotal: 10 << 20}, "uncompressed bytes in total", 0},
		{"per file", Limits{MaxFileSize: 1 << 20}, "", 20},
		{"fine", Limits{}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := NewZip(bytes.NewReader(data), int64(len(data)), "bomb.zip", tt.lim)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(z.Refused) != tt.refusals {
				t.Fatalf("refused %d, want %d", len(z.Refused), tt.refusals)
			}
		})
	}
}

func TestLyingSizeIsCaught(t *testing.T) {
	data := makeZip(t, []entry{{name: "f", body: strings.Repeat("A", 1000)}})
	// Shrink the declared size in the central directory (last header).
	i := bytes.LastIndex(data, []byte("PK\x01\x02"))
	data[i+24] = 10 // uncompressed size, low byte
	data[i+25] = 0
	z, err := NewZip(bytes.NewReader(data), int64(len(data)), "lie.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(z, "f")
	if err == nil || len(b) > 10 {
		t.Fatalf("read %d bytes, err %v; want an error and at most 10 bytes", len(b), err)
	}
}

func TestOpenZip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.zip")
	os.WriteFile(p, makeZip(t, []entry{{name: "x.txt", body: "hi"}}), 0o600)
	fsys, c, err := OpenZip(p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if b, _ := fs.ReadFile(fsys, "x.txt"); string(b) != "hi" {
		t.Fatalf("x.txt = %q", b)
	}
	if StripTopDir(fsys) != fsys {
		t.Fatal("a root-level file must not be stripped")
	}
	if _, _, err := OpenZip(filepath.Join(dir, "missing.zip")); err == nil {
		t.Fatal("no error for a missing file")
	}
}

func FuzzZip(f *testing.F) {
	f.Add(makeZip(f, []entry{{name: "a/b.txt", body: "x"}, {name: "../c", body: "y"}}))
	f.Add(makeZip(f, []entry{{name: "dir/", body: ""}, {name: "dir/f", body: "zz"}}))
	f.Add(overlappingZip(f, 5, 4096))
	lim := Limits{MaxEntries: 1000, MaxFileSize: 1 << 20, MaxTotal: 8 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := NewZip(bytes.NewReader(data), int64(len(data)), "f.zip", lim)
		if err != nil {
			return
		}
		// What the reader exists to enforce: entry count, declared sizes
		// per entry and in all, reads stopped at the declared size.
		if len(z.r.File) > lim.MaxEntries {
			t.Fatalf("%d entries kept", len(z.r.File))
		}
		var total uint64
		for _, zf := range z.r.File {
			if zf.UncompressedSize64 > lim.MaxFileSize {
				t.Fatalf("%q declares %d bytes, over the per-file limit", zf.Name, zf.UncompressedSize64)
			}
			total += zf.UncompressedSize64
		}
		if total > lim.MaxTotal {
			t.Fatalf("entries declare %d bytes in all", total)
		}
		_ = fs.WalkDir(StripTopDir(z), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if strings.Contains(p, "..") && CheckName(p) != "" {
				t.Fatalf("unsafe path reachable: %q", p)
			}
			if d.Type().IsRegular() {
				f, err := z.Open(p)
				if err == nil {
					fi, _ := f.Stat()
					n, _ := io.Copy(io.Discard, io.LimitReader(f, 2<<20))
					f.Close()
					if fi != nil && n > fi.Size() {
						t.Fatalf("%q: read %d bytes, declares %d", p, n, fi.Size())
					}
				}
			}
			return nil
		})
	})
}

func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"a/b", "../a", "/x", "a/../../b", "a\\b", "c:/x", "ok/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckName(name) != "" {
			return
		}
		clean := filepath.Clean(filepath.Join("/root", filepath.FromSlash(name)))
		if !strings.HasPrefix(clean, "/root/") && clean != "/root" {
			t.Fatalf("%q accepted but escapes to %q", name, clean)
		}
	})
}

// overlappingZip is a zip whose n entries all point at the data of the
// first (a non-recursive zip bomb): one compressed stream of size zeros,
// n central-directory records declaring size each.
func overlappingZip(t testing.TB, n int, size int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "private/var/e0000", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(w, io.LimitReader(zeroReader{}, size))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	eocd := bytes.LastIndex(b, []byte("PK\x05\x06"))
	cdOff := int(binary.LittleEndian.Uint32(b[eocd+16:]))
	rec := b[cdOff:eocd] // the one central-directory record
	out := append([]byte(nil), b[:cdOff]...)
	for i := range n {
		r := append([]byte(nil), rec...)
		copy(r[46:], fmt.Sprintf("private/var/e%04d", i)) // same length as the first name
		out = append(out, r...)
	}
	end := append([]byte(nil), b[eocd:]...)
	binary.LittleEndian.PutUint16(end[8:], uint16(n))
	binary.LittleEndian.PutUint16(end[10:], uint16(n))
	binary.LittleEndian.PutUint32(end[12:], uint32(n*len(rec)))
	binary.LittleEndian.PutUint32(end[16:], uint32(cdOff))
	return append(out, end...)
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestOverlappingEntries: only the first of the entries sharing one
// compressed stream is kept, each other one refused with a note; the
// declared total of those kept is what an extraction reserves.
func TestOverlappingEntries(t *testing.T) {
	data := overlappingZip(t, 200, 10<<20)
	z, err := NewZip(bytes.NewReader(data), int64(len(data)), "bomb.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(z.r.File) != 1 || len(z.Refused) != 199 || !strings.Contains(z.Refused[0], "overlaps entry \"private/var/e0000\"") {
		t.Fatalf("kept %d, refused %d: %q", len(z.r.File), len(z.Refused), z.Refused[:min(2, len(z.Refused))])
	}
	// A real archive of similar entries is not touched.
	var entries []entry
	for i := range 50 {
		entries = append(entries, entry{name: fmt.Sprintf("d/f%d", i), body: strings.Repeat("x", 100)})
	}
	plain := makeZip(t, entries)
	z, err = NewZip(bytes.NewReader(plain), int64(len(plain)), "ok.zip", Limits{})
	if err != nil || len(z.Refused) != 0 || len(z.r.File) != 50 {
		t.Fatalf("plain zip: %v, refused %q", err, z.Refused)
	}
}

// TestExtractBudget: the declared sizes are reserved before anything is
// written, and an entry stops at its declared size.
func TestExtractBudget(t *testing.T) {
	data := makeZip(t, []entry{{name: "b/Info.plist", body: strings.Repeat("i", 5000)}, {name: "b/Manifest.db", body: "m"}})
	z, err := NewZip(bytes.NewReader(data), int64(len(data)), "backup.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		budget  int64
		wantErr string
	}{{4096, "needs 4.9 KiB of temporary disk"}, {1 << 20, ""}} {
		dst := t.TempDir()
		b := scratch.NewBudget(c.budget)
		err := Extract(context.Background(), z, "b", dst, b, "backup.zip")
		ents, _ := os.ReadDir(dst)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || len(ents) != 0 {
				t.Fatalf("budget %d: err %v, %d files written", c.budget, err, len(ents))
			}
			continue
		}
		if err != nil || len(ents) != 2 || b.Used() != 5001 {
			t.Fatalf("budget %d: err %v, %d files, %d reserved", c.budget, err, len(ents), b.Used())
		}
	}
}

// WithDefaults fills only the zero fields: every archive reader (zip,
// file-system dump zips, Android backups) takes its limits through it.
func TestLimitsWithDefaults(t *testing.T) {
	d := DefaultLimits
	tests := []struct{ in, want Limits }{
		{Limits{}, d},
		{Limits{MaxEntries: 5}, Limits{MaxEntries: 5, MaxFileSize: d.MaxFileSize, MaxTotal: d.MaxTotal}},
		{Limits{MaxEntries: -1}, d},
		{Limits{MaxFileSize: 7}, Limits{MaxEntries: d.MaxEntries, MaxFileSize: 7, MaxTotal: d.MaxTotal}},
		{Limits{MaxTotal: 9}, Limits{MaxEntries: d.MaxEntries, MaxFileSize: d.MaxFileSize, MaxTotal: 9}},
		{Limits{MaxEntries: 1, MaxFileSize: 2, MaxTotal: 3}, Limits{MaxEntries: 1, MaxFileSize: 2, MaxTotal: 3}},
	}
	for _, tt := range tests {
		if got := tt.in.WithDefaults(); got != tt.want {
			t.Errorf("%+v.WithDefaults() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

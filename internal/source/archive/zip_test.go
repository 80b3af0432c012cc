package archive

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{name: "/etc/passwd", body: "x"},
		{name: "acq/a\x00b", body: "x"},
		{name: `acq\..\win`, body: "x"},
		{name: "acq/link", body: "/etc", mode: fs.ModeSymlink | 0o777},
	})
	z, err := NewZip(bytes.NewReader(data), int64(len(data)), "t.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Refused) != 5 {
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
	if len(Refused(sub)) != 5 {
		t.Fatal("Refused lost through StripTopDir")
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

func TestOpenZipAndDirFS(t *testing.T) {
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
	lp, ok := DirFS(dir).LocalPath("a.zip")
	if !ok || lp != p {
		t.Fatalf("LocalPath = %q, %v", lp, ok)
	}
}

func FuzzZip(f *testing.F) {
	f.Add(makeZip(f, []entry{{name: "a/b.txt", body: "x"}, {name: "../c", body: "y"}}))
	f.Add(makeZip(f, []entry{{name: "dir/", body: ""}, {name: "dir/f", body: "zz"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := NewZip(bytes.NewReader(data), int64(len(data)), "f.zip", Limits{MaxEntries: 1000, MaxFileSize: 1 << 20, MaxTotal: 8 << 20})
		if err != nil {
			return
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
					io.Copy(io.Discard, io.LimitReader(f, 2<<20))
					f.Close()
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

package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

type tarEntry struct {
	h    tar.Header
	body string
}

func file(name, body string) tarEntry {
	return tarEntry{h: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body)), ModTime: time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)}, body: body}
}

func dir(name string) tarEntry {
	return tarEntry{h: tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC)}}
}

func makeTar(t testing.TB, gz bool, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, e := range entries {
		h := e.h
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, e.body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

// extract writes the archive beside an empty dst, extracts, and fails the
// test if anything appeared outside dst.
func extract(t *testing.T, data []byte, lim TarLimits) (string, []string, error) {
	t.Helper()
	base := t.TempDir()
	arc := filepath.Join(base, "evidence.tar.gz")
	if err := os.WriteFile(arc, data, 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(base, "dst")
	if err := os.Mkdir(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	notes, err := ExtractTar(arc, dst, lim)
	ents, _ := os.ReadDir(base)
	for _, e := range ents {
		if e.Name() != "dst" && e.Name() != "evidence.tar.gz" {
			t.Errorf("%s written outside the destination", e.Name())
		}
	}
	filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !d.Type().IsRegular() {
			t.Errorf("%s: non-regular file created (%v)", p, d.Type())
		}
		return nil
	})
	return dst, notes, err
}

func TestExtractTarHostile(t *testing.T) {
	small := TarLimits{MaxEntries: 100, MaxFileSize: 1 << 20, MaxTotalSize: 4 << 20}
	cases := []struct {
		name    string
		entries []tarEntry
		lim     TarLimits
		errHas  string // "" means success
		noteHas string
	}{
		{"traversal", []tarEntry{file("ok.txt", "x"), file("a/../../escape.txt", "x")}, small, "a/../../escape.txt", ""},
		{"absolute", []tarEntry{file("/etc/passwd", "x")}, small, "/etc/passwd", ""},
		{"backslash", []tarEntry{file(`..\..\evil`, "x")}, small, `evil`, ""},
		{"symlink out", []tarEntry{{h: tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc"}}, file("link/passwd", "x")}, small, "", `link "link" -> "/etc" not extracted`},
		{"hardlink out", []tarEntry{{h: tar.Header{Name: "hl", Typeflag: tar.TypeLink, Linkname: "../../../etc/shadow"}}}, small, "", `link "hl"`},
		{"device", []tarEntry{{h: tar.Header{Name: "dev/sda", Typeflag: tar.TypeBlock, Devmajor: 8}}, {h: tar.Header{Name: "fifo", Typeflag: tar.TypeFifo}}}, small, "", `device or pipe entry "dev/sda" refused`},
		{"declared too big", []tarEntry{{h: tar.Header{Name: "big", Typeflag: tar.TypeReg, Size: 2 << 20}, body: strings.Repeat("a", 2<<20)}}, small, `"big"`, ""},
		{"total bomb", []tarEntry{file("a", strings.Repeat("a", 1<<20-1)), file("b", strings.Repeat("b", 1<<20-1)), file("c", strings.Repeat("c", 1<<20-1)),
			file("d", strings.Repeat("d", 1<<20-1)), file("e", strings.Repeat("e", 1<<20-1))}, small, `entry "e"`, ""},
		{"duplicate", []tarEntry{file("x", "first"), file("x", "second")}, small, "", `duplicate entry "x"`},
		{"normal", []tarEntry{dir("private/"), dir("private/var/"), file("private/var/a.txt", "hello")}, small, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst, notes, err := extract(t, makeTar(t, true, c.entries...), c.lim)
			if c.errHas == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if c.errHas != "" && (err == nil || !strings.Contains(err.Error(), c.errHas) || !strings.Contains(err.Error(), "evidence.tar.gz")) {
				t.Fatalf("error %v, want one naming %q and the archive", err, c.errHas)
			}
			if c.noteHas != "" && !strings.Contains(strings.Join(notes, "\n"), c.noteHas) {
				t.Errorf("notes %q lack %q", notes, c.noteHas)
			}
			if c.name == "duplicate" {
				if b, _ := os.ReadFile(filepath.Join(dst, "x")); string(b) != "first" {
					t.Errorf("duplicate overwrote the first copy: %q", b)
				}
			}
			if c.name == "normal" {
				b, _ := os.ReadFile(filepath.Join(dst, "private/var/a.txt"))
				fi, _ := os.Stat(filepath.Join(dst, "private/var"))
				if string(b) != "hello" || fi == nil || fi.ModTime().Year() != 2022 {
					t.Errorf("content %q, folder time %v", b, fi)
				}
			}
		})
	}
}

func TestExtractTarTruncated(t *testing.T) {
	data := makeTar(t, true, file("a", strings.Repeat("abc", 100_000)), file("b", strings.Repeat("xyz", 100_000)))
	for _, cut := range []int{len(data) / 2, len(data) - 10, 30} {
		_, _, err := extract(t, data[:cut], DefaultTarLimits)
		if err == nil || !strings.Contains(err.Error(), "evidence.tar.gz") {
			t.Errorf("cut at %d: error %v, want one naming the archive", cut, err)
		}
	}
}

// TestExtractTarManyEntries streams a tar of a million tiny entries without
// building it in memory: the entry limit must stop it early, and memory must
// stay bounded however many entries pass.
func TestExtractTarManyEntries(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		for i := 0; i < 1_000_000; i++ {
			h := &tar.Header{Name: "l" + strings.Repeat("x", i%50), Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}
			if err := tw.WriteHeader(h); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(tw.Close())
	}()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	notes, err := extractTarStream("many.tar", pr, t.TempDir(), TarLimits{MaxEntries: 2_000_000})
	pr.Close()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) > maxNotes+1 || !strings.Contains(notes[len(notes)-1], "more entries were skipped") {
		t.Errorf("%d notes, last %q", len(notes), notes[len(notes)-1])
	}
	if grow := int64(after.HeapAlloc) - int64(before.HeapAlloc); grow > 64<<20 {
		t.Errorf("heap grew by %d bytes", grow)
	}
	pr2, pw2 := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw2)
		for i := 0; i < 1_000_000; i++ {
			if tw.WriteHeader(&tar.Header{Name: "d/", Typeflag: tar.TypeDir}) != nil {
				return
			}
		}
		pw2.CloseWithError(tw.Close())
	}()
	_, err = extractTarStream("many.tar", pr2, t.TempDir(), TarLimits{MaxEntries: 10_000})
	pr2.Close()
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "many.tar") {
		t.Errorf("entry limit: %v", err)
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"a/b", "../x", "/abs", "a/./b/", `c:\x`, "a\x00b", "./", "a//b", "x/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		clean, err := SafeName(name)
		if err != nil {
			return
		}
		if !fs.ValidPath(clean) || strings.HasPrefix(clean, "/") || strings.Contains(clean, "..") && (clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(clean, "/../") || strings.HasSuffix(clean, "/..")) {
			t.Fatalf("%q accepted as %q", name, clean)
		}
		if filepath.IsAbs(clean) || !filepath.IsLocal(filepath.FromSlash(clean)) && clean != "." {
			t.Fatalf("%q accepted as non-local %q", name, clean)
		}
	})
}

// FuzzExtractTar feeds arbitrary bytes (raw and as a tar stream) to the
// extractor: it must never panic, and never write outside its folder.
func FuzzExtractTar(f *testing.F) {
	f.Add(makeTar(f, false, dir("a/"), file("a/b", "x")))
	f.Add(makeTar(f, false, file("../x", "x")))
	f.Add(makeTar(f, false, tarEntry{h: tar.Header{Name: "s", Typeflag: tar.TypeSymlink, Linkname: "/"}}, file("s/x", "y")))
	f.Fuzz(func(t *testing.T, data []byte) {
		base := t.TempDir()
		dst := filepath.Join(base, "dst")
		os.Mkdir(dst, 0o700)
		extractTarStream("f.tar", bytes.NewReader(data), dst, TarLimits{MaxEntries: 1000, MaxFileSize: 1 << 20, MaxTotalSize: 4 << 20})
		ents, _ := os.ReadDir(base)
		if len(ents) != 1 {
			t.Fatalf("wrote outside the destination: %v", ents)
		}
	})
}

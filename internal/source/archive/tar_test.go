package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/source/scratch"
	"github.com/huella-project/huella/internal/testutil"
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
	notes, err := ExtractTar(context.Background(), arc, dst, lim, nil)
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
		{"absolute", []tarEntry{file("/etc/passwd-huella-test", "x"), file("//twice", "y")}, small, "", ""},
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
			if c.name == "absolute" {
				// GNU tar's convention: the leading "/" is removed and the
				// entry lands inside the extraction folder.
				for _, p := range []string{"etc/passwd-huella-test", "twice"} {
					if _, err := os.Stat(filepath.Join(dst, p)); err != nil {
						t.Errorf("%s not extracted inside the folder: %v", p, err)
					}
				}
				if _, err := os.Stat("/etc/passwd-huella-test"); err == nil {
					t.Fatal("entry written outside the extraction folder")
				}
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
	notes, err := extractTarStream(context.Background(), "many.tar", pr, t.TempDir(), TarLimits{MaxEntries: 2_000_000})
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
	_, err = extractTarStream(context.Background(), "many.tar", pr2, t.TempDir(), TarLimits{MaxEntries: 10_000})
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
		lim := TarLimits{MaxEntries: 1000, MaxFileSize: 1 << 20, MaxTotalSize: 4 << 20}
		extractTarStream(context.Background(), "f.tar", bytes.NewReader(data), dst, lim)
		ents, _ := os.ReadDir(base)
		if len(ents) != 1 {
			t.Fatalf("wrote outside the destination: %v", ents)
		}
		// The limits the extractor exists to enforce hold whatever the input.
		var files int
		var total int64
		filepath.WalkDir(dst, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				files++
				if fi, err := d.Info(); err == nil {
					if fi.Size() > lim.MaxFileSize {
						t.Fatalf("%s: %d bytes, over the per-file limit", d.Name(), fi.Size())
					}
					total += fi.Size()
				}
			}
			return nil
		})
		if files > lim.MaxEntries || total > lim.MaxTotalSize {
			t.Fatalf("%d files, %d bytes written: over the limits %+v", files, total, lim)
		}
	})
}

// sparseTar is a tar of plain entries followed by PAX (GNU 1.0) sparse
// entries, as "tar --sparse --format=pax" writes them: a few hundred bytes
// in the archive that expand to the given sizes. Go's tar writer does not
// write sparse entries, so their blocks are laid out here.
func sparseTar(t testing.TB, gz bool, plain []tarEntry, sparse map[string]int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range plain {
		h := e.h
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, e.body)
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(sparse))
	for _, name := range names {
		size := sparse[name]
		var recs strings.Builder
		for _, kv := range [][2]string{{"GNU.sparse.major", "1"}, {"GNU.sparse.minor", "0"}, {"GNU.sparse.name", name}, {"GNU.sparse.realsize", fmt.Sprint(size)}} {
			rec := " " + kv[0] + "=" + kv[1] + "\n"
			n := len(rec) + len(fmt.Sprint(len(rec)))
			if len(fmt.Sprint(n)) != len(fmt.Sprint(len(rec))) {
				n++
			}
			fmt.Fprintf(&recs, "%d%s", n, rec)
		}
		testutil.TarBlock(&buf, testutil.TarHeader("PaxHeaders/"+path.Base(name), 'x', int64(recs.Len())), []byte(recs.String()))
		// The data starts with the map (one fragment: the last byte), padded
		// to a block, then the fragment.
		m := fmt.Appendf(nil, "1\n%d\n1\n", size-1)
		body := append(m, make([]byte, 512-len(m))...)
		body = append(body, 'x')
		testutil.TarBlock(&buf, testutil.TarHeader(path.Dir(name)+"/GNUSparseFile.0/"+path.Base(name), '0', int64(len(body))), body)
	}
	buf.Write(make([]byte, 1024))
	if !gz {
		return buf.Bytes()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(buf.Bytes())
	zw.Close()
	return z.Bytes()
}

// TestExtractTarBudget: sparse entries count for what they expand to, and
// the whole archive is refused from its headers when that is over the
// run's temporary disk budget: nothing is written.
func TestExtractTarBudget(t *testing.T) {
	ok := []tarEntry{file("private/var/ok.txt", "ok")}
	sixteen := map[string]int64{}
	for i := range 16 {
		sixteen[fmt.Sprintf("private/var/big%02d", i)] = 16 << 30
	}
	cases := []struct {
		name    string
		plain   []tarEntry
		sparse  map[string]int64
		budget  int64
		wantErr string
	}{
		{"one 3 GiB sparse entry", ok, map[string]int64{"private/var/Info.plist": 3 << 30}, 1 << 30, "needs 3 GiB of temporary disk"},
		{"sixteen 16 GiB sparse entries", ok, sixteen, 1 << 30, "total declared size over the limit"},
		{"sparse entry within the budget", nil, map[string]int64{"private/var/small": 4096}, 1 << 30, ""},
		{"plain entries over a small budget", []tarEntry{file("a", strings.Repeat("a", 600)), file("b", strings.Repeat("b", 600))}, nil, 1000, "needs 1.2 KiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := sparseTar(t, true, c.plain, c.sparse)
			base := t.TempDir()
			arc := filepath.Join(base, "dump.tar.gz")
			if err := os.WriteFile(arc, data, 0o600); err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(base, "dst")
			if err := os.Mkdir(dst, 0o700); err != nil {
				t.Fatal(err)
			}
			b := scratch.NewBudget(c.budget)
			_, err := ExtractTar(context.Background(), arc, dst, DefaultTarLimits, b)
			var written int64
			filepath.WalkDir(dst, func(_ string, d fs.DirEntry, _ error) error {
				if fi, err := d.Info(); err == nil && d.Type().IsRegular() {
					written += fi.Size()
				}
				return nil
			})
			if c.wantErr == "" {
				if err != nil || written != 4096 {
					t.Fatalf("err %v, %d bytes written", err, written)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
			if written != 0 || b.Used() != 0 {
				t.Fatalf("%d bytes written, %d reserved, although refused", written, b.Used())
			}
		})
	}
}

package fsdump

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/scratch"
)

// checkView walks a view and checks what every index must hold whatever
// the container held: paths are valid and never climb out, each one
// resolves and Stat agrees with the walk, and no file gives more bytes
// than it declares.
func checkView(t *testing.T, v *View) {
	t.Helper()
	n := 0
	err := v.Walk(func(p []byte, in Info) error {
		name := string(p)
		if !fs.ValidPath(name) || name == "." {
			t.Fatalf("walked an invalid path %q", name)
		}
		for _, seg := range strings.Split(name, "/") {
			if seg == ".." {
				t.Fatalf("walked a path that climbs out: %q", name)
			}
		}
		fi, err := v.Stat(name)
		if err != nil {
			t.Fatalf("walked %q but Stat fails: %v", name, err)
		}
		if fi.IsDir() != in.Dir {
			t.Fatalf("%q: walk says dir=%v, Stat %v", name, in.Dir, fi.IsDir())
		}
		if n++; n > 2000 || in.Dir || in.Special {
			return nil
		}
		f, err := v.Open(name)
		if err != nil {
			return nil // refused or unreadable: an error, not a panic
		}
		got, _ := io.Copy(io.Discard, io.LimitReader(f, 4<<20))
		f.Close()
		if got > in.Size {
			t.Fatalf("%q: read %d bytes, declares %d", name, got, in.Size)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = v.Glob("**/*.db")
	_ = v.Glob("private/var/*/Library/*")
}

func smallZip(f *testing.F, names ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, n := range names {
		h := &zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
		w, err := zw.CreateHeader(h)
		if err != nil {
			f.Fatal(err)
		}
		if !strings.HasSuffix(n, "/") {
			w.Write(bytes.Repeat([]byte{byte('a' + i%26)}, i*7))
		}
	}
	zw.Close()
	return buf.Bytes()
}

func smallTar(f *testing.F, gz bool, names ...string) []byte {
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for i, n := range names {
		h := &tar.Header{Name: n, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(i * 5), ModTime: time.Unix(1700000000, 0)}
		switch {
		case strings.HasSuffix(n, "/"):
			h.Typeflag, h.Size = tar.TypeDir, 0
		case strings.HasSuffix(n, "@link"):
			h.Typeflag, h.Size, h.Linkname = tar.TypeSymlink, 0, "/etc/passwd"
		}
		tw.WriteHeader(h)
		tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

// FuzzZipIndex feeds arbitrary bytes to the streaming central-directory
// reader: never a panic, and every index it accepts holds checkView.
func FuzzZipIndex(f *testing.F) {
	f.Add(smallZip(f, "filesystem1/private/var/x", "filesystem2/mobile/Library/SMS/sms.db", "filesystem2/db/a", "extra/k.plist"))
	f.Add(smallZip(f, "/private/var/mobile/a.db", "/System/Library/b", "../evil", "a/./b", "dir/"))
	f.Add(smallZip(f, "x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.zip")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		tr, z, _, _, err := indexZip(context.Background(), p, archive.Limits{MaxEntries: 5000, MaxFileSize: 1 << 20, MaxTotal: 16 << 20})
		if err != nil {
			return
		}
		defer z.close()
		l, ok := detect(treeProbe{tr})
		if !ok {
			l = plainLayout()
		}
		v, err := newView(tr, l, z, "f.zip")
		if err != nil {
			t.Fatal(err)
		}
		checkView(t, v)
	})
}

// FuzzTarIndex does the same for the tar index, plain (read in place) and
// compressed (packed into the private folder within its budget).
func FuzzTarIndex(f *testing.F) {
	f.Add(smallTar(f, false, "private/", "private/var/", "private/var/mobile/a.db", "./private/var/b", "/private/var/c", "x@link"))
	f.Add(smallTar(f, true, "filesystem1/System/Library/a", "filesystem2/mobile/x", "filesystem2/db/y", "../../up"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "f.tar")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		tmp, err := scratch.New(dir, "s-", scratch.NewBudget(32<<20))
		if err != nil {
			t.Fatal(err)
		}
		defer tmp.Close()
		res, err := indexTar(context.Background(), p, archive.TarLimits{MaxEntries: 5000, MaxFileSize: 1 << 20, MaxTotalSize: 16 << 20}, tmp)
		if err != nil {
			return
		}
		defer res.be.close()
		l, ok := detect(treeProbe{res.t})
		if !ok {
			l = plainLayout()
		}
		v, err := newView(res.t, l, res.be, "f.tar")
		if err != nil {
			t.Fatal(err)
		}
		checkView(t, v)
	})
}

// FuzzCleanNameBytes: the allocation-free path for clean names agrees with
// the full check on every name, accepted or refused.
func FuzzCleanNameBytes(f *testing.F) {
	for _, s := range []string{"a/b", "/a/b", "./a/b/", "a//b", "a/./b", "a/../b", "..", "/", "./", "", "c:x", "a\\b", "a\x00b", strings.Repeat("a/", 300) + "b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		fast, ferr := cleanNameBytes([]byte(name))
		slow, serr := cleanName(name)
		if (ferr == nil) != (serr == nil) {
			t.Fatalf("%q: fast %q %v, full %q %v", name, fast, ferr, slow, serr)
		}
		if ferr == nil && string(fast) != slow && !(slow == "." && len(fast) == 0) {
			t.Fatalf("%q: fast %q, full %q", name, fast, slow)
		}
	})
}

// The names real dumps hold (plain, GrayKey's rooted "/private/var/...",
// tar's "./private/var/...", folders with a trailing "/") are cleaned
// without an allocation: a million entries must not cost a million
// strings while the zip is indexed.
func TestCleanNameBytesAllocatesNothing(t *testing.T) {
	for _, name := range []string{"private/var/mobile/a.db", "/private/var/mobile/a.db", "./private/var/mobile/a.db", "/private/var/mobile/", "filesystem1/System/Library/"} {
		raw := []byte(name)
		want := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(name, "."), "/"), "/")
		if got, err := cleanNameBytes(raw); err != nil || string(got) != want {
			t.Fatalf("%q: %q %v, want %q", name, got, err, want)
		}
		if n := testing.AllocsPerRun(100, func() { cleanNameBytes(raw) }); n != 0 {
			t.Errorf("%q: %.0f allocations per name, want 0", name, n)
		}
	}
}

// FuzzLayout builds a tree from arbitrary names, recognises its layout and
// walks the merged view: every entry resolves, nothing panics.
func FuzzLayout(f *testing.F) {
	f.Add("filesystem1/private/var/mobile/a\nfilesystem2/mobile/a\nfilesystem2/db/x\nextra/k")
	f.Add("case/private/var/mobile/x\ncase/System/Library/y")
	f.Add("mobile/Library/SMS/sms.db\ndb/diagnostics/shutdown.log")
	f.Fuzz(func(t *testing.T, names string) {
		tr := newTree()
		for i, n := range strings.Split(names, "\n") {
			clean, err := cleanName(n)
			if err != nil || clean == "." {
				continue
			}
			kind := kindFile
			if i%3 == 0 {
				kind = kindDir
			}
			tr.add(clean, kind, 0, 0, 0)
			if i > 500 {
				break
			}
		}
		tr.freeze()
		l, ok := detect(treeProbe{tr})
		if !ok {
			l = plainLayout()
		}
		v, err := newView(tr, l, folderIndex{}, "f")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		v.Walk(func(p []byte, in Info) error {
			if _, ok := v.lookup(string(p)); !ok {
				t.Fatalf("walked %q, which does not resolve", p)
			}
			n++
			return nil
		})
		v.shadowed()
	})
}

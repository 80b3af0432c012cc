package evfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// tree builds an evidence folder holding every kind of file a crafted
// acquisition can plant, and a file outside it.
func tree(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "evidence")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside = filepath.Join(base, "outside.db")
	must(t, os.WriteFile(outside, []byte("another case"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "sub", "getprop.txt"), []byte("[a]: [b]\n"), 0o644))
	must(t, os.Symlink("sub/getprop.txt", filepath.Join(root, "inside-link")))
	must(t, os.Symlink("../outside.db", filepath.Join(root, "escape")))
	must(t, os.Symlink(outside, filepath.Join(root, "escape-absolute")))
	must(t, os.Symlink("/dev/zero", filepath.Join(root, "sms.db-shm")))
	must(t, os.Symlink("../..", filepath.Join(root, "sub", "up")))
	if runtime.GOOS != "windows" {
		must(t, mkfifo(filepath.Join(root, "fifo.txt")))
		// A listening socket file; the name must stay short for sun_path.
		l, err := net.Listen("unix", filepath.Join(root, "s"))
		if err == nil {
			t.Cleanup(func() { l.Close() })
		}
	}
	// A 3 GiB sparse file: no disk used, but a naive read would allocate 3 GiB.
	f, err := os.Create(filepath.Join(root, "Info.plist"))
	must(t, err)
	must(t, f.Truncate(3<<30))
	must(t, f.Close())
	return root, outside
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestDirRefusesWhatIsNotARegularFileInside(t *testing.T) {
	root, _ := tree(t)
	d := Dir(root)
	cases := []struct {
		name   string
		reason string // "" = reads fine
	}{
		{"sub/getprop.txt", ""},
		{"inside-link", ""},
		{"escape", "outside the evidence folder"},
		{"escape-absolute", "outside the evidence folder"},
		{"sms.db-shm", "outside the evidence folder"},
		{"sub/up/outside.db", "outside the evidence folder"},
		{"fifo.txt", "named pipe"},
		{"s", "socket"},
		{"Info.plist", "over the 64 MiB limit for a property list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && (c.name == "fifo.txt" || c.name == "s") {
				t.Skip("no FIFOs or socket files")
			}
			if _, err := os.Lstat(filepath.Join(root, c.name)); err != nil && !strings.Contains(c.name, "/up/") {
				t.Skipf("not created here: %v", err)
			}
			done := make(chan struct{})
			var b []byte
			var err error
			go func() {
				defer close(done)
				b, err = ReadFile(d, c.name, Plist)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("ReadFile blocked")
			}
			if c.reason == "" {
				if err != nil || !bytes.Contains(b, []byte("[a]")) {
					t.Fatalf("got %q, %v", b, err)
				}
				return
			}
			if err == nil || !IsRefused(err) || !strings.Contains(err.Error(), c.reason) || !strings.HasPrefix(err.Error(), c.name+": refused: ") {
				t.Fatalf("err = %v, want a refusal of %s naming %q", err, c.name, c.reason)
			}
		})
	}
}

// TestSizeCheckedBeforeAllocating: a 3 GiB sparse Info.plist costs nothing
// to refuse, however high its own limit.
func TestSizeCheckedBeforeAllocating(t *testing.T) {
	root, _ := tree(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadFile(Dir(root), "Info.plist", BackupInfo)
	runtime.ReadMemStats(&after)
	if !IsRefused(err) || !strings.Contains(err.Error(), "declares 3 GiB") {
		t.Fatalf("err = %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("allocated %d bytes to refuse a 3 GiB file", grew)
	}
}

// lyingFS is a file system whose one file declares a size of its choosing,
// as a crafted archive entry can.
type info struct{ size int64 }

func (i info) Name() string       { return "f" }
func (i info) Size() int64        { return i.size }
func (i info) Mode() fs.FileMode  { return 0o444 }
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return false }
func (i info) Sys() any           { return nil }

type lyingFS struct {
	declared int64
	body     []byte
}

func (l lyingFS) Open(string) (fs.File, error) {
	return &sizedFile{Reader: bytes.NewReader(l.body), size: l.declared}, nil
}

type sizedFile struct {
	*bytes.Reader
	size int64
}

func (f *sizedFile) Stat() (fs.FileInfo, error) { return info{f.size}, nil }
func (f *sizedFile) Close() error               { return nil }

// TestDeclaredSizeNeverTrusted: the limit holds whatever size is declared.
func TestDeclaredSizeNeverTrusted(t *testing.T) {
	lim := Limit{Kind: "test file", Max: 100}
	cases := []struct {
		name     string
		declared int64
		body     int
		wantErr  string
	}{
		{"honest", 50, 50, ""},
		{"declares less, within the limit", 10, 80, ""},
		{"declares zero", 0, 100, ""},
		{"declares less, holds more than the limit", 10, 101, "holds more than the 100 B limit for a test file"},
		{"declares more than the limit", 1 << 40, 10, "declares 1 TiB, over the 100 B limit"},
		{"declares more than it holds", 90, 5, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := ReadFile(lyingFS{c.declared, bytes.Repeat([]byte{'x'}, c.body)}, "f", lim)
			if c.wantErr == "" {
				if err != nil || len(b) != c.body {
					t.Fatalf("got %d bytes, %v", len(b), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
			if cap(b) > 0 {
				t.Fatalf("returned a buffer with the refusal")
			}
		})
	}
	// Streaming stops at the limit too.
	f, err := Open(lyingFS{10, bytes.Repeat([]byte{'x'}, 1000)}, "f", lim)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, f)
	if n != 100 || !IsRefused(err) {
		t.Fatalf("streamed %d bytes, err %v", n, err)
	}
}

func TestLocalPath(t *testing.T) {
	root, _ := tree(t)
	d := Dir(root)
	real, _ := filepath.EvalSymlinks(filepath.Join(root, "sub", "getprop.txt"))
	for name, want := range map[string]string{
		"sub/getprop.txt": real,
		"inside-link":     real, // resolved, so SQLite never follows a link itself
		"escape":          "",
		"sms.db-shm":      "",
		"fifo.txt":        "",
		"sub":             "",
		"missing":         "",
		"../evidence/sub": "",
	} {
		got, ok := d.LocalPath(name)
		if got != want || ok != (want != "") {
			t.Errorf("LocalPath(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

func TestDirIsAnFS(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "a", "b", "c.txt"), []byte("c"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "z.txt"), []byte("z"), 0o644))
	if err := fstest.TestFS(Dir(dir), "a/b/c.txt", "z.txt"); err != nil {
		t.Fatal(err)
	}
	for op, call := range map[string]func(string) error{
		"open": func(n string) error { _, err := Dir(dir).Open(n); return err },
		"stat": func(n string) error { _, err := Dir(dir).Stat(n); return err },
	} {
		for _, bad := range []string{"../x", "/z.txt", "a/../z.txt", ""} {
			var pe *fs.PathError
			if err := call(bad); !errors.Is(err, fs.ErrInvalid) || !errors.As(err, &pe) || pe.Op != op {
				t.Errorf("%s %q: %v", op, bad, err)
			}
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 1536: "1.5 KiB", 15 << 29: "7.5 GiB", 3 << 30: "3 GiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

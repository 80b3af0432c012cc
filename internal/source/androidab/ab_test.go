package androidab

import (
	"archive/tar"
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
)

func makeTar(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range sortedKeys(files) {
		body := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, body)
	}
	tw.Close()
	return buf.Bytes()
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// buildAB writes a backup around tarball, as Android would.
func buildAB(t testing.TB, tarball []byte, version int, compressed bool, password string) []byte {
	t.Helper()
	payload := tarball
	if compressed {
		payload = deflate(tarball)
	}
	comp := "0"
	if compressed {
		comp = "1"
	}
	var out bytes.Buffer
	if password == "" {
		fmt.Fprintf(&out, "ANDROID BACKUP\n%d\n%s\nnone\n", version, comp)
		out.Write(payload)
		return out.Bytes()
	}
	if err := Encrypt(&out, payload, password, version, compressed, 100, rand.New(rand.NewSource(int64(version)))); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

var sampleFiles = map[string]string{
	"apps/com.example/_manifest":                 "manifest",
	"apps/com.android.providers.telephony/d_f/a": strings.Repeat("sms ", 5000),
}

func TestParseRoundTrip(t *testing.T) {
	tarball := makeTar(t, sampleFiles)
	tests := []struct {
		name       string
		version    int
		compressed bool
		password   string
	}{
		{"plain", 5, false, ""},
		{"compressed", 5, true, ""},
		{"encrypted v1 raw checksum", 1, false, "pw"},
		{"encrypted v5 compressed java checksum", 5, true, "pässwörd"},
		{"encrypted v3 uncompressed", 3, false, "123456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ab := buildAB(t, tarball, tt.version, tt.compressed, tt.password)
			b, err := Parse(bytes.NewReader(ab), tt.password)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(b.Tar)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tarball) {
				t.Fatalf("tar differs: %d bytes, want %d", len(got), len(tarball))
			}
			if b.Header.Version != tt.version || b.Header.Compressed != tt.compressed {
				t.Errorf("header = %+v", b.Header)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	enc := buildAB(t, makeTar(t, sampleFiles), 5, true, "right")
	tests := []struct {
		name     string
		in       []byte
		password string
		want     error
		contains string
	}{
		{"not a backup", []byte("PK\x03\x04"), "", ErrNotBackup, ""},
		{"magic only", []byte("ANDROID BACKUP\n"), "", nil, "truncated before the version"},
		{"bad version", []byte("ANDROID BACKUP\n9\n0\nnone\n"), "", nil, "unsupported version"},
		{"bad compression", []byte("ANDROID BACKUP\n5\n2\nnone\n"), "", nil, "compression flag"},
		{"bad encryption", []byte("ANDROID BACKUP\n5\n0\nDES\n"), "", nil, "not supported"},
		{"truncated encrypted header", []byte("ANDROID BACKUP\n5\n0\nAES-256\ntruncated"), "x", nil, "invalid encrypted backup header"},
		{"bad rounds", []byte("ANDROID BACKUP\n5\n0\nAES-256\nAA\nBB\n99999999999\n"), "x", nil, "rounds"},
		{"no password", enc, "", ErrPasswordNeeded, ""},
		{"wrong password", enc, "wrong", ErrWrongPassword, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(tt.in), tt.password)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.contains != "" && !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("err = %q, want it to contain %q", err, tt.contains)
			}
		})
	}
}

func writeTemp(t *testing.T, b []byte) string {
	p := filepath.Join(t.TempDir(), "backup.ab")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenEvidence(t *testing.T) {
	ab := buildAB(t, makeTar(t, sampleFiles), 5, true, "secret")
	p := writeTemp(t, ab)
	ev, err := Open(context.Background(), p, Options{Password: "secret", TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if ev.Kind != source.AndroidBackup || len(ev.Inputs) != 0 {
		t.Fatalf("evidence = %+v", ev)
	}
	got, err := fs.ReadFile(ev.FS, "apps/com.example/_manifest")
	if err != nil || string(got) != "manifest" {
		t.Fatalf("manifest = %q, %v", got, err)
	}
	if files := ev.Files(); len(files) != 2 {
		t.Fatalf("files = %v", files)
	}
	tmp := ev.TempDir
	ev.Close()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("temp dir left behind: %v", err)
	}
}

func TestOpenTruncatedKeepsWhatWasRead(t *testing.T) {
	files := map[string]string{"apps/a/one": "first", "apps/b/two": strings.Repeat("x", 4000)}
	ab := buildAB(t, makeTar(t, files), 5, false, "")
	cut := ab[:len(ab)-len(makeTar(t, files))+512+512+100] // into the second file's body
	ev, err := Open(context.Background(), writeTemp(t, cut), Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if b, err := fs.ReadFile(ev.FS, "apps/a/one"); err != nil || string(b) != "first" {
		t.Fatalf("first entry = %q, %v", b, err)
	}
	if len(ev.Notes) == 0 || !strings.Contains(ev.Notes[len(ev.Notes)-1], "after 1 entries") {
		t.Fatalf("notes = %q, want a truncation note", ev.Notes)
	}
}

func TestReadTarLimitsAndUnsafeNames(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "../escape", Size: 1, Typeflag: tar.TypeReg},
		{Name: "/abs", Size: 1, Typeflag: tar.TypeReg},
		{Name: "apps/link", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink},
		{Name: "apps/ok", Size: 1, Typeflag: tar.TypeReg},
	} {
		tw.WriteHeader(h)
		if h.Size > 0 {
			tw.Write([]byte("x"))
		}
	}
	tw.Close()
	dir := t.TempDir()
	fsys, st, err := ReadTar(context.Background(), bytes.NewReader(buf.Bytes()), dir, archive.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Skipped) != 2 {
		t.Fatalf("skipped = %q", st.Skipped)
	}
	if _, err := fs.Stat(fsys, "apps/ok"); err != nil {
		t.Fatal(err)
	}
	// A leading "/" is removed (GNU tar's convention): the entry lands
	// inside the folder, never at the root of the machine.
	if _, err := os.Stat(filepath.Join(dir, "abs")); err != nil {
		t.Fatalf("/abs not extracted inside the folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape")); err == nil {
		t.Fatal("entry escaped the folder")
	}

	// A bomb: a small compressed stream expanding past the total limit.
	big := makeTar(t, map[string]string{"a": strings.Repeat("\x00", 1<<20), "b": strings.Repeat("\x00", 1<<20)})
	b, err := Parse(bytes.NewReader(buildAB(t, big, 5, true, "")), "")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ReadTar(context.Background(), b.Tar, t.TempDir(), archive.Limits{MaxTotal: 1 << 20}, nil)
	if err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Fatalf("err = %v, want a limit error", err)
	}
}

func TestJavaQuirk(t *testing.T) {
	got := javaBytesAsChars([]byte{0x41, 0x80, 0xFF})
	want := []byte{0x41, 0xEF, 0xBE, 0x80, 0xEF, 0xBF, 0xBF}
	if !bytes.Equal(got, want) {
		t.Fatalf("got % X, want % X", got, want)
	}
}

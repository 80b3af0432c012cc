package opener

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/iosbackup/iosbackuptest"
	"github.com/huella-project/huella/internal/source/scratch"
)

// The opener is the one place that hashes inputs, for every kind of
// evidence alike: a file is hashed once, as a whole, and every regular file
// of a folder once; the readers behind the opener hash nothing, so no
// second result overwrites the first.
func TestOpenerHashesInputsOnce(t *testing.T) {
	backup := t.TempDir()
	iosbackuptest.Backup{Files: []iosbackuptest.File{{Domain: "HomeDomain", Path: "Library/SMS/sms.db", Flags: 1, Content: []byte("x")}}}.Write(t, backup)
	dir := t.TempDir()
	for _, c := range []struct {
		name   string
		path   string
		reader func(context.Context, string, *scratch.Dir, Options) (*source.Evidence, error)
	}{
		{"iOS backup folder", backup, openIOSBackup},
		{"Android backup file", write(t, dir, "phone.ab", androidBackup(t)), openAndroidBackup},
		{"androidqf zip", write(t, dir, "acquisition.zip", acquisitionZip(t)), openAndroidQF},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp, err := scratch.New(t.TempDir(), "t-", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tmp.Close()
			direct, err := c.reader(context.Background(), c.path, tmp, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer direct.Close()
			if len(direct.Inputs) != 0 {
				t.Errorf("the reader hashed %+v itself", direct.Inputs)
			}
			ev, err := Open(context.Background(), c.path, Options{TempRoot: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			want := wantInputs(t, c.path)
			if len(ev.Inputs) != len(want) {
				t.Fatalf("%d inputs %+v, want %d", len(ev.Inputs), ev.Inputs, len(want))
			}
			for _, in := range ev.Inputs {
				if want[in.Path] != in.SHA256 {
					t.Errorf("%s: SHA-256 %q, want %q", in.Path, in.SHA256, want[in.Path])
				}
			}
			noHash, err := Open(context.Background(), c.path, Options{TempRoot: t.TempDir(), NoHash: true})
			if err != nil {
				t.Fatal(err)
			}
			defer noHash.Close()
			if len(noHash.Inputs) != 0 {
				t.Errorf("NoHash: inputs %+v", noHash.Inputs)
			}
		})
	}
}

// wantInputs hashes p (or every file below it) independently of source.
func wantInputs(t *testing.T, p string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(p, func(q string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(q)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(p, q)
		if rel == "." {
			rel = p
		}
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// androidBackup is an unencrypted .ab holding one file.
func androidBackup(t *testing.T) []byte {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	body := []byte("manifest")
	tw.WriteHeader(&tar.Header{Name: "apps/com.example/_manifest", Mode: 0o600, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write(body)
	tw.Close()
	var ab bytes.Buffer
	ab.WriteString("ANDROID BACKUP\n5\n1\nnone\n")
	zl := zlib.NewWriter(&ab)
	zl.Write(tb.Bytes())
	zl.Close()
	return ab.Bytes()
}

// acquisitionZip is a minimal androidqf acquisition.
func acquisitionZip(t *testing.T) []byte {
	t.Helper()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, n := range []string{"getprop.txt", "packages.json"} {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(map[string]string{"getprop.txt": "[ro.product.model]: [X]\n", "packages.json": "[]"}[n]))
	}
	zw.Close()
	return zb.Bytes()
}

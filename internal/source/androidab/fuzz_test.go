package androidab

import (
	"io/fs"
	"os"
	"path/filepath"

	"bytes"
	"context"
	"io"
	"testing"

	"github.com/huella-project/huella/internal/source/scratch"

	"github.com/huella-project/huella/internal/source/archive"
)

func FuzzParse(f *testing.F) {
	tarball := makeTar(f, map[string]string{"apps/x/f": "hello"})
	f.Add(buildAB(f, tarball, 5, false, ""), "")
	f.Add(buildAB(f, tarball, 5, true, ""), "")
	f.Add(buildAB(f, tarball, 5, true, "pw"), "pw")
	f.Add(buildAB(f, tarball, 1, false, "pw"), "pw")
	f.Add([]byte("ANDROID BACKUP\n5\n0\nAES-256\ntruncated"), "x")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		b, err := Parse(bytes.NewReader(data), password)
		if err != nil {
			return
		}
		defer b.Close()
		// The header checks: a known version, bounded key derivation.
		if h := b.Header; h.Version < 1 || h.Version > 5 || h.Encryption == "AES-256" && (h.Rounds > maxRounds || h.Rounds < 1) {
			t.Fatalf("header accepted: %+v", h)
		}
		// The tar reader's bounds, and the disk budget, hold whatever the
		// stream: entries, bytes per file and in all, nothing outside dir.
		lim := archive.Limits{MaxEntries: 100, MaxFileSize: 1 << 20, MaxTotal: 4 << 20}
		base := t.TempDir()
		dir := filepath.Join(base, "d")
		os.Mkdir(dir, 0o700)
		budget := scratch.NewBudget(2 << 20)
		_, st, _ := ReadTar(context.Background(), io.LimitReader(b.Tar, 8<<20), dir, lim, budget)
		if st.Entries > lim.MaxEntries+1 || uint64(st.Bytes) > lim.MaxTotal || budget.Used() > budget.Limit() {
			t.Fatalf("limits passed: %+v, %d reserved", st, budget.Used())
		}
		var written int64
		filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				fi, _ := d.Info()
				if uint64(fi.Size()) > lim.MaxFileSize {
					t.Fatalf("%s: %d bytes, over the per-file limit", d.Name(), fi.Size())
				}
				written += fi.Size()
			}
			return nil
		})
		if written > budget.Limit() {
			t.Fatalf("%d bytes written past a %d-byte budget", written, budget.Limit())
		}
		if ents, _ := os.ReadDir(base); len(ents) != 1 {
			t.Fatalf("wrote outside its folder: %v", ents)
		}
	})
}

package androidab

import (
	"bytes"
	"context"
	"io"
	"testing"

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
		lim := archive.Limits{MaxEntries: 100, MaxFileSize: 1 << 20, MaxTotal: 4 << 20}
		_, _, _ = ReadTar(context.Background(), io.LimitReader(b.Tar, 8<<20), t.TempDir(), lim, nil)
	})
}

package iosbackup

import (
	"context"
	"io/fs"
	"testing"

	"github.com/huella-project/huella/internal/source/iosbackup/iosbackuptest"
)

// BenchmarkDecryptFile opens an encrypted backup with its key (no key
// derivation) and reads a 32 MB file through the evidence tree, which
// unwraps the file key and AES-CBC-decrypts it into the temp folder.
func BenchmarkDecryptFile(b *testing.B) {
	const size = 32 << 20
	content := make([]byte, size)
	for i := range content {
		content[i] = byte(i * 7)
	}
	dir := b.TempDir()
	key := iosbackuptest.Backup{Password: "pw", Files: []iosbackuptest.File{
		{Domain: "HomeDomain", Path: "Library/SMS/sms.db", Flags: 1, Content: content}}}.Write(b, dir)
	b.SetBytes(size)
	for b.Loop() {
		ev, err := Open(context.Background(), dir, Options{Key: key, TempRoot: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		data, err := fs.ReadFile(ev.FS, "HomeDomain/Library/SMS/sms.db")
		if err != nil || len(data) != size {
			b.Fatalf("%d bytes, %v", len(data), err)
		}
		ev.Close()
	}
}

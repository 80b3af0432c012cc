package opener

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzOpenFile hands arbitrary bytes to Open as a single evidence file, so
// content detection and every file reader behind it (zip, tar, gzip, .ab,
// age) see hostile input. Open must return an error or evidence, never
// panic, and leave nothing in its temp root once closed.
func FuzzOpenFile(f *testing.F) {
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("getprop.txt")
	w.Write([]byte("[ro.product.model]: [X]\n"))
	zw.Close()
	f.Add(zb.Bytes())

	var tb bytes.Buffer
	gz := gzip.NewWriter(&tb)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "sysdiagnose_x/sysdiagnose.log", Mode: 0o644, Size: 2, Typeflag: tar.TypeReg})
	tw.Write([]byte("x\n"))
	tw.Close()
	gz.Close()
	f.Add(tb.Bytes())

	var ab bytes.Buffer
	ab.WriteString("ANDROID BACKUP\n5\n1\nnone\n")
	zl := zlib.NewWriter(&ab)
	zl.Write(make([]byte, 1024))
	zl.Close()
	f.Add(ab.Bytes())
	f.Add([]byte("ANDROID BACKUP\n5\n0\nAES-256\n00\n00\n10000\n00\n00\n"))
	f.Add([]byte("age-encryption.org/v1\n-> X25519 abc\n"))
	f.Add([]byte("bplist00"))
	// Network evidence: a pcapng header, an eve.json line, a dnsmasq line.
	f.Add([]byte("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x1c\x00\x00\x00"))
	f.Add([]byte(`{"timestamp":"2024-02-20T03:00:00.000000+0000","event_type":"dns","src_ip":"192.168.1.23","dest_ip":"192.168.1.1","dns":{"type":"query","rrname":"a.example"}}` + "\n"))
	f.Add([]byte("Feb 20 03:00:01 dnsmasq[812]: query[A] a.example from 192.168.1.23\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "evidence.bin")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dir, "tmp")
		if err := os.Mkdir(tmp, 0o700); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// A stuck Open never returns to the fuzzer: panic so the input is
		// saved as a crasher.
		watchdog := time.AfterFunc(20*time.Second, func() { panic(fmt.Sprintf("Open hung on %d bytes: %.64q", len(data), data)) })
		// A small budget: every write of the open step must stay within it.
		ev, err := Open(ctx, p, Options{TempRoot: tmp, TempBudget: 8 << 20})
		watchdog.Stop()
		if err == nil {
			ev.Close()
		}
		if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
			t.Errorf("temp root not emptied: %d entries (err %v)", len(ents), err)
		}
	})
}

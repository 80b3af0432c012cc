package iosbackup_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/iosbackup"
	"github.com/huella-project/huella/internal/source/iosbackup/iosbackuptest"
)

var when = time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)

func sample(password string) iosbackuptest.Backup {
	return iosbackuptest.Backup{
		Password: password,
		Files: []iosbackuptest.File{
			{Domain: "HomeDomain", Path: "", Flags: 2},
			{Domain: "HomeDomain", Path: "Library", Flags: 2},
			{Domain: "HomeDomain", Path: "Library/SMS", Flags: 2},
			{Domain: "HomeDomain", Path: "Library/SMS/sms.db", Flags: 1, Content: []byte("sqlite-ish bytes"), Modified: when, Birth: when.Add(-time.Hour)},
			{Domain: "HomeDomain", Path: "Library/Exact16/abcdefghij.txt", Flags: 1, Content: []byte("0123456789abcdef")},
			{Domain: "HomeDomain", Path: "Library/Empty", Flags: 1, Content: []byte{}},
			{Domain: "HomeDomain", Path: "Library/Missing.plist", Flags: 1},
			{Domain: "HomeDomain", Path: "Library/link", Flags: 4},
			{Domain: "AppDomain-com.example", Path: "Documents/a b.txt", Flags: 1, Content: bytes.Repeat([]byte("x"), 5000)},
		},
	}
}

// hashTree proves the evidence folder was not written.
func hashTree(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			out[p] = sha256.Sum256(b)
		}
		return nil
	})
	return out
}

func TestOpen(t *testing.T) {
	for _, mode := range []string{"plain", "password", "key"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			pw := ""
			if mode != "plain" {
				pw = "s3cret"
			}
			key := sample(pw).Write(t, dir)
			before := hashTree(t, dir)
			opts := iosbackup.Options{TempRoot: t.TempDir()}
			switch mode {
			case "password":
				opts.Password = pw
			case "key":
				opts.Key = key
			}
			ev, err := iosbackup.Open(context.Background(), dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			if ev.Kind != source.IOSBackup || ev.Device.Name != "Test iPhone" || ev.Device.Model != "iPhone14,2" ||
				ev.Device.OSVersion != "17.4" || ev.Device.ID != "00008110-TEST" || ev.Device.Acquired == nil {
				t.Errorf("device = %+v", ev.Device)
			}
			if len(ev.Inputs) != 0 {
				t.Errorf("inputs = %+v: the opener hashes them, not the backup reader", ev.Inputs)
			}
			want := map[string][]byte{
				"HomeDomain/Library/SMS/sms.db":             []byte("sqlite-ish bytes"),
				"HomeDomain/Library/Exact16/abcdefghij.txt": []byte("0123456789abcdef"),
				"HomeDomain/Library/Empty":                  {},
				"AppDomain-com.example/Documents/a b.txt":   bytes.Repeat([]byte("x"), 5000),
			}
			for p, c := range want {
				got, err := fs.ReadFile(ev.FS, p)
				if err != nil || !bytes.Equal(got, c) {
					t.Errorf("%s: %q, %v", p, got, err)
				}
				fi, err := fs.Stat(ev.FS, p)
				if err != nil || fi.Size() != int64(len(c)) {
					t.Errorf("stat %s: %v %v", p, fi, err)
				}
			}
			if _, err := fs.Stat(ev.FS, "HomeDomain/Library/Missing.plist"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("missing file: %v", err)
			}
			for _, raw := range []string{"_backup/Info.plist", "_backup/Manifest.plist", "_backup/Status.plist", "_backup/Manifest.db"} {
				if _, err := fs.ReadFile(ev.FS, raw); err != nil {
					t.Errorf("%s: %v", raw, err)
				}
			}
			lp, ok := ev.FS.(source.LocalPather).LocalPath("HomeDomain/Library/SMS/sms.db")
			if !ok {
				t.Fatal("no local path")
			}
			if mode == "plain" && lp != filepath.Join(dir, iosbackuptest.FileID("HomeDomain", "Library/SMS/sms.db")[:2], iosbackuptest.FileID("HomeDomain", "Library/SMS/sms.db")) {
				t.Errorf("plain local path %s", lp)
			}
			if mode != "plain" && !strings.HasPrefix(lp, ev.TempDir) {
				t.Errorf("decrypted copy %s outside TempDir %s", lp, ev.TempDir)
			}
			files := ev.Files()
			if len(files) != 4+4 { // 4 content files + 4 raw backup files
				t.Errorf("Files() = %v", files)
			}
			if err := fstest.TestFS(ev.FS, "HomeDomain/Library/SMS/sms.db", "_backup/Info.plist"); err != nil {
				t.Error(err)
			}
			n := 0
			for e, err := range iosbackup.Files(context.Background(), ev) {
				if err != nil {
					t.Fatal(err)
				}
				n++
				if e.RelativePath == "Library/SMS/sms.db" {
					if e.Size != 16 || !e.Modified.Equal(when) || !e.Birth.Equal(when.Add(-time.Hour)) || e.Mode != 0o100644 || e.UID != 501 || e.Encrypted != (mode != "plain") {
						t.Errorf("entry = %+v", e)
					}
				}
			}
			if n != len(sample("").Files) {
				t.Errorf("Files yielded %d", n)
			}
			if len(ev.Notes) != 0 {
				t.Errorf("notes: %v", ev.Notes)
			}
			ev.Close()
			if after := hashTree(t, dir); len(after) != len(before) {
				t.Error("evidence folder changed")
			} else {
				for p, h := range before {
					if after[p] != h {
						t.Errorf("%s changed", p)
					}
				}
			}
			if _, err := os.Stat(ev.TempDir); !errors.Is(err, fs.ErrNotExist) {
				t.Error("TempDir left behind")
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	enc := t.TempDir()
	sample("right").Write(t, enc)
	cases := []struct {
		name string
		dir  string
		opts iosbackup.Options
		want error
	}{
		{"no password", enc, iosbackup.Options{}, iosbackup.ErrPasswordNeeded},
		{"wrong password", enc, iosbackup.Options{Password: "wrong"}, iosbackup.ErrWrongPassword},
		{"wrong key", enc, iosbackup.Options{Key: make([]byte, 32)}, iosbackup.ErrWrongPassword},
		{"not a backup", t.TempDir(), iosbackup.Options{}, iosbackup.ErrNotBackup},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.TempRoot = t.TempDir()
			ev, err := iosbackup.Open(context.Background(), c.dir, c.opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if ev != nil {
				t.Fatal("evidence returned with error")
			}
			if ents, _ := os.ReadDir(c.opts.TempRoot); len(ents) != 0 {
				t.Error("temporary folder left behind")
			}
		})
	}
}

func TestDeriveKey(t *testing.T) {
	dir := t.TempDir()
	want := sample("pw").Write(t, dir)
	got, err := iosbackup.DeriveKey(context.Background(), dir, "pw")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("key %x, %v; want %x", got, err, want)
	}
	if _, err := iosbackup.DeriveKey(context.Background(), dir, "nope"); !errors.Is(err, iosbackup.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestSizeMismatchIsNoted(t *testing.T) {
	dir := t.TempDir()
	b := iosbackuptest.Backup{Password: "pw", Files: []iosbackuptest.File{
		{Domain: "HomeDomain", Path: "short.txt", Flags: 1, Content: []byte("hello"), SizeOverride: 3},
		{Domain: "HomeDomain", Path: "long.txt", Flags: 1, Content: []byte("hello"), SizeOverride: 100},
	}}
	b.Write(t, dir)
	ev, err := iosbackup.Open(context.Background(), dir, iosbackup.Options{Password: "pw", TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	for _, c := range []struct{ path, want string }{{"HomeDomain/short.txt", "hel"}, {"HomeDomain/long.txt", "hello"}} {
		got, err := fs.ReadFile(ev.FS, c.path)
		if err != nil || string(got) != c.want {
			t.Errorf("%s = %q, %v", c.path, got, err)
		}
	}
	if len(ev.Notes) != 2 {
		t.Errorf("notes = %q", ev.Notes)
	}
}

func TestUnlistedAndHostileRows(t *testing.T) {
	dir := t.TempDir()
	b := sample("")
	b.Unlisted = map[string][]byte{"AppDomainGroup-group.net.whatsapp.WhatsApp.shared-LID.sqlite": []byte("lid")}
	b.RawRows = [][4]any{
		{iosbackuptest.FileID("HomeDomain", "../../etc/passwd"), "HomeDomain", "../../etc/passwd", 1},
		{iosbackuptest.FileID("../x", "y"), "../x", "y", 1},
		{"not-an-id", "HomeDomain", "ok.txt", 1},
		{iosbackuptest.FileID("HomeDomain", "/abs"), "HomeDomain", "/abs", 1},
	}
	b.Write(t, dir)
	ev, err := iosbackup.Open(context.Background(), dir, iosbackup.Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	got, err := fs.ReadFile(ev.FS, "AppDomainGroup-group.net.whatsapp.WhatsApp.shared/LID.sqlite")
	if err != nil || string(got) != "lid" {
		t.Errorf("unlisted file: %q %v", got, err)
	}
	if len(ev.Glob("AppDomainGroup-group.net.whatsapp.WhatsApp.shared/LID.sqlite")) != 1 {
		t.Error("literal glob misses the unlisted file")
	}
	if len(ev.Notes) != 4 {
		t.Errorf("notes = %q", ev.Notes)
	}
}

func TestDecrypt(t *testing.T) {
	src := t.TempDir()
	sample("pw").Write(t, src)
	dst := filepath.Join(t.TempDir(), "out")
	var notes []string
	opts := iosbackup.Options{Password: "pw", TempRoot: t.TempDir(), Note: func(s string) { notes = append(notes, s) }}
	if err := iosbackup.Decrypt(context.Background(), src, dst, opts, true); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 0 {
		t.Errorf("notes %v", notes)
	}
	ev, err := iosbackup.Open(context.Background(), dst, iosbackup.Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatalf("decrypted backup does not open as plain: %v", err)
	}
	defer ev.Close()
	if iosbackup.IsEncrypted(ev) {
		t.Error("still encrypted")
	}
	got, err := fs.ReadFile(ev.FS, "AppDomain-com.example/Documents/a b.txt")
	if err != nil || !bytes.Equal(got, bytes.Repeat([]byte("x"), 5000)) {
		t.Errorf("content %d bytes, %v", len(got), err)
	}
	tree, err := os.ReadFile(filepath.Join(dst, "tree", "HomeDomain", "Library", "SMS", "sms.db"))
	if err != nil || string(tree) != "sqlite-ish bytes" {
		t.Errorf("tree copy %q %v", tree, err)
	}

	for _, c := range []struct{ name, dst string }{
		{"inside src", filepath.Join(src, "sub")},
		{"src itself", src},
		{"not empty", dst},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := iosbackup.Decrypt(context.Background(), src, c.dst, opts, false); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestParseKeyHex(t *testing.T) {
	if _, err := iosbackup.ParseKeyHex(strings.Repeat("ab", 32)); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "zz", strings.Repeat("ab", 31), strings.Repeat("ab", 33)} {
		if _, err := iosbackup.ParseKeyHex(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A file whose ciphertext is damaged (not a whole number of blocks) is
// reported by both readers of encrypted files, and decrypt-backup leaves
// no partial plaintext of it behind.
func TestDamagedCiphertext(t *testing.T) {
	src := t.TempDir()
	sample("pw").Write(t, src)
	id := iosbackuptest.FileID("AppDomain-com.example", "Documents/a b.txt")
	enc := filepath.Join(src, id[:2], id)
	b, err := os.ReadFile(enc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(enc, b[:len(b)-5], 0o644); err != nil {
		t.Fatal(err)
	}

	dst := filepath.Join(t.TempDir(), "out")
	var notes []string
	opts := iosbackup.Options{Password: "pw", TempRoot: t.TempDir(), Note: func(s string) { notes = append(notes, s) }}
	if err := iosbackup.Decrypt(context.Background(), src, dst, opts, true); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "Documents/a b.txt") {
		t.Errorf("notes %q, want one naming the damaged file", notes)
	}
	if _, err := os.Stat(filepath.Join(dst, id[:2], id)); !os.IsNotExist(err) {
		t.Errorf("partial plaintext left: %v", err)
	}

	ev, err := iosbackup.Open(context.Background(), src, iosbackup.Options{Password: "pw", TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if _, err := fs.ReadFile(ev.FS, "AppDomain-com.example/Documents/a b.txt"); err == nil || !strings.Contains(err.Error(), "decrypt") {
		t.Errorf("reading the damaged file: %v", err)
	}
	if got, err := fs.ReadFile(ev.FS, "HomeDomain/Library/SMS/sms.db"); err != nil || string(got) != "sqlite-ish bytes" {
		t.Errorf("an intact file beside it: %q, %v", got, err)
	}
}

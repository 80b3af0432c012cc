package iosbackup_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/source/iosbackup"
	"github.com/huella-project/huella/internal/testutil"
)

// Known answers from fixtures/README.md (ios-encrypted-min).
func TestConformanceEncryptedMin(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/ios-encrypted-min")
	ctx := context.Background()
	key, err := iosbackup.DeriveKey(ctx, dir, "0000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iosbackup.Open(ctx, dir, iosbackup.Options{Key: key[:31], TempRoot: t.TempDir()}); err == nil {
		t.Error("short key accepted")
	}
	if _, err := iosbackup.Open(ctx, dir, iosbackup.Options{Password: "1234", TempRoot: t.TempDir()}); !errors.Is(err, iosbackup.ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	ev, err := iosbackup.Open(ctx, dir, iosbackup.Options{Key: key, TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	var got []iosbackup.FileEntry
	for e, err := range iosbackup.Files(ctx, ev) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if len(got) != 1 {
		t.Fatalf("%d files", len(got))
	}
	e := got[0]
	if e.Domain != "MyTestDomain" || e.RelativePath != "Media/Test.txt" || e.FileID != "5727bd1c5fa1055e15d8b4a75a74793c84b5ffdc" ||
		e.Size != 9 || e.Mode != 33261 || e.UID != 501 || e.GID != 501 || !e.Encrypted ||
		!e.Modified.Equal(time.Unix(1628082463, 0)) || !e.Birth.Equal(time.Unix(1627974948, 0)) {
		t.Errorf("entry = %+v", e)
	}
	data, err := fs.ReadFile(ev.FS, "MyTestDomain/Media/Test.txt")
	if err != nil || string(data) != "Test data" {
		t.Errorf("content %q, %v", data, err)
	}
	if len(ev.Notes) != 0 {
		t.Errorf("notes %v", ev.Notes)
	}
	dst := filepath.Join(t.TempDir(), "plain")
	if err := iosbackup.Decrypt(ctx, dir, dst, iosbackup.Options{Key: key, TempRoot: t.TempDir()}, true); err != nil {
		t.Fatal(err)
	}
	plain, err := iosbackup.Open(ctx, dst, iosbackup.Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if data, err := fs.ReadFile(plain.FS, "MyTestDomain/Media/Test.txt"); err != nil || string(data) != "Test data" {
		t.Errorf("decrypted copy %q, %v", data, err)
	}
}

func TestConformanceMVTBackup(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/ios_backup")
	ctx := context.Background()
	ev, err := iosbackup.Open(ctx, dir, iosbackup.Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if ev.Device.Build != "18C66" || ev.Device.Extra["IMEI"] != "42" || ev.Device.Model != "iPhone9,3" {
		t.Errorf("device %+v", ev.Device)
	}
	n, flags := 0, map[int]int{}
	for e, err := range iosbackup.Files(ctx, ev) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		flags[e.Flags]++
	}
	if n != 3721 || flags[1] != 1089 || flags[2] != 2618 || flags[4] != 14 {
		t.Errorf("%d entries, flags %v", n, flags)
	}
	// Files on disk: 10 listed in Manifest.db plus LID.sqlite, which only the hashed name finds.
	if got := ev.Glob("HomeDomain/Library/SMS/sms.db"); len(got) != 1 {
		t.Errorf("sms.db: %v", got)
	}
	if got := ev.Glob("AppDomainGroup-group.net.whatsapp.WhatsApp.shared/LID.sqlite"); len(got) != 1 {
		t.Errorf("LID.sqlite: %v", got)
	}
	if len(ev.Notes) != 0 {
		t.Errorf("notes %v", ev.Notes)
	}
}

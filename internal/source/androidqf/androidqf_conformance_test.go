package androidqf

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"testing"

	"github.com/huella-project/huella/internal/source/androidab"
	"github.com/huella-project/huella/internal/testutil"
)

func TestConformanceFolderAndZip(t *testing.T) {
	for _, rel := range []string{"fixtures/mvt/androidqf", "fixtures/mvt/androidqf.zip"} {
		ev, err := Open(context.Background(), testutil.Shared(t, rel), Options{TempRoot: t.TempDir()})
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		b, err := fs.ReadFile(ev.FS, "getprop.txt")
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		props, _ := ParseGetprop(bytes.NewReader(b))
		if len(props) != 10 || props[0].Name != "dalvik.vm.appimageformat" || props[0].Value != "lz4" {
			t.Fatalf("%s: props = %v", rel, props)
		}
		ev.Close()
	}
}

func TestConformanceEncryptedBackupMount(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/androidqf_encrypted")
	os.Unsetenv(androidab.PasswordEnv)
	// This folder only holds backup.ab, so it is opened by kind directly.
	ev, err := openTree(context.Background(), dir, "androidqf", Options{TempRoot: t.TempDir()}, Detect)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	mountBackup(context.Background(), ev, Options{BackupPassword: "123456"})
	if ms, _ := fs.Glob(ev.FS, BackupMount+"/apps/com.android.providers.telephony/d_f/*_sms_backup"); len(ms) != 1 {
		t.Fatalf("sms backups = %v (notes %q)", ms, ev.Notes)
	}
}

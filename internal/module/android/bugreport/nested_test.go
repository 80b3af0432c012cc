package bugreport

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/module/android/dumpsys"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source/androidqf"
)

// TestNestedBugreportInAndroidQF: the bug report zip androidqf saves is
// read by the bugreport and dumpsys modules, ahead of dumpsys.txt.
func TestNestedBugreportInAndroidQF(t *testing.T) {
	sec := func(name, body string) string {
		return strings.Repeat("-", 79) + "\nDUMP OF SERVICE " + name + ":\n" + body + "\n"
	}
	dir := t.TempDir()
	acq := filepath.Join(dir, "acq")
	os.MkdirAll(acq, 0o700)
	os.WriteFile(filepath.Join(acq, "getprop.txt"), []byte("[ro.product.model]: [X]\n"), 0o600)
	// dumpsys.txt names another service: it must not be the one read.
	os.WriteFile(filepath.Join(acq, "dumpsys.txt"), []byte(sec("accessibility", "  Enabled services:{{com.other/com.other.Svc}}")), 0o600)
	f, _ := os.Create(filepath.Join(acq, "bugreport-dev-2026.zip"))
	zw := zip.NewWriter(f)
	for n, b := range map[string]string{
		"main_entry.txt": "dumpstate.txt",
		"dumpstate.txt": "------ SYSTEM PROPERTIES (getprop) ------\n[ro.build.version.security_patch]: [2020-01-01]\n------\n" +
			sec("accessibility", "  Enabled services:{{com.spy.app/com.spy.app.Svc}}"),
		"FS/data/misc/adb/adb_keys": "QUJDRA== a@b\n",
	} {
		w, _ := zw.Create(n)
		w.Write([]byte(b))
	}
	zw.Close()
	f.Close()

	ev, err := androidqf.Open(context.Background(), acq, androidqf.Options{TempRoot: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	tests := []struct {
		name    string
		records int
		want    string // in the first record's summary
	}{
		{"android.bugreport_getprop", 1, "security_patch"},
		{"android.bugreport_files", 1, "/data/misc/adb/adb_keys"},
		{"android.accessibility", 1, "com.spy.app"},
	}
	mods := append(Defs(), dumpsys.Defs()...)
	for _, tt := range tests {
		res, err := moduletest.Run(t, moduletest.Find(t, mods, tt.name), ev)
		if len(res.Records) != tt.records || !strings.Contains(res.Records[0].Summary, tt.want) {
			t.Errorf("%s: %d records (err %v), first %q", tt.name, len(res.Records), err, summary(res))
		}
	}
	if got := dumpsys.Locate(ev); got != androidqf.BugreportMount+"/dumpstate.txt" {
		t.Errorf("Locate = %q", got)
	}
}

func summary(res *moduletest.Sink) string {
	if len(res.Records) == 0 {
		return ""
	}
	return res.Records[0].Summary
}

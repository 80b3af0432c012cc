package androidqf

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func zipBytes(t *testing.T, prefix string, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, err := zw.Create(prefix + n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNestedBugreportMounted(t *testing.T) {
	report := map[string][]byte{
		"main_entry.txt":                  []byte("bugreport-x.txt\n"),
		"bugreport-x.txt":                 []byte("------ SYSTEM PROPERTIES (getprop) ------\n[ro.product.manufacturer]: [Acme]\n------\n"),
		"FS/data/tombstones/tombstone_00": []byte("crash"),
	}
	tests := []struct {
		name, zipName, prefix string
		outerZip              bool
		mounted               bool
	}{
		{"folder", "bugreport-acme-2026.zip", "", false, true},
		{"inside a zip acquisition", "bugreport.zip", "", true, true},
		{"wrapped in a folder", "Bugreport-1.zip", "bugreport-1/", false, true},
		{"not a bug report", "bugreport.zip", "other/", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := acquisition(t, "")
			if tt.name == "not a bug report" {
				files[tt.zipName] = zipBytes(t, "", map[string][]byte{"a/readme.txt": []byte("x"), "b/x": nil})
			} else {
				files[tt.zipName] = zipBytes(t, tt.prefix, report)
			}
			dir := t.TempDir()
			p := filepath.Join(dir, "acq")
			if tt.outerZip {
				p += ".zip"
				writeZip(t, p, "acq/", files)
			} else {
				writeDir(t, p, files)
			}
			ev, err := Open(context.Background(), p, Options{TempRoot: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			b, err := fs.ReadFile(ev.FS, BugreportMount+"/FS/data/tombstones/tombstone_00")
			if got := err == nil && string(b) == "crash"; got != tt.mounted {
				t.Fatalf("mounted = %v (err %v), want %v; files %v", got, err, tt.mounted, ev.Files())
			}
			if !tt.mounted {
				if len(ev.Gaps) == 0 || !strings.Contains(ev.Gaps[len(ev.Gaps)-1].Part, tt.zipName) {
					t.Errorf("no gap naming %s: %+v", tt.zipName, ev.Gaps)
				}
				return
			}
			if ev.Device.Extra["bugreport_main"] != BugreportMount+"/bugreport-x.txt" || ev.Device.Extra["manufacturer"] != "Acme" {
				t.Errorf("device = %+v", ev.Device)
			}
			// The backup mount is still there beside the bug report.
			if _, err := fs.Stat(ev.FS, BackupMount+"/apps/com.android.providers.telephony/d_f/000000_sms_backup"); err != nil {
				t.Errorf("backup mount lost: %v", err)
			}
		})
	}
}

func TestADBHostKey(t *testing.T) {
	tests := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"acquisition.json", map[string][]byte{"acquisition.json": []byte(`{"started":"2025-06-20T18:00:00Z","adb_host_public_key":"QUJDRA== acquisition@host\n"}`)}, "QUJDRA== acquisition@host"},
		{"adb_host_key.pub fallback", map[string][]byte{"acquisition.json": []byte(`{"started":"2025-06-20T18:00:00Z"}`), "adb_host_key.pub": []byte("RUZHSA== h@x\n")}, "RUZHSA== h@x"},
		{"none", map[string][]byte{"acquisition.json": []byte(`{"started":"2025-06-20T18:00:00Z"}`)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeDir(t, filepath.Join(dir, "acq"), tt.files)
			ev, err := Open(context.Background(), filepath.Join(dir, "acq"), Options{TempRoot: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			if got := ev.Device.Extra[ExtraADBHostKey]; got != tt.want {
				t.Errorf("host key %q, want %q", got, tt.want)
			}
		})
	}
}

// A bug report zip holds the report at its root or in its one top folder;
// anything else is left as it is.
func TestBugreportRoot(t *testing.T) {
	report := []byte("== dumpstate: 2024-02-20 10:00:00\n")
	tests := []struct {
		name     string
		fsys     fstest.MapFS
		wantMain string // bugreportMain of the root found, "" when none
	}{
		{"at the root", fstest.MapFS{"bugreport-x.txt": {Data: report}}, "bugreport-x.txt"},
		{"in one top folder", fstest.MapFS{"top/dumpstate-1.txt": {Data: report}}, "dumpstate-1.txt"},
		{"two top folders", fstest.MapFS{"a/dumpstate-1.txt": {Data: report}, "b/x": {}}, ""},
		{"one folder, no report", fstest.MapFS{"top/notes.txt": {Data: report}}, ""},
	}
	for _, tt := range tests {
		if got := bugreportMain(bugreportRoot(tt.fsys)); got != tt.wantMain {
			t.Errorf("%s: main %q, want %q", tt.name, got, tt.wantMain)
		}
	}
}

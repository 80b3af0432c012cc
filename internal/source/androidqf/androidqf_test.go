package androidqf

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidab"
)

func abWith(t *testing.T, files map[string]string, password string) []byte {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for n, b := range files {
		tw.WriteHeader(&tar.Header{Name: n, Size: int64(len(b)), Mode: 0o600, Typeflag: tar.TypeReg})
		tw.Write([]byte(b))
	}
	tw.Close()
	var out bytes.Buffer
	if password == "" {
		out.WriteString("ANDROID BACKUP\n5\n0\nnone\n")
		out.Write(tb.Bytes())
		return out.Bytes()
	}
	if err := androidab.Encrypt(&out, tb.Bytes(), password, 5, false, 50, rand.New(rand.NewSource(1))); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func acquisition(t *testing.T, abPassword string) map[string][]byte {
	return map[string][]byte{
		"getprop.txt":      []byte("[ro.product.model]: [Pixel 9]\n[ro.build.version.release]: [16]\n[persist.sys.timezone]: [America/Mexico_City]\n[ro.build.version.security_patch]: [2025-01-05]\n"),
		"acquisition.json": []byte(`{"uuid":"x","started":"2026-03-01T10:00:00.5Z","serial":"ABC123"}`),
		"packages.json":    []byte(`[]`),
		"logs/logcat.txt":  []byte("hello"),
		"backup.ab":        abWith(t, map[string]string{"apps/com.android.providers.telephony/d_f/000000_sms_backup": "sms"}, abPassword),
	}
}

func writeDir(t *testing.T, root string, files map[string][]byte) {
	for n, b := range files {
		p := filepath.Join(root, filepath.FromSlash(n))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func writeZip(t *testing.T, p, prefix string, files map[string][]byte) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, _ := zw.Create(prefix + n)
		w.Write(b)
	}
	zw.Close()
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func snapshot(t *testing.T, ev *source.Evidence) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range ev.Files() {
		b, err := fs.ReadFile(ev.FS, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = string(b)
	}
	return out
}

func TestOpenFolderZipAndAgeAgree(t *testing.T) {
	files := acquisition(t, "")
	dir := t.TempDir()
	folder := filepath.Join(dir, "acq")
	writeDir(t, folder, files)
	zipPath := filepath.Join(dir, "acq.zip")
	writeZip(t, zipPath, "acq/", files)

	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idPath := filepath.Join(dir, "key.txt")
	os.WriteFile(idPath, []byte(id.String()+"\n"), 0o600)
	plain, _ := os.ReadFile(zipPath)
	var enc bytes.Buffer
	w, _ := age.Encrypt(&enc, id.Recipient())
	w.Write(plain)
	w.Close()
	agePath := filepath.Join(dir, "acq.zip.age")
	os.WriteFile(agePath, enc.Bytes(), 0o600)

	var want map[string]string
	for _, tt := range []struct{ name, path string }{{"folder", folder}, {"zip", zipPath}, {"age", agePath}} {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Open(context.Background(), tt.path, Options{AgeIdentity: idPath, TempRoot: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			d := ev.Device
			if d.Model != "Pixel 9" || d.OSVersion != "16" || d.TimeZone != "America/Mexico_City" || d.ID != "ABC123" ||
				d.Acquired == nil || d.Acquired.Format("2006-01-02T15:04:05.0") != "2026-03-01T10:00:00.5" || d.Extra["security_patch"] != "2025-01-05" {
				t.Fatalf("device = %+v", d)
			}
			got := snapshot(t, ev)
			if got[BackupMount+"/apps/com.android.providers.telephony/d_f/000000_sms_backup"] != "sms" {
				t.Fatalf("backup not mounted: %v", ev.Files())
			}
			if want == nil {
				want = got
			} else if !reflect.DeepEqual(got, want) {
				t.Fatalf("tree differs from the folder's:\n%v\n%v", got, want)
			}
		})
	}

	other, _ := age.GenerateX25519Identity()
	otherPath := filepath.Join(dir, "other.txt")
	os.WriteFile(otherPath, []byte(other.String()), 0o600)
	if _, err := Open(context.Background(), agePath, Options{AgeIdentity: otherPath, TempRoot: dir}); !errors.Is(err, ErrWrongIdentity) {
		t.Fatalf("wrong identity: err = %v", err)
	}
	if _, err := Open(context.Background(), agePath, Options{TempRoot: dir}); !errors.Is(err, ErrIdentityNeeded) {
		t.Fatalf("no identity: err = %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "huella-android-*")); len(left) != 0 {
		t.Fatalf("temporary folders left behind: %v", left)
	}
}

func TestEncryptedBackupNeedsPassword(t *testing.T) {
	dir := t.TempDir()
	writeDir(t, dir, acquisition(t, "s3cret"))
	tests := []struct {
		pw      string
		mounted bool
		cause   coverage.Cause
	}{
		{"", false, coverage.Encrypted},
		{"bad", false, coverage.WrongPassword},
		{"s3cret", true, ""},
	}
	for _, tt := range tests {
		t.Setenv(androidab.PasswordEnv, "")
		ev, err := Open(context.Background(), dir, Options{BackupPassword: tt.pw, TempRoot: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		_, statErr := fs.Stat(ev.FS, BackupMount+"/apps")
		if (statErr == nil) != tt.mounted {
			t.Errorf("password %q: mounted = %v", tt.pw, statErr == nil)
		}
		// A backup that cannot be opened is a gap (not a mere note): it
		// makes the outcome incomplete and says how to fix it.
		switch {
		case tt.cause == "" && len(ev.Gaps) > 0:
			t.Errorf("password %q: gaps = %+v", tt.pw, ev.Gaps)
		case tt.cause != "" && (len(ev.Gaps) != 1 || ev.Gaps[0].Cause != tt.cause || !strings.HasPrefix(ev.Gaps[0].Part, "backup.ab")):
			t.Errorf("password %q: gaps = %+v, want one %s gap naming backup.ab", tt.pw, ev.Gaps, tt.cause)
		}
		ev.Close()
	}
}

func TestOpenAnyKinds(t *testing.T) {
	dir := t.TempDir()
	qf := filepath.Join(dir, "qf")
	writeDir(t, qf, map[string][]byte{"getprop.txt": []byte("[a]: [b]\n")})
	br := filepath.Join(dir, "bugreport-x.zip")
	writeZip(t, br, "", map[string][]byte{
		"main_entry.txt":  []byte("dumpstate.txt\n"),
		"dumpstate.txt":   []byte("x\n------ SYSTEM PROPERTIES (getprop) ------\n[persist.sys.timezone]: [Europe/Madrid]\n[ro.product.model]: [SM-X]\n------ 0.1s was the duration\n"),
		"FS/data/a.txt":   []byte("a"),
		"version.txt":     []byte("2.0"),
		"dumpstate_board": []byte(""),
	})
	il := filepath.Join(dir, "il")
	writeDir(t, il, map[string][]byte{"2026/logs.txt": []byte(`{"dns_event":{"event_time":1,"hostname":"a.b"}}` + "\n")})
	ab := filepath.Join(dir, "b.ab")
	os.WriteFile(ab, abWith(t, map[string]string{"apps/x/f": "1"}, ""), 0o600)
	notEvidence := filepath.Join(dir, "nothing")
	writeDir(t, notEvidence, map[string][]byte{"readme.txt": []byte("hi")})

	tests := []struct {
		path string
		want source.Kind
	}{{qf, source.AndroidQF}, {br, source.Bugreport}, {il, source.IntrusionLogs}, {ab, source.AndroidBackup}, {notEvidence, ""}}
	for _, tt := range tests {
		ev, err := OpenAny(context.Background(), tt.path, "", Options{TempRoot: t.TempDir()})
		if tt.want == "" {
			if err == nil {
				ev.Close()
				t.Errorf("%s: opened as %s, want an error", tt.path, ev.Kind)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		if ev.Kind != tt.want {
			t.Errorf("%s: kind %s, want %s", tt.path, ev.Kind, tt.want)
		}
		if tt.want == source.Bugreport && (ev.Device.TimeZone != "Europe/Madrid" || ev.Device.Model != "SM-X") {
			t.Errorf("bugreport device = %+v", ev.Device)
		}
		ev.Close()
	}
}

func TestParseGetprop(t *testing.T) {
	in := "[a.b]: [1]\ngarbage\n[]: [x]\n[c]: []\n  [d]: [with ] bracket]\n"
	got, err := ParseGetprop(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Prop{{"a.b", "1"}, {"c", ""}, {"d", "with ] bracket"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func FuzzParseGetprop(f *testing.F) {
	f.Add("[a]: [b]\n[c]: [d")
	f.Fuzz(func(t *testing.T, s string) {
		props, _ := ParseGetprop(strings.NewReader(s))
		// What the reader bounds: the number of properties, and each line
		// (name and value) within the scanner's 1 MiB.
		if len(props) > maxProps {
			t.Fatalf("%d properties, over the limit", len(props))
		}
		for _, p := range props {
			if p.Name == "" {
				t.Fatal(fmt.Sprint("empty name from ", s))
			}
			if len(p.Name)+len(p.Value) > 1<<20 {
				t.Fatalf("a property of %d bytes", len(p.Name)+len(p.Value))
			}
		}
	})
}

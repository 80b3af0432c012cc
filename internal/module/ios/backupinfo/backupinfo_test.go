package backupinfo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source/iosbackup"
	"github.com/huella-project/huella/internal/source/iosbackup/iosbackuptest"
	"github.com/huella-project/huella/internal/testutil"
)

func runBackup(t *testing.T, dir string) (*moduletest.Sink, error) {
	t.Helper()
	ev, err := iosbackup.Open(context.Background(), dir, iosbackup.Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	return moduletest.Run(t, Def(), ev)
}

func TestBackupInfo(t *testing.T) {
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name    string
		info    map[string]any
		summary string
		check   map[string]any
		stamps  int
	}{
		{"full", map[string]any{"Device Name": "Ana", "Product Type": "iPhone9,3", "Product Version": "14.3", "Build Version": "18C66",
			"IMEI": "42", "Last Backup Date": when, "Installed Applications": []any{"net.whatsapp.WhatsApp", "com.google.Gmail"}},
			`Backup of "Ana" iPhone9,3 iOS 14.3 (18C66)`, map[string]any{"IMEI": "42", "Serial Number": nil}, 1},
		{"empty", map[string]any{}, "Backup with an empty Info.plist", map[string]any{"Device Name": nil}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			iosbackuptest.Backup{Info: c.info}.Write(t, dir)
			s, err := runBackup(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != 1 {
				t.Fatalf("%d records", len(s.Records))
			}
			r := s.Records[0]
			if r.Summary != c.summary || len(r.Times) != c.stamps {
				t.Errorf("record %+v", r)
			}
			d := r.Data.(map[string]any)
			for k, v := range c.check {
				if d[k] != v {
					t.Errorf("%s = %v, want %v", k, d[k], v)
				}
			}
			if _, ok := d["Installed Applications"]; !ok {
				t.Error("missing key not kept as null")
			}
		})
	}
}

func TestConformanceMVT(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/ios_backup")
	s, err := runBackup(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	d := s.Records[0].Data.(map[string]any)
	if d["Build Version"] != "18C66" || d["IMEI"] != "42" {
		t.Errorf("data %v", d)
	}
	if apps, _ := d["Installed Applications"].([]string); len(apps) != 6 {
		t.Errorf("apps %v", d["Installed Applications"])
	}
}

func TestAbsent(t *testing.T) {
	dir := t.TempDir()
	iosbackuptest.Backup{}.Write(t, dir)
	ev, err := iosbackup.Open(context.Background(), dir, iosbackup.Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	ev.FS = emptyFS{}
	_, err = moduletest.Run(t, Def(), ev)
	if !errors.Is(err, module.ErrAbsent) {
		t.Fatalf("err = %v", err)
	}
}

// TestImpossibleBackupDateKeptRaw: a Last Backup Date past 2100, which the
// plist decoder hands over as its Cocoa seconds, is kept as stored on the
// record, not turned into no date.
func TestImpossibleBackupDateKeptRaw(t *testing.T) {
	r := Build(map[string]any{"Device Name": "x", "Last Backup Date": 4.7e9})
	moduletest.KeepsRaw(t, r, map[string]string{"backup": "4.7e+09"})
}

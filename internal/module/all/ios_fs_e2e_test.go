package all_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/detect"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/all"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/opener"
)

var t0 = time.Date(2023, 6, 1, 10, 0, 0, 0, time.UTC)

func mac(t time.Time) float64 { return float64(t.Unix() - 978307200) }

// dump builds a file-system dump with the three quiet traces Kaspersky's
// triangle_check joins: an ImageIO preference change, first network use by
// a process, and a location bundle stopping. infected packs them into two
// minutes with the implant's process name; the clean twin uses iOS's own
// BackupAgent2 and a location stop weeks earlier.
func dump(t *testing.T, infected bool) string {
	t.Helper()
	dir := t.TempDir()
	old := t0.Add(-40 * 24 * time.Hour)
	proc, stopped := "BackupAgent2", t0.Add(-20*24*time.Hour)
	if infected {
		proc, stopped = "BackupAgent", t0.Add(2*time.Minute)
	}
	moduletest.File(t, dir, "private/var/mobile/Library/SMS/sms.db-placeholder", []byte("x"))
	moduletest.Plist(t, dir, "private/var/root/Library/Preferences/com.apple.ImageIO.plist", map[string]any{"k": 1})
	moduletest.Plist(t, dir, "private/var/root/Library/Caches/locationd/clients.plist", map[string]any{
		"com.apple.locationd.bundle-/System/Library/LocationBundles/IonosphereHarvest.bundle": map[string]any{
			"BundlePath": "/System/Library/LocationBundles/IonosphereHarvest.bundle", "LocationTimeStopped": mac(stopped)},
	})
	db := moduletest.SQLite(t, dir, "private/var/networkd/netusage.sqlite",
		"CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR)",
		"CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS INTEGER, ZTIMESTAMP TIMESTAMP, ZWWANIN FLOAT, ZWWANOUT FLOAT)")
	moduletest.Exec(t, db, "INSERT INTO ZPROCESS VALUES (1, ?, ?, NULL, ?)", mac(t0.Add(time.Minute)), mac(t0.Add(90*time.Second)), proc)
	moduletest.Exec(t, db, "INSERT INTO ZLIVEUSAGE VALUES (1, 1, ?, 10, 20)", mac(t0.Add(90*time.Second)))
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	pl := filepath.Join(dir, "private/var/root/Library/Preferences/com.apple.ImageIO.plist")
	os.Chtimes(pl, t0, t0)
	return pack(t, dir)
}

// pack writes dir as a .tar.gz the way an extraction tool would.
func pack(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "dump.tar.gz")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			in, err := os.Open(p)
			if err != nil {
				return err
			}
			defer in.Close()
			_, err = io.Copy(tw, in)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tw.Close()
	zw.Close()
	f.Close()
	return out
}

func runDump(t *testing.T, p string) *scan.Result {
	t.Helper()
	return runKind(t, p, source.IOSFS, "")
}

func runDump2(t *testing.T, p string) *scan.Result {
	t.Helper()
	return runKind(t, p, source.IOSSysdiagnose, "Europe/Madrid")
}

// runKind opens p as the user would, checks its detected kind and zone, and
// runs every applicable module with the correlation engine.
func runKind(t *testing.T, p string, kind source.Kind, tz string) *scan.Result {
	t.Helper()
	ev, err := opener.Open(context.Background(), p, opener.Options{TempRoot: t.TempDir(), NoHash: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if ev.Kind != kind || ev.Device.TimeZone != tz {
		t.Fatalf("opened as %s, zone %q", ev.Kind, ev.Device.TimeZone)
	}
	var mods []module.Def
	for _, m := range all.Modules() {
		if m.Applies(ev.Kind) {
			mods = append(mods, m)
		}
	}
	res, err := scan.Run(context.Background(), scan.Options{Evidence: ev, Modules: mods, OutDir: t.TempDir(), Workers: 1, Correlate: detect.Rules})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestTriangleOnFileSystemDump(t *testing.T) {
	for _, c := range []struct {
		name     string
		infected bool
	}{{"infected", true}, {"clean twin", false}} {
		t.Run(c.name, func(t *testing.T) {
			res := runDump(t, dump(t, c.infected))
			var tri []model.Detection
			for _, d := range res.Detections {
				if d.Rule == "correlation.triangle.window" {
					tri = append(tri, d)
				}
			}
			for _, m := range res.Modules {
				if (m.Name == "ios.filesystem" || m.Name == "ios.netusage" || m.Name == "ios.locationd_clients") && (m.Status != results.StatusParsed || m.Records == 0) {
					t.Errorf("module %s: %+v", m.Name, m)
				}
			}
			if c.infected && len(tri) != 1 {
				t.Fatalf("want one triangle finding, got %d (%d detections)", len(tri), len(res.Detections))
			}
			if !c.infected && len(tri) != 0 {
				t.Fatalf("clean twin raised %+v", tri)
			}
			if c.infected && len(tri[0].Related) < 3 {
				t.Errorf("finding joins %d events: %+v", len(tri[0].Related), tri[0].Related)
			}
		})
	}
}

package androidqf

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/huella-project/huella/internal/testutil"
)

// getprop.txt and a bug report's dumpstate saved through a Windows shell
// (UTF-16 with or without a byte-order mark, CRLF) give the device the same
// model, time zone and patch level as the phone's own UTF-8.
func TestWindowsSavedGetpropAndDumpstate(t *testing.T) {
	const props = "[ro.product.model]: [Pixel 9]\n[ro.build.version.release]: [16]\n[persist.sys.timezone]: [America/Mexico_City]\n[ro.build.version.security_patch]: [2025-01-05]\n"
	const dumpstate = "== dumpstate: 2026-01-02\n------ SYSTEM PROPERTIES (getprop) ------\n[persist.sys.timezone]: [Europe/Madrid]\n[ro.product.model]: [SM-X]\n------ 0.1s was the duration\n"
	for _, enc := range testutil.WindowsEncodings {
		t.Run(enc, func(t *testing.T) {
			dir := t.TempDir()
			qf := filepath.Join(dir, "qf")
			writeDir(t, qf, map[string][]byte{"getprop.txt": []byte(testutil.SavedOnWindows(t, props, enc)), "packages.json": []byte("[]")})
			ev, err := OpenAny(context.Background(), qf, "", Options{TempRoot: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Device.Model != "Pixel 9" || ev.Device.TimeZone != "America/Mexico_City" || ev.Device.OSVersion != "16" {
				t.Errorf("androidqf device = %+v", ev.Device)
			}
			ev.Close()

			br := filepath.Join(dir, "bugreport-x.zip")
			writeZip(t, br, "", map[string][]byte{
				"main_entry.txt": []byte("dumpstate.txt\n"),
				"dumpstate.txt":  []byte(testutil.SavedOnWindows(t, dumpstate, enc)),
				"version.txt":    []byte("2.0"),
			})
			ev, err = OpenAny(context.Background(), br, "", Options{TempRoot: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Device.Model != "SM-X" || ev.Device.TimeZone != "Europe/Madrid" {
				t.Errorf("bug report device = %+v", ev.Device)
			}
			ev.Close()
		})
	}
}

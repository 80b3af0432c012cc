package opener

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/all"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/phoneexport"
)

// sample writes a phone-export sample with planted traces and returns its
// evidence path.
func sample(t *testing.T, kind string) string {
	t.Helper()
	o := samplegen.Scaled(200, 3)
	o.Plant = true
	exp, err := samplegen.GeneratePhoneExport(kind, filepath.Join(t.TempDir(), "s"), o)
	if err != nil {
		t.Fatal(err)
	}
	return exp.Evidence
}

// unzip extracts a test zip into dir.
func unzip(t *testing.T, zipPath, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// zipOf packs files (name -> path on disk) into a new zip, each name
// prefixed.
func zipOf(t *testing.T, out, prefix string, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		b, err := os.ReadFile(files[n])
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(prefix + n)
		w.Write(b)
	}
	zw.Close()
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// dirFiles maps the regular files below dir to their paths.
func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = p
		}
		return nil
	})
	return out
}

func openKind(t *testing.T, p string) (*source.Evidence, error) {
	t.Helper()
	return Open(context.Background(), p, Options{TempRoot: t.TempDir()})
}

// Each export a phone makes on its own is recognised by content, with no
// --type, in every way a person may pass it on: the file itself, a folder
// holding it, a zip of it, a zip wrapping a folder.
func TestPhoneExportsRecognisedWithoutType(t *testing.T) {
	type layout struct {
		name string
		path func(t *testing.T) string
	}
	tmp := func(t *testing.T, name string) string { return filepath.Join(t.TempDir(), name) }
	cases := map[source.Kind][]layout{
		source.IOSAppPrivacyReport: {
			{"the .ndjson the phone saves", func(t *testing.T) string { return sample(t, samplegen.SampleAppPrivacyReport) }},
			{"renamed .txt", func(t *testing.T) string {
				p := tmp(t, "report.txt")
				b, _ := os.ReadFile(sample(t, samplegen.SampleAppPrivacyReport))
				os.WriteFile(p, b, 0o644)
				return p
			}},
			{"a folder holding it", func(t *testing.T) string { return filepath.Dir(sample(t, samplegen.SampleAppPrivacyReport)) }},
			{"a zip of a folder holding it", func(t *testing.T) string {
				p := sample(t, samplegen.SampleAppPrivacyReport)
				return zipOf(t, tmp(t, "report.zip"), "Report/", map[string]string{filepath.Base(p): p})
			}},
		},
		source.IOSSafariExport: {
			{"the zip Safari writes", func(t *testing.T) string { return sample(t, samplegen.SampleSafariExport) }},
			{"the zip unpacked", func(t *testing.T) string {
				d := tmp(t, "export")
				unzip(t, sample(t, samplegen.SampleSafariExport), d)
				return d
			}},
			{"a zip wrapping the folder", func(t *testing.T) string {
				d := tmp(t, "export")
				unzip(t, sample(t, samplegen.SampleSafariExport), d)
				return zipOf(t, tmp(t, "again.zip"), "Safari Export/", dirFiles(t, d))
			}},
			{"History.json alone", func(t *testing.T) string {
				d := tmp(t, "export")
				unzip(t, sample(t, samplegen.SampleSafariExport), d)
				return filepath.Join(d, "History.json")
			}},
		},
		source.IOSCrashReports: {
			{"a zip of .ips files", func(t *testing.T) string { return sample(t, samplegen.SampleCrashReports) }},
			{"a folder of them", func(t *testing.T) string {
				d := tmp(t, "crashes")
				unzip(t, sample(t, samplegen.SampleCrashReports), d)
				return d
			}},
			{"one .ips", func(t *testing.T) string {
				d := tmp(t, "crashes")
				unzip(t, sample(t, samplegen.SampleCrashReports), d)
				ms, _ := filepath.Glob(filepath.Join(d, "bh-*.ips"))
				return ms[0]
			}},
			{"one text .crash", func(t *testing.T) string {
				d := tmp(t, "crashes")
				unzip(t, sample(t, samplegen.SampleCrashReports), d)
				ms, _ := filepath.Glob(filepath.Join(d, "*.crash"))
				return ms[0]
			}},
		},
		source.Bugreport: {
			{"bugreport-<device>-<build>-<date>.zip as shared", func(t *testing.T) string { return sample(t, samplegen.SampleAndroidBugreport) }},
			{"that zip wrapped in another zip", func(t *testing.T) string {
				p := sample(t, samplegen.SampleAndroidBugreport)
				return zipOf(t, tmp(t, "shared.zip"), "", map[string]string{filepath.Base(p): p})
			}},
			{"that zip in a wrapped folder of a zip", func(t *testing.T) string {
				p := sample(t, samplegen.SampleAndroidBugreport)
				return zipOf(t, tmp(t, "shared.zip"), "from phone/", map[string]string{filepath.Base(p): p})
			}},
			{"a folder holding that zip", func(t *testing.T) string { return filepath.Dir(sample(t, samplegen.SampleAndroidBugreport)) }},
			{"the dumpstate text alone", func(t *testing.T) string {
				d := tmp(t, "br")
				unzip(t, sample(t, samplegen.SampleAndroidBugreport), d)
				ms, _ := filepath.Glob(filepath.Join(d, "bugreport-*.txt"))
				return ms[0]
			}},
		},
		source.IntrusionLogs: {
			{"Download/Intrusion Logging as copied", func(t *testing.T) string { return sample(t, samplegen.SampleIntrusionLogs) }},
			{"the zip the phone wrote", func(t *testing.T) string {
				ms, _ := filepath.Glob(filepath.Join(sample(t, samplegen.SampleIntrusionLogs), "*.zip"))
				return ms[0]
			}},
			{"a zip of the folder", func(t *testing.T) string {
				d := sample(t, samplegen.SampleIntrusionLogs)
				return zipOf(t, tmp(t, "il.zip"), "Intrusion Logging/", dirFiles(t, d))
			}},
			{"one day's .txt", func(t *testing.T) string {
				ms, _ := filepath.Glob(filepath.Join(sample(t, samplegen.SampleIntrusionLogs), "*.zip"))
				d := tmp(t, "days")
				unzip(t, ms[0], d)
				days, _ := filepath.Glob(filepath.Join(d, "*.txt"))
				return days[len(days)-1]
			}},
		},
	}
	for want, layouts := range cases {
		for _, l := range layouts {
			t.Run(string(want)+"/"+l.name, func(t *testing.T) {
				ev, err := openKind(t, l.path(t))
				if err != nil {
					t.Fatal(err)
				}
				defer ev.Close()
				if ev.Kind != want {
					t.Fatalf("recognised as %q, want %q", ev.Kind, want)
				}
				if len(ev.Files()) == 0 {
					t.Error("no file in the evidence tree")
				}
				if len(ev.Inputs) == 0 {
					t.Error("no input hashed")
				}
				if len(ev.GapList()) > 0 || len(ev.NoteList()) > 0 {
					t.Errorf("gaps %v, notes %v", ev.GapList(), ev.NoteList())
				}
			})
		}
	}
}

// Files shaped like a Safari export but not on the allow list are never
// taken for something else, and a single file named like a secret is
// refused unread.
func TestPhoneExportRefusals(t *testing.T) {
	dir := t.TempDir()
	// A localised export (Spanish names made up for the test): claimed as
	// a Safari export by its shape, then refused for want of History.json.
	loc := filepath.Join(dir, "exportación")
	os.Mkdir(loc, 0o755)
	for _, n := range []string{"Historial.json", "Contraseñas.csv", "Tarjetas de pago.json", "Marcadores.html"} {
		os.WriteFile(filepath.Join(loc, n), []byte(`{"dns_event":{"hostname":"x"}}`+"\n"), 0o644)
	}
	if _, err := openKind(t, loc); err == nil || !strings.Contains(err.Error(), "rename it to History.json") {
		t.Errorf("localised export: %v", err)
	}
	secret := filepath.Join(dir, "Passwords.csv")
	os.WriteFile(secret, []byte("Title,URL,Username,Password\n"), 0o644)
	if _, err := openKind(t, secret); err == nil || !strings.Contains(err.Error(), "never opens") {
		t.Errorf("Passwords.csv alone: %v", err)
	}
}

// spyFS records every file opened through it.
type spyFS struct {
	fs.FS
	mu     sync.Mutex
	opened []string
}

func (s *spyFS) Open(name string) (fs.File, error) {
	s.mu.Lock()
	s.opened = append(s.opened, name)
	s.mu.Unlock()
	return s.FS.Open(name)
}

// No file of a Safari export that may hold a secret is ever opened: not by
// detection (every detector, the intrusion-log sniffing included), not by
// the reader, not by any module that runs on the export. The tree is
// wrapped in a file system that records every Open.
func TestSafariSecretsNeverOpenedThroughTheTree(t *testing.T) {
	d := filepath.Join(t.TempDir(), "export")
	unzip(t, sample(t, samplegen.SampleSafariExport), d)
	m := fstest.MapFS{}
	for n, p := range dirFiles(t, d) {
		b, _ := os.ReadFile(p)
		m[n] = &fstest.MapFile{Data: b}
	}
	// Localised and profile-suffixed secrets too.
	m["Contraseñas.csv"] = &fstest.MapFile{Data: []byte("x")}
	m["PaymentCards - Work.json"] = &fstest.MapFile{Data: []byte("{}")}
	for _, shape := range []fs.FS{m, fstest.MapFS{"Contraseñas.csv": m["Contraseñas.csv"], "Tarjetas de pago.json": m["PaymentCards.json"], "Historial.json": m["History.json"]}} {
		spy := &spyFS{FS: shape}
		if k := Classify(spy); k != source.IOSSafariExport {
			t.Fatalf("classified as %q", k)
		}
		// (A file system without Stat is stat-ed by opening: names that
		// do not exist, and folders, show up; no file of the export may.)
		for _, n := range spy.opened {
			if fi, err := fs.Stat(shape, n); err == nil && !fi.IsDir() {
				t.Errorf("detection opened %s: a Safari export is recognised by its names", n)
			}
		}
	}
	spy := &spyFS{FS: m}
	ev := &source.Evidence{Kind: source.IOSSafariExport, FS: phoneexport.SafariFS(spy), TempDir: t.TempDir()}
	ran := 0
	for _, d := range all.Modules() {
		if !d.Applies(ev.Kind) {
			continue
		}
		ran++
		s, err := moduletest.Run(t, d, ev)
		if err != nil && d.Name == "ios.safari_export" {
			t.Fatalf("%s: %v", d.Name, err)
		}
		for _, a := range s.Artifacts {
			if !phoneexport.SafariAllowed(a) {
				t.Errorf("%s lists %s as read", d.Name, a)
			}
		}
		_ = module.ErrAbsent
	}
	if ran == 0 {
		t.Fatal("no module runs on a Safari export")
	}
	if len(ev.Files()) != 2 {
		t.Errorf("the tree shows %v, want History.json and Extensions.json only", ev.Files())
	}
	opened := map[string]bool{}
	for _, n := range spy.opened {
		opened[n] = true
	}
	for n := range m {
		if !phoneexport.SafariAllowed(n) && opened[n] {
			t.Errorf("%s was opened", n)
		}
	}
	if !opened["History.json"] {
		t.Errorf("History.json was not read: opened %v", spy.opened)
	}
}

// The same on disk, end to end through Open: the secret files are named
// pipes (opening one for reading would be refused and noted) or have no
// permission at all, yet the export opens with no note and no gap, and
// neither is hashed or listed among the inputs. A zip whose secret entries
// use a compression method no reader knows (opening one fails) opens
// cleanly too.
func TestSafariSecretsNeverOpenedOnDisk(t *testing.T) {
	src := sample(t, samplegen.SampleSafariExport)
	d := filepath.Join(t.TempDir(), "export")
	unzip(t, src, d)
	for _, n := range []string{"Passwords.csv", "PaymentCards.json"} {
		p := filepath.Join(d, n)
		os.Remove(p)
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("no named pipes here: %v", err)
		}
	}
	if err := os.Chmod(filepath.Join(d, "Bookmarks.html"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(d, "Bookmarks.html"), 0o644) })

	z := filepath.Join(t.TempDir(), "Safari Export.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if phoneexport.SafariAllowed(f.Name) {
			zw.Copy(f)
			continue
		}
		// Method 99 (AES, which archive/zip cannot read): opening the
		// entry fails, so any attempt would show as an error.
		w, _ := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: 99, CompressedSize64: 4, UncompressedSize64: 4, CRC32: 1})
		w.Write([]byte("nope"))
	}
	zr.Close()
	zw.Close()
	os.WriteFile(z, buf.Bytes(), 0o644)

	for _, p := range []string{d, z} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			ev, err := openKind(t, p)
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			if ev.Kind != source.IOSSafariExport {
				t.Fatalf("kind %q", ev.Kind)
			}
			if len(ev.NoteList()) > 0 || len(ev.GapList()) > 0 {
				t.Errorf("notes %v, gaps %v", ev.NoteList(), ev.GapList())
			}
			for _, in := range ev.Inputs {
				if b := path.Base(in.Path); b == "Passwords.csv" || b == "PaymentCards.json" || b == "Bookmarks.html" {
					t.Errorf("%s listed (and hashed) as an input", in.Path)
				}
			}
			if got := ev.Device.Extra[phoneexport.ExtraNotOpened]; got != "Bookmarks.html, Passwords.csv, PaymentCards.json" {
				t.Errorf("not opened: %q", got)
			}
			for _, d := range all.Modules() {
				if !d.Applies(ev.Kind) {
					continue
				}
				s, err := moduletest.Run(t, d, ev)
				if err != nil || len(s.Warnings) > 0 || len(s.Records) == 0 {
					t.Errorf("%s: err %v, warnings %v, %d records", d.Name, err, s.Warnings, len(s.Records))
				}
			}
			if len(ev.NoteList()) > 0 || len(ev.GapList()) > 0 {
				t.Errorf("after the modules: notes %v, gaps %v", ev.NoteList(), ev.GapList())
			}
		})
	}
}

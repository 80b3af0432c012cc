package cli

import (
	"bytes"
	"compress/zlib"
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source/androidab"
)

// world is one test's environment: its own data folder (feed cache), no
// indicators from the machine, no password in the environment, and a
// private temp folder that must be empty after every run.
type world struct {
	t    *testing.T
	data string
	tmp  string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, data: t.TempDir(), tmp: t.TempDir()}
	t.Setenv("HUELLA_DATA", w.data)
	t.Setenv("HUELLA_IOCS", "")
	t.Setenv("HUELLA_BACKUP_PASSWORD", "")
	t.Setenv("TMPDIR", w.tmp)
	return w
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) console() string { return r.stdout + r.stderr }

// huella runs the CLI in-process.
func (w *world) huella(stdin string, args ...string) result {
	w.t.Helper()
	return w.huellaWith(realDeps(), stdin, args...)
}

// huellaWith runs the CLI in-process with stand-ins for its deps.
func (w *world) huellaWith(d deps, stdin string, args ...string) result {
	w.t.Helper()
	var out, errb bytes.Buffer
	code := runWith(context.Background(), args, strings.NewReader(stdin), &out, &errb, d)
	// Subtests make their own Test* folders here; anything else is left
	// by huella.
	ents, _ := os.ReadDir(w.tmp)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "Test") {
			w.t.Errorf("%s: temporary file left: %s", strings.Join(args, " "), e.Name())
		}
	}
	return result{code, out.String(), errb.String()}
}

// withFeedCache puts a valid feed in the data folder, as 'huella iocs update'
// would, so a run has indicators without --iocs.
func (w *world) withFeedCache() {
	w.t.Helper()
	from := w.t.TempDir()
	if err := os.WriteFile(filepath.Join(from, "cached.stix2"), []byte(testBundle), 0o600); err != nil {
		w.t.Fatal(err)
	}
	if r := w.huella("", "iocs", "update", "--from", from); r.code != 0 {
		w.t.Fatalf("iocs update --from: %d %s", r.code, r.console())
	}
}

func iosBackup(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "backup")
	o := samplegen.Scaled(40, 7)
	if _, err := samplegen.GenerateIOSBackup(dir, o); err != nil {
		t.Fatal(err)
	}
	return dir
}

// androidQF writes an androidqf acquisition; with abPassword set, it holds
// an encrypted backup.ab with one SMS backup file.
func androidQF(t *testing.T, abPassword string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "androidqf")
	if _, err := samplegen.GenerateAndroidQF(dir, samplegen.Scaled(40, 3)); err != nil {
		t.Fatal(err)
	}
	if abPassword != "" {
		var tarball bytes.Buffer
		var sms bytes.Buffer
		zw := zlib.NewWriter(&sms)
		zw.Write([]byte(`[{"address":"+34600000000","body":"hola","date":"1600000000000","type":"1"}]`))
		zw.Close()
		writeTar(t, &tarball, map[string]string{"apps/com.android.providers.telephony/d_f/000000_sms_backup": sms.String()})
		var ab bytes.Buffer
		if err := androidab.Encrypt(&ab, tarball.Bytes(), abPassword, 5, false, 50, rand.New(rand.NewSource(1))); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "backup.ab"), ab.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// writeTree writes files (slash paths) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readInfo(t *testing.T, out string) results.Info {
	t.Helper()
	var info results.Info
	if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
		t.Fatal(err)
	}
	return info
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

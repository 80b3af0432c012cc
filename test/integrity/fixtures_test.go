package integrity

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/testutil"
)

// walDomain is in a message that lives only in sms.db-wal.
const walDomain = "wal-only.integrity.example"

// evidence is one fixture: Path is what huella is given, Root the folder
// snapshotted around it (the evidence itself, or the folder holding the file).
type evidence struct {
	Name     string
	Path     string
	Root     string
	Password string
	Backup   bool // an iOS backup: decrypt-backup applies
	Slow     bool // derives a 10,000,000-round key
}

// bundle writes the sample indicators plus one for the WAL-only domain.
func (s *sandbox) bundles() []string {
	s.t.Helper()
	d := s.dir("iocs")
	a := filepath.Join(d, "sample.stix2")
	if err := samplegen.WriteSampleIndicators(a); err != nil {
		s.t.Fatal(err)
	}
	b := filepath.Join(d, "wal.stix2")
	writeFile(s.t, b, []byte(fmt.Sprintf(`{"type":"bundle","id":"bundle--2","objects":[
 {"type":"malware","id":"malware--2","name":"WalSpy","is_family":true},
 {"type":"indicator","id":"indicator--2","pattern":"[domain-name:value='%s']","pattern_type":"stix","valid_from":"2021-01-01T00:00:00Z"},
 {"type":"relationship","id":"relationship--2","relationship_type":"indicates","source_ref":"indicator--2","target_ref":"malware--2"}]}`, walDomain)))
	return []string{a, b}
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func genIOSBackup(s *sandbox, name string, encrypt bool) evidence {
	root := s.dir(name)
	dir := s.dir(filepath.Join(name, "evidence"))
	o := samplegen.Scaled(40, 7)
	o.Plant = true
	o.Encrypt = encrypt
	exp, err := samplegen.GenerateIOSBackup(dir, o)
	if err != nil {
		s.t.Fatal(err)
	}
	return evidence{Name: name, Path: dir, Root: root, Password: exp.Password, Backup: true}
}

func genAndroidQF(s *sandbox, name string) evidence {
	root := s.dir(name)
	dir := s.dir(filepath.Join(name, "evidence"))
	o := samplegen.Scaled(40, 7)
	o.Plant = true
	if _, err := samplegen.GenerateAndroidQF(dir, o); err != nil {
		s.t.Fatal(err)
	}
	return evidence{Name: name, Path: dir, Root: root}
}

// walSMS writes an sms.db (plus -wal and -shm) whose second message exists
// only in the WAL: the writer is still open when the files are copied out,
// exactly as an acquisition of a live phone finds them.
func walSMS(t *testing.T, dst string) {
	t.Helper()
	ctx := context.Background()
	work := filepath.Join(filepath.Dir(dst), ".wal-build")
	defer os.RemoveAll(work)
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(work, "sms.db")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		"PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
		`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, date INTEGER, is_from_me INTEGER)`,
		`INSERT INTO message VALUES (1, 'main-row', 'hello from the main file', 588813210000000000, 0)`,
		"PRAGMA wal_checkpoint(TRUNCATE)",
		`INSERT INTO message VALUES (2, 'wal-row', 'open https://` + walDomain + `/x now', 588813310000000000, 0)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, suf := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(p + suf)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dst+suf, b)
	}
	if fi, err := os.Stat(dst + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("fixture has no WAL content: %v", err)
	}
}

// iosFSTree writes a small file-system dump with a WAL-mode sms.db.
func iosFSTree(t *testing.T, root string) {
	t.Helper()
	walSMS(t, filepath.Join(root, "private/var/mobile/Library/SMS/sms.db"))
	writeFile(t, filepath.Join(root, "private/var/mobile/Library/Preferences/com.apple.example.plist"), []byte(`<?xml version="1.0"?><plist version="1.0"><dict/></plist>`))
}

func genIOSFS(s *sandbox, name string) evidence {
	root := s.dir(name)
	dir := s.dir(filepath.Join(name, "evidence"))
	iosFSTree(s.t, dir)
	return evidence{Name: name, Path: dir, Root: root}
}

func genIOSFSTarGz(s *sandbox, name string) evidence {
	src := s.dir(name + "-src")
	iosFSTree(s.t, src)
	root := s.dir(name)
	p := filepath.Join(root, "dump.tar.gz")
	tarGz(s.t, src, p, "")
	return evidence{Name: name, Path: p, Root: root}
}

const psHeader = "USER               UID   PID  PPID  %CPU %MEM PRI  NI      VSZ    RSS WCHAN    TT  STAT STARTED      TIME COMMAND\n"

func genSysdiagnose(s *sandbox, name string) evidence {
	src := s.dir(name + "-src")
	top := filepath.Join(src, "sysdiagnose_2026.01.02_10-00-00-0000_iPhone-OS_iPhone_21A1")
	writeFile(s.t, filepath.Join(top, "sysdiagnose.log"), []byte("sysdiagnose started\n"))
	writeFile(s.t, filepath.Join(top, "ps.txt"), []byte(psHeader+
		"root                 0     1     0   0.0  0.1  31   0  4200000   9000 -        ??  Ss    9:41AM   0:00.10 /sbin/launchd\n"+
		"mobile             501   300     1   0.0  0.1  31   0  4200000   9000 -        ??  Ss    9:41AM   0:00.10 /private/var/tmp/bh\n"))
	root := s.dir(name)
	p := filepath.Join(root, "sysdiagnose_2026.01.02_10-00-00-0000_iPhone-OS_iPhone_21A1.tar.gz")
	tarGz(s.t, src, p, "")
	return evidence{Name: name, Path: p, Root: root}
}

func genIntrusion(s *sandbox, name string) evidence {
	root := s.dir(name)
	dir := s.dir(filepath.Join(name, "evidence"))
	writeFile(s.t, filepath.Join(dir, "intrusion_logs.jsonl"), []byte(
		`{"dns_event":{"event_time":1700000000000,"hostname":"`+samplegen.PlantedDomain+`.","package_name":"com.app","ip_addresses":["/198.51.100.1"]}}`+"\n"+
			`{"connect_event":{"event_time":1700000001000,"ip_address":"/198.51.100.1","port":443,"package_name":"com.app"}}`+"\n"))
	return evidence{Name: name, Path: dir, Root: root}
}

func genAndroidQFZip(s *sandbox, name string) evidence {
	src := genAndroidQF(s, name+"-src")
	root := s.dir(name)
	p := filepath.Join(root, "androidqf.zip")
	zipDir(s.t, src.Path, p)
	return evidence{Name: name, Path: p, Root: root}
}

// shared copies a fixture from ../shared into the sandbox (never run on
// the shared copy itself).
func shared(s *sandbox, name, rel, password string) (evidence, bool) {
	rec := &skipRecorder{TB: s.t}
	src := testutil.Shared(rec, rel)
	if rec.skipped {
		s.t.Logf("%s: %s", name, rec.why)
		return evidence{}, false
	}
	root := s.dir(name)
	fi, err := os.Stat(src)
	if err != nil {
		s.t.Fatal(err)
	}
	dst := filepath.Join(root, filepath.Base(src))
	if fi.IsDir() {
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			s.t.Fatal(err)
		}

	} else {
		copyFile(s.t, src, dst)
	}
	return evidence{Name: name, Path: dst, Root: root, Password: password}, true
}

// skipRecorder lets one missing fixture of ../shared drop that fixture only
// (testutil.Shared still fails under CI), not the generated ones beside it.
type skipRecorder struct {
	testing.TB
	skipped bool
	why     string
}

func (r *skipRecorder) Skipf(format string, a ...any) {
	r.skipped, r.why = true, fmt.Sprintf(format, a...)
}
func (r *skipRecorder) Skip(a ...any) { r.skipped, r.why = true, fmt.Sprint(a...) }
func (r *skipRecorder) SkipNow()      { r.skipped = true }

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, b)
}

func tarGz(t *testing.T, src, dst, prefix string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == src {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(filepath.Join(prefix, rel))
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
	for _, c := range []io.Closer{tw, zw, f} {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

func zipDir(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	if err := zw.AddFS(os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

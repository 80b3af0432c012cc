package hostile

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"compress/zlib"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// hostileCase is one crafted input. build writes it under dir and returns
// the path huella is given and, when the attack is on indicators, the
// indicator file to pass with --iocs.
type hostileCase struct {
	name string
	// mention must appear in stderr or info.json: the file or entry at fault.
	mention string
	// unreadable: nothing in it can be checked, so exit 2 is right.
	unreadable bool
	slow       bool
	// known names a reported, unfixed problem: the case is skipped while it
	// still fails and fails once it passes, so the mark cannot go stale.
	known string
	// env is added to huella's environment (a backup password).
	env []string
	// wantExit, when set, lists the acceptable exit statuses.
	wantExit []int
	// forbid must appear in no output file (text planted outside the
	// evidence that a followed link would have brought in).
	forbid string
	// needs says why the case cannot run here ("" when it can).
	needs func() string
	build func(t *testing.T, dir string) (evidence, iocs string)
}

const smsPath = "private/var/mobile/Library/SMS/sms.db"

var plistPaths = []string{
	"private/var/mobile/Library/Preferences/.GlobalPreferences.plist",
	"private/var/mobile/Library/Preferences/com.apple.identityservices.idstatuscache.plist",
	"private/var/mobile/Library/Caches/locationd/clients.plist",
	"private/var/mobile/Library/Preferences/com.apple.osanalytics.addaily.plist",
	"private/var/containers/Bundle/Application/0000-HOSTILE/iTunesMetadata.plist",
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// smsDB writes a valid sms.db of n messages whose texts come from text.
func smsDB(t *testing.T, p string, n int, text func(i int) string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, date INTEGER, is_from_me INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := tx.Exec(`INSERT INTO message VALUES (?, ?, ?, ?, 0)`, i, fmt.Sprintf("g%d", i), text(i), 588813210000000000+int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func plainText(i int) string { return fmt.Sprintf("message %d with https://site%d.example/page", i, i) }

// fsDump is a file-system dump whose sms.db is sound, so there is always
// something left to check beside the hostile file.
func fsDump(t *testing.T, dir string) string {
	root := filepath.Join(dir, "dump")
	smsDB(t, filepath.Join(root, smsPath), 20, plainText)
	return root
}

func mutateFile(t *testing.T, p string, f func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	write(t, p, f(b))
}

// sqliteCase breaks the sms.db of a dump that also holds a sound plist.
func sqliteCase(name string, f func([]byte) []byte) hostileCase {
	return hostileCase{name: name, mention: "sms.db", build: func(t *testing.T, dir string) (string, string) {
		root := filepath.Join(dir, "dump")
		smsDB(t, filepath.Join(root, smsPath), 2000, plainText)
		mutateFile(t, filepath.Join(root, smsPath), f)
		write(t, filepath.Join(root, plistPaths[0]), deepPlist(2))
		return root, ""
	}}
}

func plistCase(name string, body func() []byte) hostileCase {
	return hostileCase{name: name, mention: ".GlobalPreferences.plist", build: func(t *testing.T, dir string) (string, string) {
		root := fsDump(t, dir)
		b := body()
		for _, p := range plistPaths {
			write(t, filepath.Join(root, p), b)
		}
		return root, ""
	}}
}

type tarEntry struct {
	h    tar.Header
	body io.Reader
}

func writeTarGz(t *testing.T, p string, entries func(yield func(tarEntry) bool)) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	for e := range entries {
		h := e.h
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err = tw.WriteHeader(&h); err != nil {
			break
		}
		if e.body != nil {
			if _, err = io.Copy(tw, e.body); err != nil {
				break
			}
		}
	}
	for _, c := range []func() error{tw.Close, zw.Close, bw.Flush, f.Close} {
		if cerr := c(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

func fileEntry(name string, b []byte) tarEntry {
	return tarEntry{tar.Header{Name: name, Typeflag: tar.TypeReg, Size: int64(len(b))}, strings.NewReader(string(b))}
}

func soundSMS(t *testing.T, dir string) []byte {
	p := filepath.Join(dir, "build", "sms.db")
	smsDB(t, p, 20, plainText)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// zeros reads n zero bytes without holding them.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

func writeZip(t *testing.T, p string, add func(w *zip.Writer) error) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = add(zw)
	for _, c := range []func() error{zw.Close, f.Close} {
		if cerr := c(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

func zipFile(w *zip.Writer, name string, mode os.FileMode, body io.Reader) error {
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(mode)
	out, err := w.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, body)
	return err
}

const getprop = "[ro.build.version.release]: [14]\n[ro.product.model]: [Hostile]\n"

// abFile writes an Android backup: header lines then body.
func abFile(t *testing.T, p, header string, body func(w io.Writer) error) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.WriteString(f, header)
	if err == nil && body != nil {
		err = body(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func cases() []hostileCase {
	cs := boundedCases()
	cs = append(cs, []hostileCase{
		sqliteCase("sqlite truncated", func(b []byte) []byte { return b[:len(b)*6/10] }),
		sqliteCase("sqlite garbage after header", func(b []byte) []byte {
			for i := 100; i < len(b); i++ {
				b[i] = byte(i*131 + i>>7)
			}
			return b
		}),
		sqliteCase("sqlite page size 65536 on a small file", func(b []byte) []byte { b[16], b[17] = 0, 1; return b }),
		sqliteCase("sqlite page size not a power of two", func(b []byte) []byte { b[16], b[17] = 0x03, 0x00; return b }),
		sqliteCase("sqlite page count and freelist absurd", func(b []byte) []byte {
			copy(b[28:], []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 0x7f, 0xff, 0xff, 0xff})
			return b
		}),
		{name: "sqlite huge strings, NUL and invalid UTF-8", mention: "", build: func(t *testing.T, dir string) (string, string) {
			root := filepath.Join(dir, "dump")
			huge := strings.Repeat("https://x.example/\x00\xff\xfe", 64<<20/21)
			smsDB(t, filepath.Join(root, smsPath), 40, func(i int) string {
				if i%10 == 0 {
					return huge
				}
				return fmt.Sprintf("nul\x00here \xc3\x28 https://bad\xffhost.example/%d", i)
			})
			return root, ""
		}},
		plistCase("plist nested 100k deep (binary)", func() []byte { return deepPlist(100_000) }),
		plistCase("plist nested 100k deep (XML)", func() []byte { return deepXMLPlist(100_000) }),
		plistCase("plist referencing itself", cyclicPlist),
		plistCase("plist billion laughs", func() []byte { return laughsPlist(30) }),
		// A 60 MB string is valid: global prefs reads it; readers with a 32 MB cap refuse it.
		func() hostileCase {
			c := plistCase("plist 60 MB string with NUL and invalid UTF-8", func() []byte { return hugeStringPlist(60 << 20) })
			c.mention = "clients.plist"
			return c
		}(),
		// A dump's tar is indexed entry by entry, never extracted: names that
		// climb out are refused one by one (parts not checked naming them),
		// links and devices are listed and never followed, a leading "/" is
		// removed (GNU tar's convention); the rest is checked, so the run is
		// incomplete (3), not unreadable.
		{name: "tar with ../, absolute paths and link escapes", mention: "..", wantExit: []int{3}, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "dump.tar.gz")
			sms := soundSMS(t, dir)
			writeTarGz(t, p, func(yield func(tarEntry) bool) {
				_ = yield(fileEntry(smsPath, sms)) &&
					yield(fileEntry("../escape-dotdot.txt", []byte("x"))) &&
					yield(fileEntry("private/../../escape-inner.txt", []byte("x"))) &&
					yield(fileEntry("/tmp/escape-absolute.txt", []byte("x"))) &&
					yield(tarEntry{tar.Header{Name: "private/var/etc-link", Typeflag: tar.TypeSymlink, Linkname: "/etc"}, nil}) &&
					yield(fileEntry("private/var/etc-link/escape-through-link.txt", []byte("x"))) &&
					yield(tarEntry{tar.Header{Name: "private/var/up", Typeflag: tar.TypeSymlink, Linkname: "../../../.."}, nil}) &&
					yield(fileEntry("private/var/up/escape-up.txt", []byte("x"))) &&
					yield(tarEntry{tar.Header{Name: "private/var/passwd", Typeflag: tar.TypeLink, Linkname: "/etc/passwd"}, nil}) &&
					yield(tarEntry{tar.Header{Name: "private/var/hl-up", Typeflag: tar.TypeLink, Linkname: "../../../../etc/passwd"}, nil}) &&
					yield(tarEntry{tar.Header{Name: "private/var/dev", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}, nil})
			})
			return p, ""
		}},
		{name: "zip with ../, absolute paths and a symlink", mention: "..", build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "androidqf.zip")
			writeZip(t, p, func(w *zip.Writer) error {
				for _, e := range []struct {
					name string
					mode os.FileMode
					body string
				}{
					{"getprop.txt", 0o644, getprop},
					{"../escape-zip.txt", 0o644, "x"},
					{"/tmp/escape-zip-abs.txt", 0o644, "x"},
					{"..\\escape-zip-win.txt", 0o644, "x"},
					{"link", os.ModeSymlink | 0o777, "/etc/passwd"},
				} {
					if err := zipFile(w, e.name, e.mode, strings.NewReader(e.body)); err != nil {
						return err
					}
				}
				return nil
			})
			return p, ""
		}},
		{name: "zip bomb (2 GB files.json)", mention: "files.json", slow: true, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "androidqf.zip")
			writeZip(t, p, func(w *zip.Writer) error {
				if err := zipFile(w, "getprop.txt", 0o644, strings.NewReader(getprop)); err != nil {
					return err
				}
				return zipFile(w, "files.json", 0o644, io.MultiReader(strings.NewReader("["), &zeros{2 << 30}))
			})
			return p, ""
		}},
		// Over the temporary disk budget (max(4 × its 1 MB, 1 GiB)): refused
		// from its headers before anything is written.
		{name: "gzip bomb (1 GB tar entry)", mention: "temporary disk", unreadable: true, slow: true, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "dump.tar.gz")
			sms := soundSMS(t, dir)
			writeTarGz(t, p, func(yield func(tarEntry) bool) {
				_ = yield(fileEntry(smsPath, sms)) &&
					yield(tarEntry{tar.Header{Name: "private/var/mobile/Library/Preferences/.GlobalPreferences.plist", Typeflag: tar.TypeReg, Size: 1 << 30}, &zeros{1 << 30}})
			})
			return p, ""
		}},
		// Over the sysdiagnose entry limit, the archive is refused whole from
		// its headers alone, before anything is written (SECURITY.md).
		{name: "tar with 1,000,000 entries", mention: "more than 250000 entries", unreadable: true, slow: true,
			build: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "sysdiagnose_2026.01.01_00-00-00-0000_iPhone-OS_iPhone_21A1.tar.gz")
				writeTarGz(t, p, func(yield func(tarEntry) bool) {
					if !yield(fileEntry("sysdiagnose_x/sysdiagnose.log", []byte("started\n"))) {
						return
					}
					for i := 0; i < 1_000_000; i++ {
						if !yield(tarEntry{tar.Header{Name: fmt.Sprintf("sysdiagnose_x/logs/d%03d/f%d", i%1000, i), Typeflag: tar.TypeReg}, nil}) {
							return
						}
					}
				})
				return p, ""
			}},
		// Its one entry is no file a module reads: nothing can be checked,
		// and the outcome says so (exit 2), once the bomb is defused.
		{name: "ab zlib bomb", mention: "", unreadable: true, slow: true, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "backup.ab")
			abFile(t, p, "ANDROID BACKUP\n5\n1\nnone\n", func(w io.Writer) error {
				zw, _ := zlib.NewWriterLevel(w, zlib.BestCompression)
				tw := tar.NewWriter(zw)
				const n = 1 << 30
				if err := tw.WriteHeader(&tar.Header{Name: "apps/com.android.providers.telephony/d_f/big", Typeflag: tar.TypeReg, Size: n, Mode: 0o644}); err != nil {
					return err
				}
				if _, err := io.Copy(tw, &zeros{n}); err != nil {
					return err
				}
				if err := tw.Close(); err != nil {
					return err
				}
				return zw.Close()
			})
			return p, ""
		}},
	}...)
	for _, h := range []struct{ name, header string }{
		{"ab version 999", "ANDROID BACKUP\n999\n1\nnone\n"},
		{"ab compression flag 7", "ANDROID BACKUP\n5\n7\nnone\n"},
		{"ab unknown cipher", "ANDROID BACKUP\n5\n1\nROT13\n"},
		{"ab 2^31 PBKDF2 rounds", "ANDROID BACKUP\n5\n1\nAES-256\n00\n00\n2147483647\n00\n" + strings.Repeat("ab", 64) + "\n"},
		{"ab salt not hex", "ANDROID BACKUP\n5\n1\nAES-256\nzz\nzz\n10000\nzz\nzz\n"},
		{"ab 64 MB header line", "ANDROID BACKUP\n5\n1\nAES-256\n" + strings.Repeat("0", 64<<20)},
		{"ab empty", ""},
		{"ab magic only", "ANDROID BACKUP\n"},
	} {
		cs = append(cs, hostileCase{name: h.name, mention: "backup.ab", unreadable: true, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "backup.ab")
			abFile(t, p, h.header, func(w io.Writer) error {
				_, err := w.Write([]byte("\x78\x9c garbage"))
				return err
			})
			return p, ""
		}})
	}
	for _, s := range []struct {
		name string
		body func(w io.Writer) error
	}{
		{"stix 100 MB string", func(w io.Writer) error {
			fmt.Fprint(w, `{"type":"bundle","id":"bundle--1","objects":[{"type":"malware","id":"malware--1","name":"`)
			if _, err := io.Copy(w, io.LimitReader(repeatReader('A'), 100<<20)); err != nil {
				return err
			}
			_, err := fmt.Fprint(w, `"},{"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='`+strings.Repeat("a.", 1<<20)+`example']","pattern_type":"stix","valid_from":"2021-01-01T00:00:00Z"}]}`)
			return err
		}},
		{"stix nested 100k deep", func(w io.Writer) error {
			_, err := fmt.Fprint(w, `{"type":"bundle","id":"bundle--1","objects":[`+strings.Repeat(`{"a":[`, 100_000)+strings.Repeat(`]}`, 100_000)+`]}`)
			return err
		}},
		{"stix pattern nested 100k deep", func(w io.Writer) error {
			_, err := fmt.Fprint(w, `{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","id":"indicator--1","pattern_type":"stix","valid_from":"2021-01-01T00:00:00Z","pattern":"`+strings.Repeat("(", 100_000)+`[domain-name:value='a.example']`+strings.Repeat(")", 100_000)+`"}]}`)
			return err
		}},
	} {
		// Valid JSON that is merely huge or deep loads (unknown shapes are
		// skipped, unevaluable patterns listed in command.log): no error is
		// owed, only bounds. An exit 2 must still name the file.
		cs = append(cs, hostileCase{name: s.name, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "hostile.stix2")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			bw := bufio.NewWriter(f)
			err = s.body(bw)
			if ferr := bw.Flush(); err == nil {
				err = ferr
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			return fsDump(t, dir), p
		}})
	}
	return cs
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

var _ = context.Background

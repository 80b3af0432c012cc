package hostile

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source/iosbackup/iosbackuptest"
	"github.com/huella-project/huella/internal/testutil"
)

// The cases of this file each hold one class of input that, before the
// bounded reader, the temporary disk budget, the SQLite policy and the
// deadlines, made huella allocate gigabytes, hang past its time limits,
// fill the disk, spin or read outside the evidence. Each is small by
// construction: sparse files, declared sizes that are never honoured,
// refusals before anything is allocated.

const (
	gib    = int64(1) << 30
	huge   = 15 * gib / 2 // 7.5 GiB, the size the crafted entries declare
	prefix = "private/var/containers/Shared/SystemGroup/0000-HOSTILE/Library/ConfigurationProfiles/"
)

// sparse writes a file of size bytes that holds no data (no disk used).
func sparse(t *testing.T, p string, size int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func mkfifoAt(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(p); err != nil {
		t.Fatal(err)
	}
}

func unixOnly() string {
	if runtime.GOOS == "windows" {
		return "no named pipes or links to devices here"
	}
	return ""
}

// lyingEntry adds a zip entry whose header declares size bytes while its
// data is a few bytes of deflate.
func lyingEntry(w *zip.Writer, name string, size int64, body string) error {
	var data bytes.Buffer
	fw, _ := flate.NewWriter(&data, flate.BestSpeed)
	io.WriteString(fw, body)
	fw.Close()
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, UncompressedSize64: uint64(size), CompressedSize64: uint64(data.Len())}
	h.SetMode(0o644)
	out, err := w.CreateRaw(h)
	if err != nil {
		return err
	}
	_, err = out.Write(data.Bytes())
	return err
}

// walSMS writes sms.db and its -wal as SQLite leaves them while open: the
// newest message only in the WAL.
func walSMS(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	build := filepath.Join(t.TempDir(), "sms.db")
	db, err := sql.Open("sqlite", build+"?_pragma=journal_mode(wal)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, date INTEGER, is_from_me INTEGER)`,
		`INSERT INTO message VALUES (1, 'g1', 'in the database https://main-row.example/', 588813210000000000, 0)`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
		`INSERT INTO message VALUES (2, 'g2', 'only in the WAL https://wal-row.example/', 588813220000000000, 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, suf := range []string{"", "-wal"} {
		b, err := os.ReadFile(build + suf)
		if err != nil {
			t.Fatal(err)
		}
		write(t, p+suf, b)
	}
}

// exec runs statements on a database file (test fixtures only).
func execSQL(t *testing.T, p string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// sparseCopy copies src to dst leaving every all-zero 4 KiB block as a hole,
// so a database of mostly zeros takes little disk.
func sparseCopy(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	zero := make([]byte, 4096)
	var off int64
	for {
		n, err := io.ReadFull(in, buf)
		if n > 0 && !bytes.Equal(buf[:n], zero[:n]) {
			if _, werr := out.WriteAt(buf[:n], off); werr != nil {
				t.Fatal(werr)
			}
		}
		off += int64(n)
		if err != nil {
			break
		}
	}
	if err := out.Truncate(off); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// backup writes a small plain iOS backup (an sms.db with one message) and
// returns its folder.
func backup(t *testing.T, dir string, password string) string {
	t.Helper()
	smsPath := filepath.Join(t.TempDir(), "sms.db")
	smsDB(t, smsPath, 5, plainText)
	sms, err := os.ReadFile(smsPath)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "backup")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	iosbackuptest.Backup{Password: password, Files: []iosbackuptest.File{
		{Domain: "HomeDomain", Path: "Library/SMS", Flags: 2},
		{Domain: "HomeDomain", Path: "Library/SMS/sms.db", Flags: 1, Content: sms},
	}}.Write(t, root)
	return root
}

// paxSparse appends PAX (GNU 1.0) sparse entries to a tar being written:
// a few hundred bytes in the archive each, expanding to size bytes. Go's
// tar writer does not write sparse entries, so their blocks are laid out
// here, after w has been flushed.
func paxSparse(t *testing.T, buf *bytes.Buffer, entries map[string]int64) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		size := entries[name]
		var recs strings.Builder
		for _, kv := range [][2]string{{"GNU.sparse.major", "1"}, {"GNU.sparse.minor", "0"}, {"GNU.sparse.name", name}, {"GNU.sparse.realsize", fmt.Sprint(size)}} {
			rec := " " + kv[0] + "=" + kv[1] + "\n"
			n := len(rec) + len(fmt.Sprint(len(rec)))
			if len(fmt.Sprint(n)) != len(fmt.Sprint(len(rec))) {
				n++
			}
			fmt.Fprintf(&recs, "%d%s", n, rec)
		}
		testutil.TarBlock(buf, testutil.TarHeader("PaxHeaders/"+path.Base(name), 'x', int64(recs.Len())), []byte(recs.String()))
		m := fmt.Appendf(nil, "1\n%d\n1\n", size-1)
		body := append(m, make([]byte, 512-len(m))...)
		body = append(body, 'x')
		testutil.TarBlock(buf, testutil.TarHeader(path.Dir(name)+"/GNUSparseFile.0/"+path.Base(name), '0', int64(len(body))), body)
	}
}

// sparseTar is a tar (plain entries, then sparse ones), gzipped or not.
func sparseTar(t *testing.T, plain map[string][]byte, sparseEntries map[string]int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(plain)) {
		b := plain[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	paxSparse(t, &buf, sparseEntries)
	buf.Write(make([]byte, 1024))
	return buf.Bytes()
}

func gzipped(b []byte) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	return z.Bytes()
}

// tinyIOCs is a valid indicator file, so a case's outcome says what the
// crafted input caused, not that no indicators were loaded.
const tinyIOCs = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"malware","id":"malware--1","name":"Nothing","is_family":true},
 {"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='never-seen.invalid']","pattern_type":"stix","valid_from":"2021-01-01T00:00:00Z"},
 {"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"malware--1"}]}`

// withIOCs gives every case an indicator file of its own.
func withIOCs(cs []hostileCase) []hostileCase {
	for i := range cs {
		build := cs[i].build
		cs[i].build = func(t *testing.T, dir string) (string, string) {
			ev, iocs := build(t, dir)
			if iocs == "" {
				iocs = filepath.Join(dir, "nothing.stix2")
				write(t, iocs, []byte(tinyIOCs))
			}
			return ev, iocs
		}
	}
	return cs
}

// dumpstate is a small bug report main file with sections modules read.
const dumpstate = "== dumpstate\n------ SYSTEM PROPERTIES ------\n[ro.product.model]: [Hostile]\n------ 0.1s was the duration of 'SYSTEM PROPERTIES' ------\n" +
	"DUMP OF SERVICE package:\nPackages:\n  Package [com.example.app] (1a2b3c):\n    userId=10123\n    codePath=/data/app/com.example.app-1\n    versionName=1.0\n" +
	"--------- 0.01s was the duration of dumpsys package, ending at: 2024-01-01 00:00:00\n"

// boundedCases expect each class to end as designed: 2 when nothing could
// be checked (the whole input refused, naming it), 3 when a part was
// refused and the rest checked (the refusal listed as not checked), 0 when
// the refusal costs nothing (a -shm is never read).
func boundedCases() []hostileCase {
	return withIOCs([]hostileCase{
		// 1. Sizes checked before allocating, declared sizes never trusted.
		{name: "bugreport zip: main_entry.txt declares 7.5 GiB", mention: "main_entry.txt", wantExit: []int{3}, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "bugreport.zip")
			writeZip(t, p, func(w *zip.Writer) error {
				if err := lyingEntry(w, "main_entry.txt", huge, "bugreport-x.txt\n"); err != nil {
					return err
				}
				return zipFile(w, "bugreport-x.txt", 0o644, strings.NewReader(dumpstate))
			})
			return p, ""
		}},
		{name: "file-system zip: configuration profile declares 7.5 GiB", mention: "profile-", wantExit: []int{3}, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "dump.zip")
			sms := soundSMS(t, dir)
			writeZip(t, p, func(w *zip.Writer) error {
				if err := zipFile(w, smsPath, 0o644, bytes.NewReader(sms)); err != nil {
					return err
				}
				return lyingEntry(w, prefix+"profile-00000000", huge, "<plist/>")
			})
			return p, ""
		}},
		{name: "backup: 3 GiB sparse Info.plist", mention: "Info.plist", wantExit: []int{3}, build: func(t *testing.T, dir string) (string, string) {
			root := backup(t, dir, "")
			sparse(t, filepath.Join(root, "Info.plist"), 3*gib)
			return root, ""
		}},
		{name: "backup: 3 GiB sparse Manifest.plist", mention: "Manifest.plist", unreadable: true, wantExit: []int{2}, build: func(t *testing.T, dir string) (string, string) {
			root := backup(t, dir, "")
			sparse(t, filepath.Join(root, "Manifest.plist"), 3*gib)
			return root, ""
		}},

		// 2. Only regular files, opened without blocking.
		{name: "androidqf: getprop.txt is a named pipe", mention: "getprop.txt", wantExit: []int{3}, needs: unixOnly, build: func(t *testing.T, dir string) (string, string) {
			root := filepath.Join(dir, "acq")
			write(t, filepath.Join(root, "acquisition.json"), []byte(`{"serial":"HOSTILE"}`))
			write(t, filepath.Join(root, "processes.json"), []byte(`[]`))
			mkfifoAt(t, filepath.Join(root, "getprop.txt"))
			return root, ""
		}},
		{name: "bugreport: main_entry.txt is a named pipe", mention: "main_entry.txt", wantExit: []int{3}, needs: unixOnly, build: func(t *testing.T, dir string) (string, string) {
			root := filepath.Join(dir, "bugreport")
			write(t, filepath.Join(root, "bugreport-x.txt"), []byte(dumpstate))
			mkfifoAt(t, filepath.Join(root, "main_entry.txt"))
			return root, ""
		}},
		{name: "backup: Manifest.plist is a named pipe", mention: "Manifest.plist", unreadable: true, wantExit: []int{2}, needs: unixOnly, build: func(t *testing.T, dir string) (string, string) {
			root := backup(t, dir, "")
			os.Remove(filepath.Join(root, "Manifest.plist"))
			mkfifoAt(t, filepath.Join(root, "Manifest.plist"))
			return root, ""
		}},
		{name: "encrypted backup: Manifest.db is a named pipe", mention: "Manifest.db", unreadable: true, wantExit: []int{2}, needs: unixOnly,
			env: []string{"HUELLA_BACKUP_PASSWORD=pw"}, build: func(t *testing.T, dir string) (string, string) {
				root := backup(t, dir, "pw")
				os.Remove(filepath.Join(root, "Manifest.db"))
				mkfifoAt(t, filepath.Join(root, "Manifest.db"))
				return root, ""
			}},
		{name: "sms.db-wal is a named pipe", mention: "sms.db-wal", wantExit: []int{3}, needs: unixOnly, build: func(t *testing.T, dir string) (string, string) {
			root := filepath.Join(dir, "dump")
			smsDB(t, filepath.Join(root, smsPath), 20, plainText)
			mkfifoAt(t, filepath.Join(root, smsPath+"-wal"))
			return root, ""
		}},
		{name: "sms.db-shm is a named pipe", wantExit: []int{0}, needs: unixOnly, build: func(t *testing.T, dir string) (string, string) {
			root := filepath.Join(dir, "dump")
			walSMS(t, filepath.Join(root, smsPath))
			mkfifoAt(t, filepath.Join(root, smsPath+"-shm"))
			return root, ""
		}},

		// 3. One temporary disk budget, declared sizes counted first.
		{name: "sms.db-shm links to /dev/zero", wantExit: []int{0}, needs: unixOnly, build: func(t *testing.T, dir string) (string, string) {
			root := filepath.Join(dir, "dump")
			walSMS(t, filepath.Join(root, smsPath))
			if err := os.Symlink("/dev/zero", filepath.Join(root, smsPath+"-shm")); err != nil {
				t.Fatal(err)
			}
			return root, ""
		}},
		{name: "tar: one 3 GiB sparse entry", mention: "temporary disk", unreadable: true, wantExit: []int{2}, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "dump.tar")
			write(t, p, sparseTar(t, map[string][]byte{smsPath: soundSMS(t, dir)}, map[string]int64{"private/var/mobile/Library/Preferences/big.plist": 3 * gib}))
			return p, ""
		}},
		{name: "tar.gz: sixteen 16 GiB sparse entries", mention: "over the limit", unreadable: true, wantExit: []int{2}, build: func(t *testing.T, dir string) (string, string) {
			big := map[string]int64{}
			for i := range 16 {
				big[fmt.Sprintf("private/var/mobile/big%02d", i)] = 16 * gib
			}
			p := filepath.Join(dir, "dump.tar.gz")
			write(t, p, gzipped(sparseTar(t, map[string][]byte{smsPath: soundSMS(t, dir)}, big)))
			return p, ""
		}},
		{name: ".ab: sparse entries", mention: "temporary disk", unreadable: true, wantExit: []int{2}, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "backup.ab")
			big := map[string]int64{}
			for i := range 8 {
				// Under the per-file limit: the budget is what refuses them.
				big[fmt.Sprintf("apps/com.android.providers.telephony/d_f/%d_sms_backup", i)] = 2 * gib
			}
			tarBytes := sparseTar(t, nil, big)
			abFile(t, p, "ANDROID BACKUP\n5\n1\nnone\n", func(w io.Writer) error {
				zw := zlib.NewWriter(w)
				if _, err := zw.Write(tarBytes); err != nil {
					return err
				}
				return zw.Close()
			})
			return p, ""
		}},
		{name: "zipped backup: Info.plist inflates to 1.5 GiB", mention: "temporary disk", unreadable: true, wantExit: []int{2}, build: func(t *testing.T, dir string) (string, string) {
			root := backup(t, dir, "")
			p := filepath.Join(dir, "backup.zip")
			writeZip(t, p, func(w *zip.Writer) error {
				w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
				err := filepath.WalkDir(root, func(q string, d os.DirEntry, err error) error {
					if err != nil || d.IsDir() || d.Name() == "Info.plist" {
						return err
					}
					rel, _ := filepath.Rel(root, q)
					b, err := os.ReadFile(q)
					if err != nil {
						return err
					}
					return zipFile(w, "backup/"+filepath.ToSlash(rel), 0o644, bytes.NewReader(b))
				})
				if err != nil {
					return err
				}
				h := &zip.FileHeader{Name: "backup/Info.plist", Method: zip.Deflate}
				h.SetMode(0o644)
				out, err := w.CreateHeader(h)
				if err != nil {
					return err
				}
				_, err = io.CopyBuffer(out, &zeros{3 * gib / 2}, make([]byte, 1<<20))
				return err
			})
			return p, ""
		}},
		{name: "file-system zip: 400 overlapping entries", mention: "overlaps", wantExit: []int{3}, build: func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "dump.zip")
			write(t, p, overlappingZip(t, soundSMS(t, dir), 400, 64<<20))
			return p, ""
		}},

		// 4. SQLite from evidence: real tables only, no joins, capped cells.
		{name: "backup: Manifest.db Files is a recursive VIEW", mention: "Files", unreadable: true, wantExit: []int{2}, build: func(t *testing.T, dir string) (string, string) {
			root := backup(t, dir, "")
			execSQL(t, filepath.Join(root, "Manifest.db"),
				`ALTER TABLE Files RENAME TO Files_real`,
				`CREATE VIEW Files AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
				 SELECT f.fileID, f.domain, f.relativePath, f.flags, f.file FROM Files_real f, r`)
			return root, ""
		}},
		{name: "sms.db: 40k messages joined without index under lying statistics", wantExit: []int{0}, build: func(t *testing.T, dir string) (string, string) {
			root := filepath.Join(dir, "dump")
			p := filepath.Join(root, smsPath)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			execSQL(t, p,
				`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, date INTEGER, is_from_me INTEGER, handle_id INTEGER)`,
				`CREATE TABLE handle (ROWID INTEGER, id TEXT)`,
				`CREATE TABLE chat (ROWID INTEGER, chat_identifier TEXT, display_name TEXT, style INTEGER)`,
				`CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER)`,
				`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
				 INSERT INTO message SELECT i, 'g' || i, 'message ' || i || ' https://site' || (i % 97) || '.example/', 588813210000000000 + i, i % 2, i % 50 FROM n`,
				`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49) INSERT INTO handle SELECT i, '+5255500' || i FROM n`,
				`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) INSERT INTO chat SELECT i, 'chat' || i, 'group ' || i, 43 FROM n`,
				`INSERT INTO chat_message_join SELECT 1 + ROWID % 100, ROWID FROM message`,
				`ANALYZE`,
				`DELETE FROM sqlite_stat1`,
				`INSERT INTO sqlite_stat1 VALUES ('message', NULL, '1'), ('handle', NULL, '1'), ('chat', NULL, '1'), ('chat_message_join', NULL, '1')`)
			return root, ""
		}},
		{name: "sms.db: a 400 MB value in message.text", mention: "message", wantExit: []int{3}, build: func(t *testing.T, dir string) (string, string) {
			build := filepath.Join(t.TempDir(), "sms.db")
			execSQL(t, build,
				`PRAGMA page_size = 65536`,
				`CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, date INTEGER, is_from_me INTEGER)`,
				`INSERT INTO message VALUES (1, 'g1', 'before https://before.example/', 588813210000000000, 0)`,
				`INSERT INTO message VALUES (2, 'g2', zeroblob(400000000), 588813220000000000, 0)`,
				`INSERT INTO message VALUES (3, 'g3', 'after https://after.example/', 588813230000000000, 0)`)
			root := filepath.Join(dir, "dump")
			sparseCopy(t, build, filepath.Join(root, smsPath))
			os.Remove(build)
			return root, ""
		}},

		// 1 again, for network evidence: a pcapng block that declares
		// 2 GiB (sparse on disk) after real packets, and a resolver log
		// with one 64 MiB line between ordinary ones.
		{name: "pcapng: a packet block declares 2 GiB", mention: "capture.pcapng", wantExit: []int{3}, build: func(t *testing.T, dir string) (string, string) {
			var b bytes.Buffer
			if err := samplegen.PhoneTraffic(1, false).WritePcapNG(&b, 1); err != nil {
				t.Fatal(err)
			}
			epb := make([]byte, 28)
			binary.LittleEndian.PutUint32(epb[0:], 6)         // enhanced packet block
			binary.LittleEndian.PutUint32(epb[4:], 1<<31)     // its length
			binary.LittleEndian.PutUint32(epb[20:], 1<<31-64) // captured length
			binary.LittleEndian.PutUint32(epb[24:], 1<<31-64) // original length
			p := filepath.Join(dir, "capture.pcapng")
			write(t, p, append(b.Bytes(), epb...))
			if err := os.Truncate(p, int64(b.Len())+1<<31); err != nil {
				t.Fatal(err)
			}
			return p, ""
		}},
		{name: "pihole.log: one 64 MiB line", wantExit: []int{0}, build: func(t *testing.T, dir string) (string, string) {
			var b bytes.Buffer
			if err := samplegen.PhoneTraffic(1, false).WritePihole(&b); err != nil {
				t.Fatal(err)
			}
			lines := bytes.SplitAfter(b.Bytes(), []byte("\n"))
			out := slices.Concat(bytes.Join(lines[:10], nil), bytes.Repeat([]byte("x"), 64<<20), []byte("\n"), bytes.Join(lines[10:], nil))
			p := filepath.Join(dir, "pihole.log")
			write(t, p, out)
			return p, ""
		}},

		// 1 and 2 again: a link that leaves the evidence folder.
		{name: "sms.db links outside the evidence", mention: "sms.db", wantExit: []int{3}, forbid: "outside-case.example", needs: unixOnly, build: func(t *testing.T, dir string) (string, string) {
			other := filepath.Join(dir, "other-case", "sms.db")
			smsDB(t, other, 3, func(i int) string { return "from another case https://outside-case.example/secret" })
			root := filepath.Join(dir, "dump")
			write(t, filepath.Join(root, "private/var/mobile/Library/Preferences/.GlobalPreferences.plist"), deepPlist(2))
			link := filepath.Join(root, smsPath)
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, link); err != nil {
				t.Fatal(err)
			}
			return root, ""
		}},
	})
}

// overlappingZip is a file-system zip holding sms.db and n entries whose
// central-directory records all point at one deflate stream of size zeros
// (a non-recursive zip bomb: n × size bytes declared for one stream).
func overlappingZip(t *testing.T, sms []byte, n int, size int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "private/var/mobile/bomb/e0000", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(w, &zeros{size})
	w, err = zw.CreateHeader(&zip.FileHeader{Name: smsPath, Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(sms)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	eocd := bytes.LastIndex(b, []byte("PK\x05\x06"))
	cdOff := int(le32(b[eocd+16:]))
	cd := b[cdOff:eocd]
	// The first record is the bomb's, the second sms.db's.
	first := 46 + int(le16(cd[28:])) + int(le16(cd[30:])) + int(le16(cd[32:]))
	bomb, rest := cd[:first], cd[first:]
	out := append([]byte(nil), b[:cdOff]...)
	for i := range n {
		r := append([]byte(nil), bomb...)
		copy(r[46:], fmt.Sprintf("private/var/mobile/bomb/e%04d", i))
		out = append(out, r...)
	}
	out = append(out, rest...)
	end := append([]byte(nil), b[eocd:]...)
	put16(end[8:], n+1)
	put16(end[10:], n+1)
	put32(end[12:], n*len(bomb)+len(rest))
	put32(end[16:], cdOff)
	return append(out, end...)
}

func le16(b []byte) uint16  { return uint16(b[0]) | uint16(b[1])<<8 }
func le32(b []byte) uint32  { return uint32(le16(b)) | uint32(le16(b[2:]))<<16 }
func put16(b []byte, v int) { b[0], b[1] = byte(v), byte(v>>8) }
func put32(b []byte, v int) { put16(b, v); put16(b[2:], v>>16) }

// measurements holds what each case cost, for SECURITY.md's table.
var (
	measureMu    sync.Mutex
	measurements []string
)

// measured records a case's run; with HUELLA_HOSTILE_REPORT=FILE the
// figures are written there as Markdown rows at the end.
func measured(name string, wall time.Duration, rss, disk int64, code int) {
	measureMu.Lock()
	defer measureMu.Unlock()
	measurements = append(measurements, fmt.Sprintf("| %s | %d | %.1f s | %d MB | %d MB |", name, code, wall.Seconds(), rss>>20, disk>>20))
	if p := os.Getenv("HUELLA_HOSTILE_REPORT"); p != "" {
		os.WriteFile(p, []byte(strings.Join(measurements, "\n")+"\n"), 0o644)
	}
}

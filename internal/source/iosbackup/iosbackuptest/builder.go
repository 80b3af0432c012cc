// Package iosbackuptest writes small iOS backups, plain or encrypted, for
// tests. Encrypted ones use the real scheme (keybag, PBKDF2, RFC 3394 key
// wrap, AES-CBC) with tiny iteration counts so tests stay fast.
package iosbackuptest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/crypto/keywrap"
	"howett.net/plist"
	_ "modernc.org/sqlite"
)

// File is one Manifest.db entry. Content nil with Flags 1 means the entry
// is listed but its hashed file is not stored (as in partial backups).
type File struct {
	Domain, Path string
	Flags        int // 1 file, 2 folder, 4 symlink
	Content      []byte
	Mode         int64
	Modified     time.Time
	Birth        time.Time
	// SizeOverride, when not zero, is written as the metadata Size instead of len(Content).
	SizeOverride int64
}

// Backup describes a backup to write.
type Backup struct {
	Info     map[string]any // Info.plist; nil writes a small default
	Status   map[string]any
	Files    []File
	Password string // "" = plain backup
	// Extra Files rows inserted verbatim (for hostile-path tests).
	RawRows [][4]any
	// Stored files not listed in Manifest.db: relative "<domain>-<path>" keys.
	Unlisted map[string][]byte
}

// Iterations used for encrypted test backups.
const (
	TestDPIC = 7
	TestIter = 5
)

// FileID is the backup name of a file: SHA-1 of "<domain>-<path>".
func FileID(domain, path string) string {
	s := sha1.Sum([]byte(domain + "-" + path))
	return hex.EncodeToString(s[:])
}

// Write creates the backup in dir and returns the derived key (nil when plain).
func (b Backup) Write(t testing.TB, dir string) []byte {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	info := b.Info
	if info == nil {
		info = map[string]any{"Device Name": "Test iPhone", "Product Type": "iPhone14,2", "Product Version": "17.4",
			"Build Version": "21E219", "Unique Identifier": "00008110-TEST", "Last Backup Date": time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)}
	}
	writePlist(t, filepath.Join(dir, "Info.plist"), info)
	status := b.Status
	if status == nil {
		status = map[string]any{"IsFullBackup": false}
	}
	writePlist(t, filepath.Join(dir, "Status.plist"), status)

	var enc *encryptor
	var key []byte
	manifest := map[string]any{"IsEncrypted": b.Password != "", "Lockdown": map[string]any{"ProductVersion": "17.4"}}
	if b.Password != "" {
		enc, key = newEncryptor(t, b.Password)
		manifest["BackupKeyBag"] = enc.keybag
	}

	dbPath := filepath.Join(t.TempDir(), "Manifest.db")
	db, err := sql.Open("sqlite", dbPath)
	must(err)
	_, err = db.Exec(`CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);
		CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB)`)
	must(err)
	for _, f := range b.Files {
		id := FileID(f.Domain, f.Path)
		size := int64(len(f.Content))
		if f.SizeOverride != 0 {
			size = f.SizeOverride
		}
		var wrapped []byte
		if f.Content != nil && f.Flags == 1 {
			data := f.Content
			if enc != nil {
				data, wrapped = enc.file(t, f.Content)
			}
			must(os.MkdirAll(filepath.Join(dir, id[:2]), 0o755))
			must(os.WriteFile(filepath.Join(dir, id[:2], id), data, 0o644))
		}
		_, err := db.Exec("INSERT INTO Files VALUES (?,?,?,?,?)", id, f.Domain, f.Path, f.Flags, MBFile(f, size, wrapped))
		must(err)
	}
	for _, r := range b.RawRows {
		_, err := db.Exec("INSERT INTO Files VALUES (?,?,?,?,?)", r[0], r[1], r[2], r[3], nil)
		must(err)
	}
	must(db.Close())
	for k, v := range b.Unlisted {
		s := sha1.Sum([]byte(k))
		id := hex.EncodeToString(s[:])
		must(os.MkdirAll(filepath.Join(dir, id[:2]), 0o755))
		must(os.WriteFile(filepath.Join(dir, id[:2], id), v, 0o644))
	}
	raw, err := os.ReadFile(dbPath)
	must(err)
	if enc != nil {
		var mk []byte
		raw, mk = enc.manifestDB(t, raw)
		manifest["ManifestKey"] = mk
	}
	must(os.WriteFile(filepath.Join(dir, "Manifest.db"), raw, 0o644))
	writePlist(t, filepath.Join(dir, "Manifest.plist"), manifest)
	return key
}

func writePlist(t testing.TB, p string, v any) {
	t.Helper()
	data, err := plist.Marshal(v, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// MBFile builds the NSKeyedArchiver metadata blob for f. wrapped, when
// set, is the per-file key with its 4-byte class prefix.
func MBFile(f File, size int64, wrapped []byte) []byte {
	mode := f.Mode
	if mode == 0 {
		switch f.Flags {
		case 2:
			mode = 0o40755
		case 4:
			mode = 0o120755
		default:
			mode = 0o100644
		}
	}
	unix := func(t time.Time) uint64 {
		if t.IsZero() {
			return 0
		}
		return uint64(t.Unix())
	}
	obj := map[string]any{
		"$class": plist.UID(3), "RelativePath": plist.UID(2), "Size": uint64(size), "Mode": uint64(mode),
		"UserID": uint64(501), "GroupID": uint64(501), "InodeNumber": uint64(1234), "Flags": uint64(0),
		"LastModified": unix(f.Modified), "Birth": unix(f.Birth), "LastStatusChange": unix(f.Modified),
		"ProtectionClass": uint64(3),
	}
	objs := []any{"$null", obj, f.Path, map[string]any{"$classname": "MBFile", "$classes": []any{"MBFile", "NSObject"}}}
	if wrapped != nil {
		obj["EncryptionKey"] = plist.UID(4)
		objs = append(objs,
			map[string]any{"$class": plist.UID(5), "NS.data": wrapped},
			map[string]any{"$classname": "NSMutableData", "$classes": []any{"NSMutableData", "NSData", "NSObject"}})
	}
	data, err := plist.Marshal(map[string]any{
		"$version": uint64(100000), "$archiver": "NSKeyedArchiver",
		"$top": map[string]any{"root": plist.UID(1)}, "$objects": objs,
	}, plist.BinaryFormat)
	if err != nil {
		panic(err)
	}
	return data
}

type encryptor struct {
	classKeys map[uint32][]byte
	keybag    []byte
}

func tlv(tag string, v []byte) []byte {
	out := append([]byte(tag), 0, 0, 0, 0)
	binary.BigEndian.PutUint32(out[4:], uint32(len(v)))
	return append(out, v...)
}

func u32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func newEncryptor(t testing.TB, password string) (*encryptor, []byte) {
	salt, dpsl := random(20), random(20)
	tmp, err := pbkdf2.Key(sha256.New, password, dpsl, TestDPIC, 32)
	if err != nil {
		t.Fatal(err)
	}
	key, err := pbkdf2.Key(sha1.New, string(tmp), salt, TestIter, 32)
	if err != nil {
		t.Fatal(err)
	}
	e := &encryptor{classKeys: map[uint32][]byte{}}
	kb := append(tlv("VERS", u32(5)), tlv("TYPE", u32(1))...)
	kb = append(kb, tlv("UUID", random(16))...)
	kb = append(kb, tlv("HMCK", random(40))...)
	kb = append(kb, tlv("WRAP", u32(0))...)
	kb = append(kb, tlv("SALT", salt)...)
	kb = append(kb, tlv("ITER", u32(TestIter))...)
	kb = append(kb, tlv("DPWT", u32(1))...)
	kb = append(kb, tlv("DPIC", u32(TestDPIC))...)
	kb = append(kb, tlv("DPSL", dpsl)...)
	for c := uint32(1); c <= 11; c++ {
		ck := random(32)
		w, err := keywrap.Wrap(key, ck)
		if err != nil {
			t.Fatal(err)
		}
		e.classKeys[c] = ck
		kb = append(kb, tlv("UUID", random(16))...)
		kb = append(kb, tlv("CLAS", u32(c))...)
		kb = append(kb, tlv("WRAP", u32(3))...)
		kb = append(kb, tlv("KTYP", u32(0))...)
		kb = append(kb, tlv("WPKY", w)...)
	}
	e.keybag = kb
	return e, key
}

// wrapFor makes a random key, wraps it with the class key and returns both;
// wrapped carries the 4-byte little-endian class prefix.
func (e *encryptor) wrapFor(t testing.TB, class uint32) (key, wrapped []byte) {
	key = random(32)
	w, err := keywrap.Wrap(e.classKeys[class], key)
	if err != nil {
		t.Fatal(err)
	}
	return key, append(binary.LittleEndian.AppendUint32(nil, class), w...)
}

func cbc(key, plain []byte) []byte {
	b, _ := aes.NewCipher(key)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(b, make([]byte, 16)).CryptBlocks(out, plain)
	return out
}

func (e *encryptor) file(t testing.TB, content []byte) ([]byte, []byte) {
	key, wrapped := e.wrapFor(t, 3)
	p := 16 - len(content)%16
	padded := append(append([]byte{}, content...), make([]byte, p)...)
	for i := len(content); i < len(padded); i++ {
		padded[i] = byte(p)
	}
	return cbc(key, padded), wrapped
}

func (e *encryptor) manifestDB(t testing.TB, db []byte) ([]byte, []byte) {
	key, wrapped := e.wrapFor(t, 4)
	return cbc(key, db), wrapped
}

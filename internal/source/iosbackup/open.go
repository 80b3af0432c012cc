// Package iosbackup opens iTunes/Finder backups of iPhones, plain or
// encrypted, as evidence whose logical tree is "<Domain>/<relativePath>".
//
// The evidence folder is only ever read. An encrypted backup is decrypted
// lazily: Manifest.db at open time, each file the first time a module opens
// it, into the evidence's private temporary folder.
package iosbackup

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Options control how a backup is opened.
type Options struct {
	Password string       // backup password, for encrypted backups
	Key      []byte       // 32-byte key from DeriveKey (extract-key); skips the slow derivation
	TempRoot string       // parent of the private temporary folder ("" = system default), when Temp is nil
	Temp     *scratch.Dir // the run's private folder and disk budget; nil: one is made under TempRoot
	Note     func(string) // Decrypt: receives per-file problems (nil: dropped)
}

// Files at the backup's root, exposed in the logical tree under RawPrefix.
var rawFiles = []string{"Info.plist", "Manifest.plist", "Status.plist", "Manifest.db"}

// RawPrefix is the reserved logical folder holding the backup's own files
// (Info.plist, Manifest.plist, Status.plist and the plain Manifest.db).
const RawPrefix = "_backup"

// plist size bounds: Info.plist embeds app metadata and icons and can reach
// tens of megabytes; the others are small. The files are refused before
// being read when they declare more (evfile).
var (
	infoLimits     = plistx.Limits{MaxBytes: int(evfile.BackupInfo.Max)}
	manifestLimits = plistx.Limits{MaxBytes: int(evfile.BackupManifest.Max)}
)

// Detect says whether fsys's root looks like an iOS backup. A name that is
// not a regular file (a named pipe called Manifest.plist) does not count.
func Detect(fsys fs.FS) bool {
	has := func(n string) bool { fi, err := fs.Stat(fsys, n); return err == nil && fi.Mode().IsRegular() }
	return has("Info.plist") && (has("Manifest.db") || has("Manifest.plist"))
}

// resolveDir accepts the backup folder itself or, as Finder lays them out,
// a folder holding exactly one backup.
func resolveDir(dir string) (string, error) {
	if Detect(evfile.Dir(dir)) {
		return dir, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var found []string
	for _, e := range ents {
		if e.IsDir() && Detect(evfile.Dir(filepath.Join(dir, e.Name()))) {
			found = append(found, filepath.Join(dir, e.Name()))
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("%s: %w", dir, ErrNotBackup)
	}
	return "", fmt.Errorf("%s holds %d backups; point at one of them", dir, len(found))
}

// Open opens the backup at dir. Encrypted backups need opts.Password or
// opts.Key, else ErrPasswordNeeded; a wrong one gives ErrWrongPassword.
func Open(ctx context.Context, dir string, opts Options) (*source.Evidence, error) {
	real, err := resolveDir(dir)
	if err != nil {
		return nil, err
	}
	tmp := opts.Temp
	if tmp == nil {
		if tmp, err = scratch.New(opts.TempRoot, "huella-iosbackup-", scratch.DefaultBudget(real)); err != nil {
			return nil, err
		}
	}
	ev := &source.Evidence{Kind: source.IOSBackup, Path: dir, TempDir: tmp.Path(), Temp: tmp}
	b, err := openBackup(ctx, real, tmp, opts, ev)
	if err != nil {
		ev.Close()
		return nil, err
	}
	ev.FS = b
	ev.OnClose(b.close)
	describe(ev, real)
	return ev, nil
}

// manifestPlist is what Open needs from Manifest.plist.
type manifestPlist struct {
	encrypted   bool
	keybag      []byte
	manifestKey []byte
	raw         map[string]any
}

func readManifestPlist(dir string) (*manifestPlist, error) {
	data, err := evfile.ReadFile(evfile.Dir(dir), "Manifest.plist", evfile.BackupManifest)
	if errors.Is(err, fs.ErrNotExist) {
		return &manifestPlist{}, nil // plain backups decrypted by other tools may lack it
	}
	if err != nil {
		return nil, err
	}
	m, err := plistx.DecodeDict(data, manifestLimits)
	if err != nil {
		return nil, fmt.Errorf("Manifest.plist: %w", err)
	}
	mp := &manifestPlist{raw: m}
	mp.encrypted, _ = m["IsEncrypted"].(bool)
	mp.keybag, _ = m["BackupKeyBag"].([]byte)
	mp.manifestKey, _ = m["ManifestKey"].([]byte)
	return mp, nil
}

// unlock returns the class keys of an encrypted backup.
func unlock(mp *manifestPlist, opts Options) (map[uint32][]byte, error) {
	if len(mp.keybag) == 0 {
		return nil, errors.New("Manifest.plist: encrypted backup without BackupKeyBag")
	}
	kb, err := ParseKeybag(mp.keybag)
	if err != nil {
		return nil, fmt.Errorf("Manifest.plist: %w", err)
	}
	key := opts.Key
	if len(key) == 0 {
		if opts.Password == "" {
			return nil, ErrPasswordNeeded
		}
		if key, err = kb.DeriveKey(opts.Password); err != nil {
			return nil, err
		}
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("backup key must be 32 bytes, got %d", len(key))
	}
	return kb.Unlock(key)
}

// DeriveKey runs the slow password derivation once and checks the result
// against the keybag, so the key can be saved and passed as Options.Key.
func DeriveKey(ctx context.Context, dir, password string) ([]byte, error) {
	real, err := resolveDir(dir)
	if err != nil {
		return nil, err
	}
	mp, err := readManifestPlist(real)
	if err != nil {
		return nil, err
	}
	if !mp.encrypted {
		return nil, fmt.Errorf("%s: the backup is not encrypted", dir)
	}
	kb, err := ParseKeybag(mp.keybag)
	if err != nil {
		return nil, fmt.Errorf("Manifest.plist: %w", err)
	}
	key, err := kb.DeriveKey(password)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := kb.Unlock(key); err != nil {
		return nil, err
	}
	return key, nil
}

// ParseKeyHex reads a key as printed by extract-key: 64 hex characters.
func ParseKeyHex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	k, err := hex.DecodeString(s)
	if err != nil || len(k) != 32 {
		return nil, errors.New("a backup key is 64 hexadecimal characters")
	}
	return k, nil
}

func openBackup(ctx context.Context, dir string, tmp *scratch.Dir, opts Options, ev *source.Evidence) (*backupFS, error) {
	mp, err := readManifestPlist(dir)
	if err != nil {
		return nil, err
	}
	b := &backupFS{dir: dir, folder: evfile.Dir(dir), tmp: tmp, ev: ev, cache: map[string]*cached{}, raw: map[string]string{}}
	dbPath := filepath.Join(dir, "Manifest.db")
	if mp.encrypted {
		if b.classKeys, err = unlock(mp, opts); err != nil {
			return nil, err
		}
		if len(mp.manifestKey) == 0 {
			return nil, errors.New("encrypted backup without ManifestKey (iOS before 10.2) is not supported")
		}
		plain, err := decryptManifestDB(ctx, b.classKeys, mp.manifestKey, b.folder, tmp)
		if err != nil {
			return nil, err
		}
		dbPath = plain
	}
	for _, n := range rawFiles {
		p := filepath.Join(dir, n)
		if n == "Manifest.db" && mp.encrypted {
			b.raw[n] = dbPath
			continue
		}
		// Only regular files inside the folder: a named pipe or a link
		// leading elsewhere is refused with a note, never opened.
		fi, err := b.folder.Stat(n)
		switch {
		case err == nil && fi.Mode().IsRegular():
			b.raw[n] = p
		case err == nil:
			ev.NoteRefusal(&evfile.RefusedError{Name: n, Reason: evfile.NotRegular(fi.Mode())})
		case evfile.IsRefused(err):
			ev.NoteRefusal(err)
		}
	}
	if _, ok := b.raw["Manifest.db"]; !ok {
		return nil, fmt.Errorf("%s: no readable Manifest.db (backups from before iOS 10 use Manifest.mbdb, which is not supported)", dir)
	}
	b.dbPath = dbPath
	b.db, err = sqlitex.OpenFile(ctx, dbPath, sqlitex.Options{Temp: tmp})
	if err != nil {
		if mp.encrypted {
			return nil, fmt.Errorf("decrypted Manifest.db: %w", err)
		}
		return nil, fmt.Errorf("Manifest.db: %w (is the backup encrypted without a Manifest.plist?)", err)
	}
	if err := b.index(ctx); err != nil {
		b.db.Close()
		return nil, err
	}
	return b, nil
}

// describe fills Device from Info.plist. The inputs are hashed by the
// opener (source.HashInputs), for every kind of evidence alike.
func describe(ev *source.Evidence, dir string) {
	ev.Device.Platform = "ios"
	data, err := evfile.ReadFile(evfile.Dir(dir), "Info.plist", evfile.BackupInfo)
	switch {
	case err == nil:
		info, err := plistx.DecodeDict(data, infoLimits)
		if err != nil {
			ev.Note("Info.plist: " + err.Error())
		} else {
			fillDevice(&ev.Device, info)
		}
	case evfile.IsRefused(err):
		ev.NoteRefusal(err)
	case !errors.Is(err, fs.ErrNotExist):
		ev.Note("Info.plist: " + err.Error())
	}
}

func fillDevice(d *source.Device, info map[string]any) {
	str := func(k string) string { s, _ := info[k].(string); return s }
	d.Name = str("Device Name")
	d.Model = str("Product Type")
	d.OSVersion = str("Product Version")
	d.Build = str("Build Version")
	d.ID = str("Unique Identifier")
	if d.ID == "" {
		d.ID = str("Target Identifier")
	}
	if t, ok := info["Last Backup Date"].(time.Time); ok && !t.IsZero() {
		t = t.UTC()
		d.Acquired = &t
	}
	for _, k := range []string{"Serial Number", "IMEI", "MEID", "ICCID", "Phone Number", "Product Name", "iTunes Version"} {
		if v := str(k); v != "" {
			if d.Extra == nil {
				d.Extra = map[string]string{}
			}
			d.Extra[k] = v
		}
	}
}

package samplegen

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"howett.net/plist"
)

// artifact is one database a module reads, at its backup location.
type artifact struct {
	name, domain, path string
	write              func(p string, o Options) (int, error)
}

var iosArtifacts = []artifact{
	{"sms", "HomeDomain", "Library/SMS/sms.db", writeSMS},
	{"safari_history", "HomeDomain", "Library/Safari/History.db", writeSafari},
	{"datausage", "WirelessDomain", "Library/Databases/DataUsage.sqlite", writeDataUsage},
	{"tcc", "HomeDomain", "Library/TCC/TCC.db", writeTCC},
	{"whatsapp", "AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite", writeWhatsApp},
	{"contacts", "HomeDomain", "Library/AddressBook/AddressBook.sqlitedb", func(p string, o Options) (int, error) { return writeAddressBook(p, o.Plant) }},
}

// storedFillers caps how many filler files get content on disk; the rest
// are listed in Manifest.db only (as in a partial backup), so a 1M corpus
// does not cost hundreds of thousands of inodes.
const storedFillers = 2000

// FileID is a backup file's stored name: SHA-1 of "<domain>-<relativePath>".
func FileID(domain, rel string) string {
	s := sha1.Sum([]byte(domain + "-" + rel))
	return hex.EncodeToString(s[:])
}

// GenerateIOSBackup writes an iOS backup into dir (created if needed; it
// must be empty) and returns what a check of it must find.
func GenerateIOSBackup(dir string, o Options) (*Expected, error) {
	if o.Encrypt && o.Password == "" {
		o.Password = "huella-demo"
	}
	if err := emptyDir(dir); err != nil {
		return nil, err
	}
	scratch, err := os.MkdirTemp(dir, ".gen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)

	var enc *encryptor
	if o.Encrypt {
		if enc, err = newEncryptor(o.Seed, o.Password, o.DPIC); err != nil {
			return nil, err
		}
	}
	exp := &Expected{Kind: "ios_backup", Seed: o.Seed, Records: map[string]int{}}
	if o.Encrypt {
		exp.Password = o.Password
	}
	mdbPath := filepath.Join(scratch, "Manifest.db")
	mdb, err := createDB(mdbPath, `CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);
CREATE INDEX FilesDomainIdx ON Files(domain);
CREATE INDEX FilesRelativePathIdx ON Files(relativePath);
CREATE INDEX FilesFlagsIdx ON Files(flags);
CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);`)
	if err != nil {
		return nil, err
	}
	defer mdb.Close()
	rows := newInserter(mdb, "INSERT INTO Files VALUES (?,?,?,?,?)")
	stamp := spanEnd.Add(-time.Hour)
	for _, a := range iosArtifacts {
		tmp := filepath.Join(scratch, a.name+".db")
		n, err := a.write(tmp, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.path, err)
		}
		exp.Records[a.name] = n
		meta, err := store(dir, tmp, a.domain, a.path, enc)
		if err != nil {
			return nil, err
		}
		if err := rows.add(FileID(a.domain, a.path), a.domain, a.path, 1, mbFile(a.path, 1, meta.size, stamp, meta.wrapped)); err != nil {
			return nil, err
		}
	}
	g := newGen(o.Seed, 7)
	for i := range o.Files {
		domain := fmt.Sprintf("AppDomain-com.synthetic.app%d", i%200)
		rel := fmt.Sprintf("Library/Caches/%s/%d.dat", g.pick(pathWords), i)
		flags, size := 1, int64(64+g.r.IntN(4096))
		var wrapped []byte
		if i%5 == 0 {
			rel, flags, size = fmt.Sprintf("Library/Caches/d%d", i), 2, 0
		} else if i < storedFillers {
			content := make([]byte, 32+g.r.IntN(96))
			for j := range content {
				content[j] = byte(g.r.IntN(256))
			}
			tmp := filepath.Join(scratch, "filler")
			if err := os.WriteFile(tmp, content, 0o644); err != nil {
				return nil, err
			}
			meta, err := store(dir, tmp, domain, rel, enc)
			if err != nil {
				return nil, err
			}
			size, wrapped = meta.size, meta.wrapped
		}
		if err := rows.add(FileID(domain, rel), domain, rel, flags, mbFile(rel, flags, size, g.time(), wrapped)); err != nil {
			return nil, err
		}
	}
	exp.Records["manifest"] = len(iosArtifacts) + o.Files
	if err := rows.flush(); err != nil {
		return nil, err
	}
	if err := mdb.Close(); err != nil {
		return nil, err
	}
	manifest := map[string]any{"IsEncrypted": o.Encrypt, "Version": "10.0", "Date": stamp, "WasPasscodeSet": true,
		"Lockdown": map[string]any{"ProductVersion": "17.3.1", "BuildVersion": "21D61", "DeviceName": "Synthetic iPhone", "ProductType": "iPhone15,2"}}
	if enc != nil {
		manifest["BackupKeyBag"] = enc.keybag
		var mk []byte
		if mk, err = enc.encryptManifest(mdbPath, filepath.Join(dir, "Manifest.db")); err != nil {
			return nil, err
		}
		manifest["ManifestKey"] = mk
	} else if err := os.Rename(mdbPath, filepath.Join(dir, "Manifest.db")); err != nil {
		return nil, err
	}
	info := map[string]any{"Device Name": "Synthetic iPhone", "Display Name": "Synthetic iPhone", "Product Type": "iPhone15,2",
		"Product Name": "iPhone 14 Pro", "Product Version": "17.3.1", "Build Version": "21D61", "Serial Number": "SYNTH0000001",
		"Unique Identifier": fmt.Sprintf("00008120-SYNTH%010d", o.Seed), "Target Identifier": fmt.Sprintf("00008120-SYNTH%010d", o.Seed),
		"Last Backup Date": stamp, "iTunes Version": "12.13", "IMEI": "000000000000000"}
	status := map[string]any{"IsFullBackup": false, "Version": "3.3", "BackupState": "new", "Date": stamp,
		"SnapshotState": "finished", "UUID": fmt.Sprintf("SYNTH-%d", o.Seed)}
	for name, v := range map[string]any{"Info.plist": info, "Status.plist": status, "Manifest.plist": manifest} {
		if err := writePlist(filepath.Join(dir, name), v); err != nil {
			return nil, err
		}
	}
	if o.Plant {
		exp.Detections = iosPlantedDetections()
	}
	return exp, nil
}

func iosPlantedDetections() []ExpectedDetection {
	return []ExpectedDetection{
		{"ios.sms", "indicator.feed.match", PlantedURL, "lure SMS links to the planted domain"},
		{"ios.safari_history", "indicator.feed.match", PlantedURL, "the lure link was opened in Safari 40 s later"},
		{"ios.datausage", "indicator.feed.match", PlantedProcess, "process bh first used the network 2 min after the visit"},
		{"ios.tcc", "indicator.feed.match", PlantedTCCClient, "TCC grant to the planted process Launch"},
		{"correlation", "correlation.link.chain", PlantedProcess, "message → visit → new process within 5 minutes"},
	}
}

type stored struct {
	size    int64
	wrapped []byte
}

// store puts the file at src into the backup under its hashed name, moving
// it when plain and encrypting it when enc is set.
func store(dir, src, domain, rel string, enc *encryptor) (stored, error) {
	id := FileID(domain, rel)
	dst := filepath.Join(dir, id[:2], id)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return stored{}, err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return stored{}, err
	}
	if enc == nil {
		return stored{size: fi.Size()}, os.Rename(src, dst)
	}
	wrapped, err := enc.encryptFile(src, dst, 3)
	return stored{size: fi.Size(), wrapped: wrapped}, err
}

func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err != io.EOF {
		return fmt.Errorf("%s is not empty", dir)
	}
	return nil
}

func writePlist(p string, v any) error {
	b, err := plist.Marshal(v, plist.BinaryFormat)
	if err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}

// mbFile is a Files.file blob: the MBFile object, NSKeyedArchiver-encoded.
func mbFile(rel string, flags int, size int64, mod time.Time, wrapped []byte) []byte {
	mode := uint64(0o100644)
	if flags == 2 {
		mode = 0o40755
	}
	t := uint64(mod.Unix())
	obj := map[string]any{
		"$class": plist.UID(3), "RelativePath": plist.UID(2), "Size": uint64(size), "Mode": mode,
		"UserID": uint64(501), "GroupID": uint64(501), "InodeNumber": uint64(100000 + len(rel)), "Flags": uint64(0),
		"LastModified": t, "Birth": t, "LastStatusChange": t, "ProtectionClass": uint64(3),
	}
	objs := []any{"$null", obj, rel, map[string]any{"$classname": "MBFile", "$classes": []any{"MBFile", "NSObject"}}}
	if wrapped != nil {
		obj["EncryptionKey"] = plist.UID(4)
		objs = append(objs, map[string]any{"$class": plist.UID(5), "NS.data": wrapped},
			map[string]any{"$classname": "NSMutableData", "$classes": []any{"NSMutableData", "NSData", "NSObject"}})
	}
	b, err := plist.Marshal(map[string]any{"$version": uint64(100000), "$archiver": "NSKeyedArchiver",
		"$top": map[string]any{"root": plist.UID(1)}, "$objects": objs}, plist.BinaryFormat)
	if err != nil {
		panic(err) // only fixed, valid types above
	}
	return b
}

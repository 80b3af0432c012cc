package iosbackup

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/timestamp"
)

// Manifest.db Files.flags values.
const (
	FlagFile    = 1
	FlagDir     = 2
	FlagSymlink = 4
)

// FileEntry is one Files row of Manifest.db with its MBFile metadata.
type FileEntry struct {
	FileID          string    `json:"file_id"`
	Domain          string    `json:"domain"`
	RelativePath    string    `json:"relative_path"`
	Flags           int       `json:"flags"`
	Size            int64     `json:"size"`
	Mode            uint32    `json:"mode"`
	UID             int64     `json:"uid"`
	GID             int64     `json:"gid"`
	Inode           int64     `json:"inode,omitempty"`
	Birth           time.Time `json:"created,omitzero"`
	Modified        time.Time `json:"modified,omitzero"`
	StatusChanged   time.Time `json:"status_changed,omitzero"`
	ProtectionClass int       `json:"protection_class"`
	Encrypted       bool      `json:"encrypted"`        // metadata carries a per-file key
	Target          string    `json:"target,omitempty"` // symlink target
	// RawTimes keeps the stored value of a time that is no date between
	// 1970 and 2100 (the time field is then zero).
	RawTimes []model.RawTime `json:"raw_times,omitempty"`

	wrappedKey []byte // EncryptionKey without its 4-byte class prefix
}

// LogicalPath is the entry's path in the evidence's logical tree.
func (e FileEntry) LogicalPath() string {
	if e.RelativePath == "" {
		return e.Domain
	}
	return e.Domain + "/" + e.RelativePath
}

// IsDir says whether the entry is a folder. Some backups leave flags 0;
// the mode's type bits decide then.
func (e FileEntry) IsDir() bool {
	return e.Flags == FlagDir || (e.Flags == 0 && e.Mode&0o170000 == 0o040000)
}

// IsSymlink says whether the entry is a symbolic link.
func (e FileEntry) IsSymlink() bool {
	return e.Flags == FlagSymlink || (e.Flags == 0 && e.Mode&0o170000 == 0o120000)
}

// metaLimits bound one metadata blob: real ones are ~500 bytes.
var metaLimits = plistx.ArchiveLimits{Plist: plistx.Limits{MaxBytes: 1 << 20, MaxDepth: 16, MaxNodes: 10_000}, MaxNodes: 10_000, MaxDepth: 16}

// decodeMBFile fills e's metadata from the NSKeyedArchiver blob of Files.file.
func decodeMBFile(blob []byte, e *FileEntry) error {
	if len(blob) == 0 {
		return nil
	}
	v, err := plistx.UnarchiveLimits(blob, metaLimits)
	if err != nil {
		return fmt.Errorf("file %s metadata: %w", e.FileID, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("file %s metadata: root is %T, not an MBFile", e.FileID, v)
	}
	num := func(k string) int64 { n, _ := plistx.Int(m[k]); return n }
	unix := func(k, desc string) time.Time {
		n, ok := plistx.Int(m[k])
		if !ok {
			return time.Time{}
		}
		t, err := timestamp.UnixSeconds(n)
		if err != nil {
			e.RawTimes = append(e.RawTimes, model.NewRawTime(desc, err))
		}
		return t
	}
	e.Size = num("Size")
	e.Mode = uint32(num("Mode"))
	e.UID = num("UserID")
	e.GID = num("GroupID")
	e.Inode = num("InodeNumber")
	e.Birth = unix("Birth", "created")
	e.Modified = unix("LastModified", "modified")
	e.StatusChanged = unix("LastStatusChange", "status_changed")
	e.Target, _ = m["Target"].(string)
	pc, hasPC := plistx.Int(m["ProtectionClass"])
	e.ProtectionClass = int(pc)
	if key, ok := m["EncryptionKey"].([]byte); ok && len(key) > 4 {
		e.Encrypted = true
		e.wrappedKey = key[4:]
		// Some backups omit ProtectionClass; the key's prefix carries it.
		if !hasPC || pc == 0 {
			e.ProtectionClass = int(int32(binary.LittleEndian.Uint32(key[:4])))
		}
	}
	return nil
}

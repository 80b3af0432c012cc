package iosbackup

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/huella-project/huella/internal/crypto/keywrap"
)

// Keybag is the BackupKeyBag of Manifest.plist: how to turn the backup
// password into a key, and the class keys wrapped with it.
type Keybag struct {
	Version uint32
	Type    uint32
	UUID    []byte
	Salt    []byte // SALT, for the PBKDF2-SHA1 stage
	Iter    uint32 // ITER
	DPSL    []byte // salt of the PBKDF2-SHA256 stage (iOS 10.2 and later)
	DPIC    uint32 // its iteration count
	Classes map[uint32]*ClassKey
}

// ClassKey is one protection class key as stored in the keybag.
type ClassKey struct {
	Class   uint32
	Wrap    uint32 // bit 2 (value 2): wrapped with the backup password
	KeyType uint32
	Wrapped []byte // WPKY
}

const wrapPasscode = 2

// Bounds for hostile keybags: a real one is ~1 KB with 11 classes, and
// Apple's counts are 10,000,000 and 10,000. Larger counts would let a crafted
// backup keep huella busy for hours before the password could be checked.
const (
	maxKeybagBytes = 64 << 10
	maxClasses     = 64
	maxDPIC        = 100_000_000
	maxIter        = 10_000_000
)

// ParseKeybag reads the TLV sequence: 4-byte tag, 4-byte big-endian length,
// value. The first UUID names the keybag; each later UUID opens a class key.
func ParseKeybag(b []byte) (*Keybag, error) {
	if len(b) > maxKeybagBytes {
		return nil, fmt.Errorf("keybag: %d bytes, too large", len(b))
	}
	kb := &Keybag{Classes: map[uint32]*ClassKey{}}
	var cur *ClassKey
	seenUUID := false
	// Tags before the second UUID describe the keybag; after it, the class
	// key it opens.
	fields := kb.fields()
	flush := func() error {
		if cur == nil {
			return nil
		}
		if len(kb.Classes) >= maxClasses {
			return errors.New("keybag: too many class keys")
		}
		kb.Classes[cur.Class] = cur
		cur = nil
		return nil
	}
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, errors.New("keybag: truncated tag header")
		}
		tag := string(b[:4])
		n := binary.BigEndian.Uint32(b[4:8])
		if uint64(n) > uint64(len(b)-8) {
			return nil, fmt.Errorf("keybag: %s value runs past the end", printable(tag))
		}
		v := b[8 : 8+n]
		b = b[8+n:]
		if tag == "UUID" {
			if !seenUUID {
				seenUUID = true
				kb.UUID = v
				continue
			}
			if err := flush(); err != nil {
				return nil, err
			}
			cur = &ClassKey{}
			fields = cur.fields()
			continue
		}
		fields.set(tag, v)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(kb.Salt) == 0 || kb.Iter == 0 {
		return nil, errors.New("keybag: no SALT/ITER, cannot derive a key")
	}
	if kb.Iter > maxIter || kb.DPIC > maxDPIC {
		return nil, fmt.Errorf("keybag: iteration counts %d/%d are beyond any real backup", kb.DPIC, kb.Iter)
	}
	return kb, nil
}

// tagFields says where each known tag's value goes: a number (read from a
// 4-byte value; any other length reads as 0) or bytes. Unknown tags are
// skipped.
type tagFields struct {
	nums  map[string]*uint32
	bytes map[string]*[]byte
}

func (f tagFields) set(tag string, v []byte) {
	if p, ok := f.nums[tag]; ok {
		*p = 0
		if len(v) == 4 {
			*p = binary.BigEndian.Uint32(v)
		}
	} else if p, ok := f.bytes[tag]; ok {
		*p = v
	}
}

func (kb *Keybag) fields() tagFields {
	return tagFields{
		nums:  map[string]*uint32{"VERS": &kb.Version, "TYPE": &kb.Type, "ITER": &kb.Iter, "DPIC": &kb.DPIC},
		bytes: map[string]*[]byte{"SALT": &kb.Salt, "DPSL": &kb.DPSL},
	}
}

func (ck *ClassKey) fields() tagFields {
	return tagFields{
		nums:  map[string]*uint32{"CLAS": &ck.Class, "WRAP": &ck.Wrap, "KTYP": &ck.KeyType},
		bytes: map[string]*[]byte{"WPKY": &ck.Wrapped},
	}
}

func printable(tag string) string {
	for _, c := range []byte(tag) {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("%q", tag)
		}
	}
	return tag
}

// DeriveKey turns the password into the key that unwraps the class keys:
// PBKDF2-SHA256 over DPSL/DPIC (iOS 10.2 and later; this is the slow step),
// then PBKDF2-SHA1 over SALT/ITER.
func (kb *Keybag) DeriveKey(password string) ([]byte, error) {
	pw := password
	if len(kb.DPSL) > 0 && kb.DPIC > 0 {
		k, err := pbkdf2.Key(sha256.New, password, kb.DPSL, int(kb.DPIC), 32)
		if err != nil {
			return nil, err
		}
		pw = string(k)
	}
	return pbkdf2.Key(sha1.New, pw, kb.Salt, int(kb.Iter), 32)
}

// Unlock unwraps every password-protected class key. A failed integrity
// check means the password (or key) is wrong.
func (kb *Keybag) Unlock(key []byte) (map[uint32][]byte, error) {
	out := map[uint32][]byte{}
	for c, ck := range kb.Classes {
		if ck.Wrap&wrapPasscode == 0 || len(ck.Wrapped) == 0 {
			continue
		}
		k, err := keywrap.Unwrap(key, ck.Wrapped)
		if err != nil {
			if errors.Is(err, keywrap.ErrIntegrity) {
				return nil, ErrWrongPassword
			}
			return nil, fmt.Errorf("keybag class %d: %w", c, err)
		}
		out[c] = k
	}
	if len(out) == 0 {
		return nil, errors.New("keybag: no class key is protected by the backup password")
	}
	return out, nil
}

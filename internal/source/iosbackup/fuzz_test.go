package iosbackup

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/crypto/keywrap"
	"github.com/huella-project/huella/internal/source/iosbackup/iosbackuptest"
)

func tlv(tag string, v []byte) []byte {
	out := append([]byte(tag), 0, 0, 0, 0)
	binary.BigEndian.PutUint32(out[4:], uint32(len(v)))
	return append(out, v...)
}

func u32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

func sampleKeybag() []byte {
	var b []byte
	for _, p := range [][]byte{tlv("VERS", u32(5)), tlv("TYPE", u32(1)), tlv("UUID", make([]byte, 16)), tlv("WRAP", u32(0)),
		tlv("SALT", make([]byte, 20)), tlv("ITER", u32(10)), tlv("DPSL", make([]byte, 20)), tlv("DPIC", u32(10)),
		tlv("UUID", make([]byte, 16)), tlv("CLAS", u32(3)), tlv("WRAP", u32(3)), tlv("KTYP", u32(0)), tlv("WPKY", make([]byte, 40)),
		tlv("UUID", make([]byte, 16)), tlv("CLAS", u32(4)), tlv("WRAP", u32(1)), tlv("WPKY", make([]byte, 40))} {
		b = append(b, p...)
	}
	return b
}

func TestParseKeybag(t *testing.T) {
	good := sampleKeybag()
	kb, err := ParseKeybag(good)
	if err != nil {
		t.Fatal(err)
	}
	if kb.Version != 5 || kb.Iter != 10 || kb.DPIC != 10 || len(kb.Classes) != 2 || kb.Classes[3].Wrap != 3 || len(kb.Classes[3].Wrapped) != 40 {
		t.Errorf("keybag %+v", kb)
	}
	cases := map[string][]byte{
		"truncated header": good[:len(good)-45],
		"length past end":  append(bytes.Clone(good), tlv("XXXX", nil)[:6]...),
		// A whole header whose length runs 2 bytes past the end.
		"value past end": append(bytes.Clone(good), append(tlv("XXXX", nil)[:4], 0, 0, 0, 5, 'a', 'b', 'c')...),
		"no salt":        append(tlv("ITER", u32(10)), tlv("UUID", nil)...),
		"huge dpic":      append(append(tlv("SALT", make([]byte, 20)), tlv("ITER", u32(10))...), tlv("DPIC", u32(4_000_000_000))...),
		"too big":        make([]byte, maxKeybagBytes+1),
	}
	for name, in := range cases {
		if _, err := ParseKeybag(in); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	// A keybag whose password-wrapped keys do not unwrap reports a wrong password.
	if _, err := kb.Unlock(make([]byte, 32)); err != ErrWrongPassword {
		t.Errorf("Unlock: %v", err)
	}
}

// Every tag lands in its own field, numbers only from 4-byte values, and
// the keybag's own tags after a class key's UUID belong to nobody.
func TestParseKeybagFields(t *testing.T) {
	var b []byte
	for _, p := range [][]byte{tlv("VERS", u32(4)), tlv("TYPE", []byte{1, 2}), tlv("UUID", []byte("kb")),
		tlv("SALT", []byte("salt")), tlv("ITER", u32(7)), tlv("DPSL", []byte("dpsl")), tlv("DPIC", u32(9)), tlv("ZZZZ", u32(1)),
		tlv("UUID", []byte("c1")), tlv("CLAS", u32(5)), tlv("WRAP", u32(2)), tlv("KTYP", u32(1)), tlv("WPKY", []byte("wrapped")),
		tlv("ITER", u32(99)), tlv("SALT", []byte("late"))} {
		b = append(b, p...)
	}
	kb, err := ParseKeybag(b)
	if err != nil {
		t.Fatal(err)
	}
	want := Keybag{Version: 4, Type: 0, UUID: []byte("kb"), Salt: []byte("salt"), Iter: 7, DPSL: []byte("dpsl"), DPIC: 9,
		Classes: map[uint32]*ClassKey{5: {Class: 5, Wrap: 2, KeyType: 1, Wrapped: []byte("wrapped")}}}
	if !reflect.DeepEqual(*kb, want) {
		t.Errorf("got %+v (class %+v)\nwant %+v", *kb, kb.Classes[5], want)
	}
}

func TestPlainSize(t *testing.T) {
	pad := func(n byte) []byte { return bytes.Repeat([]byte{n}, 16) }
	cases := []struct {
		name     string
		total    int64
		last     []byte
		want     int64
		size     int64
		withNote bool
	}{
		{"exact", 32, append(bytes.Repeat([]byte{'a'}, 11), 5, 5, 5, 5, 5), 27, 27, false},
		{"full pad block", 32, pad(16), 16, 16, false},
		{"manifest shorter", 32, pad(16), 10, 10, true},
		{"manifest longer", 32, pad(16), 100, 16, true},
		{"bad padding", 32, pad(0), 20, 20, true},
		{"empty", 0, nil, 0, 0, true},
		// The manifest records exactly what was decrypted: its size wins even
		// when the last block happens to look like padding.
		{"manifest equals decrypted length", 32, pad(16), 32, 32, true},
		// A last byte of 0 is never padding (PKCS#7 pads with 1 to 16).
		{"zero is not padding", 32, pad(0), 32, 32, true},
		// Stored data shorter than the manifest and no valid padding: keep
		// every decrypted byte, never extend the file to the manifest's size.
		{"manifest longer, no valid padding", 32, pad(0), 100, 32, true},
		// A last byte of 4 is padding only when the three before it are 4 too;
		// otherwise nothing is cut.
		{"padding bytes are verified", 32, append(bytes.Repeat([]byte{'a'}, 12), 1, 4, 4, 4), 100, 32, true},
		{"padding bytes verified, manifest shorter", 32, append(bytes.Repeat([]byte{'a'}, 12), 1, 4, 4, 4), 28, 28, true},
	}
	for _, c := range cases {
		size, note := plainSize(c.total, c.last, c.want)
		if size != c.size || (note != "") != c.withNote {
			t.Errorf("%s: size %d note %q", c.name, size, note)
		}
	}
}

// TestUnlockSkipsDeviceOnlyClasses: only class keys wrapped with the backup
// password (WRAP bit 2) are unwrapped with it. A class wrapped only by the
// device key must be skipped, not taken as a sign of a wrong password.
func TestUnlockSkipsDeviceOnlyClasses(t *testing.T) {
	pwKey := bytes.Repeat([]byte{7}, 32)
	classKey := bytes.Repeat([]byte{9}, 32)
	wrapped, err := keywrap.Wrap(pwKey, classKey)
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	for _, p := range [][]byte{tlv("VERS", u32(5)), tlv("TYPE", u32(1)), tlv("UUID", make([]byte, 16)), tlv("WRAP", u32(0)),
		tlv("SALT", make([]byte, 20)), tlv("ITER", u32(10)),
		tlv("UUID", make([]byte, 16)), tlv("CLAS", u32(3)), tlv("WRAP", u32(3)), tlv("WPKY", wrapped),
		tlv("UUID", make([]byte, 16)), tlv("CLAS", u32(4)), tlv("WRAP", u32(1)), tlv("WPKY", bytes.Repeat([]byte{1}, 40))} {
		b = append(b, p...)
	}
	kb, err := ParseKeybag(b)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kb.Unlock(pwKey)
	if err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if len(keys) != 1 || !bytes.Equal(keys[3], classKey) {
		t.Errorf("keys %x", keys)
	}
}

// TestDecryptRejectsPartialBlocks: a ciphertext that is not a whole number of
// AES blocks is an error naming the problem, never a panic in the cipher.
func TestDecryptRejectsPartialBlocks(t *testing.T) {
	key := make([]byte, 32)
	for _, n := range []int{1, 15, 17, 33, chunk + 1} {
		var out bytes.Buffer
		_, _, err := decryptCBC(key, bytes.NewReader(make([]byte, n)), &out)
		if err == nil {
			t.Errorf("%d bytes accepted", n)
		}
	}
	var out bytes.Buffer
	if total, last, err := decryptCBC(key, bytes.NewReader(make([]byte, 48)), &out); err != nil || total != 48 || len(last) != 16 || out.Len() != 48 {
		t.Errorf("48 bytes: %d %d %v", total, len(last), err)
	}
}

func FuzzParseKeybag(f *testing.F) {
	f.Add(sampleKeybag())
	f.Add([]byte("UUID\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		kb, err := ParseKeybag(b)
		if err == nil && (kb.Iter == 0 || len(kb.Salt) == 0) {
			t.Fatal("accepted a keybag without derivation parameters")
		}
	})
}

func FuzzDecodeMBFile(f *testing.F) {
	f.Add(iosbackuptest.MBFile(iosbackuptest.File{Domain: "D", Path: "a/b", Flags: 1}, 5, nil))
	f.Add(iosbackuptest.MBFile(iosbackuptest.File{Domain: "D", Path: "a", Flags: 1}, 5, make([]byte, 44)))
	f.Fuzz(func(t *testing.T, blob []byte) {
		var e FileEntry
		_ = decodeMBFile(blob, &e)
	})
}

// TestMBFileTimesOutsideTheRange: a file time Manifest.db stores that is no
// date between 1970 and 2100 is kept as stored, and the time left unset.
func TestMBFileTimesOutsideTheRange(t *testing.T) {
	far := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	var e FileEntry
	if err := decodeMBFile(iosbackuptest.MBFile(iosbackuptest.File{Domain: "D", Path: "a", Flags: 1, Modified: far, Birth: ok}, 5, nil), &e); err != nil {
		t.Fatal(err)
	}
	if !e.Modified.IsZero() || !e.StatusChanged.IsZero() || !e.Birth.Equal(ok) {
		t.Errorf("times: modified %v changed %v birth %v", e.Modified, e.StatusChanged, e.Birth)
	}
	raw := strconv.FormatInt(far.Unix(), 10)
	if len(e.RawTimes) != 2 || e.RawTimes[0].Desc != "modified" || e.RawTimes[0].Raw != raw || e.RawTimes[1].Desc != "status_changed" {
		t.Errorf("raw times %+v", e.RawTimes)
	}
}

package iosbackup

import (
	"bytes"
	"encoding/binary"
	"testing"

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
		"no salt":          append(tlv("ITER", u32(10)), tlv("UUID", nil)...),
		"huge dpic":        append(append(tlv("SALT", make([]byte, 20)), tlv("ITER", u32(10))...), tlv("DPIC", u32(4_000_000_000))...),
		"too big":          make([]byte, maxKeybagBytes+1),
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

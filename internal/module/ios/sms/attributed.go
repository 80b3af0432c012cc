package sms

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/plistx"
)

// maxBodyBytes bounds what a message body decoded from attributedBody may be;
// iMessage caps text far below this.
const maxBodyBytes = 1 << 20

// BodyText extracts the plain string from a message's attributedBody. Since
// iOS 16 many rows keep text NULL and store the body only there, as an
// NSAttributedString archived either with NeXT typedstream ("streamtyped")
// or, more rarely, NSKeyedArchiver. ok is false when no string was found.
func BodyText(blob []byte) (string, bool) {
	if len(blob) == 0 {
		return "", false
	}
	if bytes.HasPrefix(blob, []byte("bplist")) {
		return keyedArchiveString(blob)
	}
	return typedStreamString(blob)
}

// typedStreamString finds the first NSString in a typedstream. After the
// class name comes the class version and a type signature "+" (a C string of
// bytes), then the byte count in typedstream's integer encoding: one signed
// byte, or 0x81 followed by int16, or 0x82 followed by int32 (little-endian).
func typedStreamString(b []byte) (string, bool) {
	for _, marker := range [][]byte{[]byte("NSString"), []byte("NSMutableString")} {
		i := bytes.Index(b, marker)
		if i < 0 {
			continue
		}
		rest := b[i+len(marker):]
		// The signature follows within a few bytes (version, end-of-class and
		// type markers); a far-away '+' would be part of something else.
		j := bytes.IndexByte(rest[:min(len(rest), 16)], '+')
		if j < 0 {
			continue
		}
		rest = rest[j+1:]
		n, hdr, ok := typedInt(rest)
		if !ok || n <= 0 || n > maxBodyBytes || hdr+n > len(rest) {
			continue
		}
		s := rest[hdr : hdr+n]
		if !utf8.Valid(s) {
			return strings.ToValidUTF8(string(s), "\uFFFD"), true
		}
		return string(s), true
	}
	return "", false
}

func typedInt(b []byte) (n, hdr int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	switch b[0] {
	case 0x81:
		if len(b) < 3 {
			return 0, 0, false
		}
		return int(int16(binary.LittleEndian.Uint16(b[1:3]))), 3, true
	case 0x82:
		if len(b) < 5 {
			return 0, 0, false
		}
		return int(int32(binary.LittleEndian.Uint32(b[1:5]))), 5, true
	}
	if b[0] >= 0x80 {
		return 0, 0, false // other tags (nil, new object, ...): not a length
	}
	return int(b[0]), 1, true
}

// keyedArchiveString takes the NS.string of the first object that has one.
func keyedArchiveString(blob []byte) (string, bool) {
	root, err := plistx.DecodeDict(blob, plistx.Limits{MaxBytes: 4 * maxBodyBytes, MaxNodes: 100_000})
	if err != nil {
		return "", false
	}
	objs, _ := root["$objects"].([]any)
	for _, o := range objs {
		d, ok := o.(map[string]any)
		if !ok {
			continue
		}
		switch s := d["NS.string"].(type) {
		case string:
			return s, true
		}
		if b, ok := d["NS.bytes"].([]byte); ok && utf8.Valid(b) {
			return string(b), true
		}
	}
	// A root NSString may be stored directly as a string object that the
	// archive's top "root" points at.
	top, _ := root["$top"].(map[string]any)
	if uid, ok := top["root"]; ok {
		if idx, ok := uidIndex(uid); ok && idx < len(objs) {
			if s, ok := objs[idx].(string); ok && s != "$null" {
				return s, true
			}
		}
	}
	return "", false
}

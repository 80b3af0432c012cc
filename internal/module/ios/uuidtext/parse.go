package uuidtext

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Magic opens every uuidtext file (little-endian 0x66778899).
const Magic = 0x66778899

// maxPath bounds the footer path: a real one is a binary's path.
const maxPath = 4096

// Footer returns the path of the binary a uuidtext file describes. The
// file (libyal's "Apple Unified Logging and Activity Tracing formats"
// describes it) is a 16-byte header (magic, major and minor version, the
// number of entries, each uint32 little-endian), one 8-byte descriptor per
// entry (offset, size), the entries' format strings (the sizes summed),
// then a footer: the binary's path, NUL-terminated. Every size is checked
// against the file's length before it is used.
func Footer(b []byte) (string, error) {
	if len(b) < 16 {
		return "", errors.New("shorter than a uuidtext header")
	}
	if binary.LittleEndian.Uint32(b) != Magic {
		return "", fmt.Errorf("not a uuidtext file (magic %#x)", binary.LittleEndian.Uint32(b))
	}
	n := uint64(binary.LittleEndian.Uint32(b[12:]))
	rest := uint64(len(b) - 16)
	if n > rest/8 {
		return "", fmt.Errorf("declares %d entries, the file holds at most %d", n, rest/8)
	}
	off := 16 + 8*n
	var sum uint64
	for i := uint64(0); i < n; i++ {
		sum += uint64(binary.LittleEndian.Uint32(b[16+8*i+4:]))
		if sum > uint64(len(b)) {
			return "", errors.New("its entries are larger than the file")
		}
	}
	start := off + sum
	if start >= uint64(len(b)) {
		return "", errors.New("no footer after the entries")
	}
	foot := b[start:]
	if i := bytes.IndexByte(foot, 0); i >= 0 {
		foot = foot[:i]
	}
	if len(foot) == 0 || len(foot) > maxPath || !utf8.Valid(foot) || foot[0] != '/' {
		return "", errors.New("the footer is not a path")
	}
	return string(foot), nil
}

// Build writes a uuidtext file holding format strings and the footer path
// (tests and sample generation).
func Build(path string, formats ...string) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, Magic)
	b = binary.LittleEndian.AppendUint32(b, 2)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(formats)))
	at := uint32(0x1000)
	for _, f := range formats {
		b = binary.LittleEndian.AppendUint32(b, at)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)+1))
		at += uint32(len(f) + 1)
	}
	for _, f := range formats {
		b = append(append(b, f...), 0)
	}
	return append(append(b, path...), 0)
}

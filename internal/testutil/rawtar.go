package testutil

import (
	"bytes"
	"fmt"
)

// TarHeader is a raw ustar header block, for tests that build archives
// archive/tar refuses to write (sparse entries by hand, lying sizes, odd
// types): name, type flag and declared size as given, checksum right.
func TarHeader(name string, typ byte, size int64) [512]byte {
	var h [512]byte
	copy(h[0:100], name)
	copy(h[100:108], "0000644\x00")
	copy(h[108:116], "0000000\x00")
	copy(h[116:124], "0000000\x00")
	copy(h[124:136], fmt.Sprintf("%011o\x00", size))
	copy(h[136:148], fmt.Sprintf("%011o\x00", 1700000000))
	h[156] = typ
	copy(h[257:263], "ustar\x00")
	copy(h[263:265], "00")
	copy(h[148:156], "        ")
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return h
}

// TarBlock writes header h and data to w, padding data to a whole block.
func TarBlock(w *bytes.Buffer, h [512]byte, data []byte) {
	w.Write(h[:])
	w.Write(data)
	if pad := len(data) % 512; pad != 0 {
		w.Write(make([]byte, 512-pad))
	}
}

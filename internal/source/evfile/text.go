package evfile

import (
	"bytes"
	"errors"
	"io"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Text saved through a Windows shell ("adb shell getprop > getprop.txt" in
// PowerShell 5, "dumpsys > x.txt" in cmd with /U) is UTF-16 little-endian,
// usually with a byte-order mark, sometimes without; PowerShell 7 and
// Notepad write UTF-8 with a byte-order mark. Parsers read UTF-8 lines, so
// the bounded reader's text path hands them UTF-8 whatever was saved.

// textEncoding is what sniff found.
type textEncoding int

const (
	plainText textEncoding = iota // UTF-8 or ASCII, as is
	utf8BOM                       // UTF-8 after a byte-order mark
	utf16LE
	utf16BE
)

// sniffLen is how much of the start the encoding is judged on.
const sniffLen = 512

// sniff recognises UTF-16 by its byte-order mark, or, without one, by the
// pattern ASCII text takes in it: a NUL in every other byte (the odd ones
// in little-endian, the even ones in big-endian), the other half not NUL.
// It returns the encoding and how many bytes of mark to skip.
func sniff(b []byte) (textEncoding, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		return utf8BOM, 3
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return utf16LE, 2
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return utf16BE, 2
	}
	pairs := len(b) / 2
	if pairs < 2 {
		return plainText, 0
	}
	even, odd := 0, 0
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	// At least 40% of the pairs have the pattern and almost none the
	// other way round: binary junk or UTF-8 text never looks like this.
	switch {
	case odd*10 >= pairs*4 && even*20 <= pairs:
		return utf16LE, 0
	case even*10 >= pairs*4 && odd*20 <= pairs:
		return utf16BE, 0
	}
	return plainText, 0
}

func decoder(e textEncoding) transform.Transformer {
	if e == utf16BE {
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
	}
	return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
}

// DecodeText returns b as UTF-8: UTF-16 (by mark or by pattern) decoded,
// a UTF-8 byte-order mark removed, anything else unchanged. Invalid
// UTF-16 becomes U+FFFD, never an error: a damaged line must not hide the
// rest.
func DecodeText(b []byte) []byte {
	enc, skip := sniff(b[:min(len(b), sniffLen)])
	switch enc {
	case plainText:
		return b
	case utf8BOM:
		return b[skip:]
	}
	out, _, err := transform.Bytes(decoder(enc), b[skip:])
	if err != nil {
		return b
	}
	return out
}

// NewTextReader is DecodeText for a stream: the first bytes decide, the
// rest is decoded as it is read.
func NewTextReader(r io.Reader) io.Reader {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return &errReader{err}
	}
	head = head[:n]
	enc, skip := sniff(head)
	rest := io.MultiReader(bytes.NewReader(head[skip:]), r)
	if enc == plainText || enc == utf8BOM {
		return rest
	}
	return transform.NewReader(rest, decoder(enc))
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

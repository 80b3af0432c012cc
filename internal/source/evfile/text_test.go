package evfile

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/fstest"
	"testing/iotest"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
)

func utf16(t *testing.T, s string, order unicode.Endianness, bom unicode.BOMPolicy) []byte {
	t.Helper()
	b, err := unicode.UTF16(order, bom).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeText(t *testing.T) {
	const text = "[ro.product.model]: [Pixel 9]\r\n[persist.sys.timezone]: [América/México]\r\n"
	binary := []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0xb7, 0}
	cases := []struct {
		name string
		in   []byte
		want []byte
	}{
		{"UTF-16LE with mark", utf16(t, text, unicode.LittleEndian, unicode.UseBOM), []byte(text)},
		{"UTF-16LE without mark", utf16(t, text, unicode.LittleEndian, unicode.IgnoreBOM), []byte(text)},
		{"UTF-16BE with mark", utf16(t, text, unicode.BigEndian, unicode.UseBOM), []byte(text)},
		{"UTF-16BE without mark", utf16(t, text, unicode.BigEndian, unicode.IgnoreBOM), []byte(text)},
		{"UTF-8 with mark", append([]byte{0xef, 0xbb, 0xbf}, text...), []byte(text)},
		{"UTF-8", []byte(text), []byte(text)},
		{"binary is left alone", binary, binary},
		{"empty", nil, nil},
		{"one byte", []byte("a"), []byte("a")},
		{"UTF-16LE cut in the middle of a character", utf16(t, "ab", unicode.LittleEndian, unicode.UseBOM)[:5], []byte("a\ufffd")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DecodeText(c.in); !bytes.Equal(got, c.want) {
				t.Errorf("DecodeText = %q, want %q", got, c.want)
			}
			// The same through a stream read one byte at a time: the
			// decision is taken on the first bytes, characters split
			// across reads are joined.
			got, err := io.ReadAll(NewTextReader(iotest.OneByteReader(bytes.NewReader(c.in))))
			if err != nil || !bytes.Equal(got, c.want) {
				t.Errorf("NewTextReader = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// Text opened through the bounded reader with a text limit is decoded;
// the limit counts the file's own bytes, and a refusal still names it.
func TestTextLimitDecodes(t *testing.T) {
	long := bytes.Repeat([]byte("line of getprop output\n"), 2000)
	fsys := fstest.MapFS{
		"getprop.txt": {Data: utf16(t, string(long), unicode.LittleEndian, unicode.UseBOM)},
		"big.txt":     {Data: utf16(t, string(long), unicode.LittleEndian, unicode.UseBOM)},
	}
	b, err := ReadFile(fsys, "getprop.txt", Text)
	if err != nil || !bytes.Equal(b, long) {
		t.Fatalf("ReadFile(Text) = %d bytes, %v", len(b), err)
	}
	f, err := Open(fsys, "getprop.txt", TextStream)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(got, long) {
		t.Fatalf("Open(TextStream) = %d bytes, %v", len(got), err)
	}
	small := Limit{Kind: "text file", Max: int64(len(long)), Text: true} // the UTF-16 file is twice that
	f, err = Open(fsys, "big.txt", Limit{Kind: "text file", Max: 1 << 30, Text: true})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadFile(fsys, "big.txt", small); !IsRefused(err) {
		t.Errorf("over the limit in its own bytes: %v, want a refusal", err)
	}
	if !utf8.Valid(got) {
		t.Error("decoded text is not UTF-8")
	}
}

// A structured file (database, property list, JSON) of 0 bytes is "present
// but empty", an *EmptyError naming it, never content a parser fails on;
// an empty text file is just empty.
func TestEmptyFiles(t *testing.T) {
	fsys := fstest.MapFS{"prefs.plist": {Data: nil}, "log.txt": {Data: nil}, "ok.plist": {Data: []byte("bplist00")}}
	_, err := ReadFile(fsys, "prefs.plist", Plist)
	var ee *EmptyError
	if !errors.As(err, &ee) || ee.Name != "prefs.plist" || !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty plist: %v", err)
	}
	if b, err := ReadFile(fsys, "log.txt", Text); err != nil || len(b) != 0 {
		t.Errorf("empty text: %q, %v", b, err)
	}
	if _, err := ReadFile(fsys, "ok.plist", Plist); err != nil {
		t.Errorf("non-empty plist: %v", err)
	}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&EmptyError{Name: "a"}, true},
		{errors.Join(&EmptyError{Name: "a"}, &EmptyError{Name: "b"}), true},
		{errors.Join(&EmptyError{Name: "a"}, errors.New("unknown schema")), false},
		{errors.New("x"), false},
		{nil, false},
	} {
		if got := OnlyEmpty(c.err); got != c.want {
			t.Errorf("OnlyEmpty(%v) = %v", c.err, got)
		}
	}
}

// FuzzDecodeText: whatever the bytes, decoding never panics, text the
// sniffer calls UTF-16 comes out as valid UTF-8, and anything else comes
// out unchanged (but for a UTF-8 byte-order mark); the stream gives the
// same bytes as the whole.
func FuzzDecodeText(f *testing.F) {
	f.Add([]byte("\xff\xfea\x00b\x00"))
	f.Add([]byte("a\x00b\x00c\x00"))
	f.Add([]byte("\xef\xbb\xbfhola"))
	f.Add([]byte("plain text\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out := DecodeText(b)
		enc, _ := sniff(b[:min(len(b), sniffLen)])
		switch enc {
		case utf16LE, utf16BE:
			if !utf8.Valid(out) {
				t.Fatalf("UTF-16 decoded to invalid UTF-8: %q", out)
			}
		case plainText:
			if !bytes.Equal(out, b) {
				t.Fatalf("plain text changed")
			}
		}
		s, err := io.ReadAll(NewTextReader(bytes.NewReader(b)))
		if err != nil || !bytes.Equal(s, out) {
			t.Fatalf("stream %q, %v; whole %q", s, err, out)
		}
	})
}

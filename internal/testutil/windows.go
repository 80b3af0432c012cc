package testutil

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// WindowsEncodings are the ways a Windows shell saves what adb prints:
// CRLF line ends, in UTF-8 with a byte-order mark (PowerShell 7, Notepad)
// or UTF-16 (PowerShell 5's "adb shell getprop > getprop.txt", cmd /U),
// little-endian with or without a mark, or big-endian.
var WindowsEncodings = []string{"crlf", "utf-8-bom", "utf-16le-bom", "utf-16le", "utf-16be-bom"}

// SavedOnWindows returns s (UTF-8 text with LF line ends) as a Windows
// shell would have saved it in enc (one of WindowsEncodings).
func SavedOnWindows(t testing.TB, s, enc string) string {
	t.Helper()
	s = strings.ReplaceAll(s, "\n", "\r\n")
	var e encoding.Encoding
	switch enc {
	case "crlf":
		return s
	case "utf-8-bom":
		return "\ufeff" + s
	case "utf-16le-bom":
		e = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	case "utf-16le":
		e = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case "utf-16be-bom":
		e = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	default:
		t.Fatalf("unknown encoding %q", enc)
	}
	out, err := e.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

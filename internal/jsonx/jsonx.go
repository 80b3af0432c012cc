// Package jsonx holds what the readers of JSON evidence share (App Privacy
// Report, Safari's export, Android's Intrusion Logging, crash reports' and
// Zeek's fields, and huella's own timeline.jsonl read back): reading a
// JSON-lines file one bounded line at a time, and reading an
// object one level at a time, where a field that is missing or of another
// type is the zero value rather than an error (exports vary between
// releases, and a crafted one may put anything anywhere).
package jsonx

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// NextLine returns the next line of br with its line end, or what is left
// at the end of the input. A line longer than max is skipped, never held:
// it comes back as long=true with no bytes. err is br's (io.EOF at the end).
func NextLine(br *bufio.Reader, max int) (line []byte, long bool, err error) {
	var buf []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(buf)+len(frag) > max {
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err == nil || err == io.EOF {
				return nil, true, err
			}
			return nil, false, err
		}
		buf = append(buf, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		return buf, false, err
	}
}

// Object decodes b as a JSON object whose values are left undecoded; ok is
// false for anything else (null included).
func Object(b []byte) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// FirstObject decodes the first line of text that is not blank, among its
// first maxLines lines (0: any), as a JSON object: a file's head, to tell
// JSON-lines formats apart by their keys. ok is false when that line is no
// object, or there is none.
func FirstObject(text []byte, maxLines int) (map[string]json.RawMessage, bool) {
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), len(text)+1)
	for i := 0; (maxLines <= 0 || i < maxLines) && sc.Scan(); i++ {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			return Object(line)
		}
	}
	return nil, false
}

// Sub is the object under key k of m, nil when it is none.
func Sub(m map[string]json.RawMessage, k string) map[string]json.RawMessage {
	o, _ := Object(m[k])
	return o
}

// String is the string under key k of m; anything else (a number, an
// object) is "".
func String(m map[string]json.RawMessage, k string) string {
	var s string
	if json.Unmarshal(m[k], &s) != nil {
		return ""
	}
	return s
}

// Text is a string or a number as its text (formats print the same field
// either way across versions); ok is false for anything else.
func Text(v json.RawMessage) (s string, ok bool) {
	if json.Unmarshal(v, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String(), true
	}
	return "", false
}

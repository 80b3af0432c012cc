package evfile

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// ReadCapped gives at most the bytes allowed, then EOF when the source
// ends there, ErrPastCap when it holds more, and the source's own error
// otherwise.
func TestReadCapped(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		r       io.Reader
		left    int64
		want    string
		wantErr error
	}{
		{"shorter than allowed", strings.NewReader("abc"), 5, "abc", io.EOF},
		{"exactly allowed", strings.NewReader("abcde"), 5, "abcde", io.EOF},
		{"one byte more", strings.NewReader("abcdef"), 5, "abcde", ErrPastCap},
		{"nothing allowed, empty", strings.NewReader(""), 0, "", io.EOF},
		{"nothing allowed, one byte", strings.NewReader("x"), 0, "", ErrPastCap},
		{"one byte at a time", iotest.OneByteReader(strings.NewReader("abcdefgh")), 4, "abcd", ErrPastCap},
		{"source fails", iotest.ErrReader(boom), 5, "", boom},
		{"source fails at the cap", io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(boom)), 2, "ab", boom},
	}
	for _, tt := range tests {
		left := tt.left
		var got []byte
		var err error
		buf := make([]byte, 3)
		for range 100 {
			var n int
			n, err = ReadCapped(tt.r, buf, &left)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		if string(got) != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: read %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
		if left != tt.left-int64(len(got)) {
			t.Errorf("%s: %d left after reading %d of %d", tt.name, left, len(got), tt.left)
		}
	}
}

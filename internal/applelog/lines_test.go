package applelog

import (
	"errors"
	"strings"
	"testing"
)

// A line over the bound ends the reading with an error naming it; the
// lines before were read.
func TestLinesTooLong(t *testing.T) {
	l := NewLines(strings.NewReader("one\ntwo\n"+strings.Repeat("x", 10000)+"\nfour\n"), 5000)
	var got []string
	for l.Scan() {
		got = append(got, l.Text())
	}
	if strings.Join(got, ",") != "one,two" || l.N != 2 {
		t.Errorf("read %q (N=%d), want one,two", got, l.N)
	}
	var long *TooLongError
	if err := l.Err(); !errors.As(err, &long) || err.Error() != "line 3 longer than 5000 bytes" {
		t.Errorf("Err() = %v, want line 3 longer than 5000 bytes", err)
	}
	l = NewLines(strings.NewReader("a\nb"), 16)
	for l.Scan() {
	}
	if l.Err() != nil || l.N != 2 {
		t.Errorf("clean file: N=%d, err %v", l.N, l.Err())
	}
}

package applelog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Lines reads a text file of a sysdiagnose or a phone's log one line at a
// time (bufio.Scanner), each line at most max bytes. No real file has a
// longer line, so one ends the reading with a TooLongError naming it (the
// bound is at least 4096 bytes, the buffer it starts with): the
// caller keeps what came before and reports the rest as not read.
type Lines struct {
	sc  *bufio.Scanner
	max int
	// N is the number of lines read so far.
	N int
}

// NewLines returns a Lines over r.
func NewLines(r io.Reader, max int) *Lines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), max)
	return &Lines{sc: sc, max: max}
}

// Scan advances to the next line; false at the end or on an error.
func (l *Lines) Scan() bool {
	if !l.sc.Scan() {
		return false
	}
	l.N++
	return true
}

// Text is the current line, without its line end.
func (l *Lines) Text() string { return l.sc.Text() }

// Bytes is the current line, valid until the next Scan.
func (l *Lines) Bytes() []byte { return l.sc.Bytes() }

// Err is what ended the reading, nil at the end of the input.
func (l *Lines) Err() error {
	err := l.sc.Err()
	if errors.Is(err, bufio.ErrTooLong) {
		return &TooLongError{Line: l.N + 1, Max: l.max}
	}
	return err
}

// TooLongError is a line over the bound: Line is its number, from 1.
type TooLongError struct{ Line, Max int }

func (e *TooLongError) Error() string {
	return fmt.Sprintf("line %d longer than %d bytes", e.Line, e.Max)
}

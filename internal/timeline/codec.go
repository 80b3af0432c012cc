package timeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/huella-project/huella/internal/model"
)

// The spill format is ours and short-lived (a private temporary file read
// back by the same process): per event, the time as Unix seconds (signed
// varint) and nanoseconds (uvarint, below 1e9), a severity byte (0 = none,
// else severity+1), then length-prefixed strings and string lists. It is
// several times cheaper than gob for this shape.
//
// Seconds and nanoseconds round-trip every time.Time: UnixNano covers only
// 1678–2262, so an event dated 3554 came back as 1800 and broke the merge
// order. time.Time.Unix wraps for times near its own limits, and time.Unix
// wraps back the same way, so even those come back exact.

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendEvent(b []byte, e *model.Event) []byte {
	b = binary.AppendVarint(b, e.Time.Unix())
	b = binary.AppendUvarint(b, uint64(e.Time.Nanosecond()))
	sev := byte(0)
	if e.Severity != nil {
		sev = byte(*e.Severity) + 1
	}
	b = append(b, sev)
	b = appendString(b, e.Module)
	b = appendString(b, e.Desc)
	b = appendString(b, e.Summary)
	b = appendString(b, e.Source)
	b = appendStrings(b, e.Hosts)
	return appendStrings(b, e.Processes)
}

// maxField bounds one decoded string: the file is ours, but a corrupted
// temporary file must give an error, not an allocation of any size.
const maxField = 64 << 20

var errCorrupt = errors.New("timeline spill file is corrupt")

func readString(r *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return "", err
	}
	if n > maxField {
		return "", errCorrupt
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", err
	}
	return string(buf), nil
}

func readStrings(r *bufio.Reader) ([]string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	if n > 1<<20 {
		return nil, errCorrupt
	}
	out := make([]string, n)
	for i := range out {
		if out[i], err = readString(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var severities = [...]model.Severity{model.Informational, model.Low, model.Medium, model.High, model.Critical}

func readEvent(r *bufio.Reader, e *model.Event) error {
	sec, err := binary.ReadVarint(r)
	if err != nil {
		return err // io.EOF at a clean end
	}
	unexpected := func(err error) error {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: %v", errCorrupt, io.ErrUnexpectedEOF)
		}
		return err
	}
	ns, err := binary.ReadUvarint(r)
	if err != nil {
		return unexpected(err)
	}
	if ns >= 1e9 {
		return errCorrupt
	}
	sev, err := r.ReadByte()
	if err != nil {
		return unexpected(err)
	}
	*e = model.Event{Time: time.Unix(sec, int64(ns)).UTC()}
	if sev > 0 {
		if int(sev) > len(severities) {
			return errCorrupt
		}
		e.Severity = &severities[sev-1]
	}
	for _, p := range []*string{&e.Module, &e.Desc, &e.Summary, &e.Source} {
		if *p, err = readString(r); err != nil {
			return unexpected(err)
		}
	}
	if e.Hosts, err = readStrings(r); err != nil {
		return unexpected(err)
	}
	if e.Processes, err = readStrings(r); err != nil {
		return unexpected(err)
	}
	return nil
}

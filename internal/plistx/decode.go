// Package plistx decodes property lists from evidence with bounds that
// howett.net/plist does not enforce on its own: input size, nesting depth and
// the number of values the decoded tree expands to. A binary plist can make
// one object reachable along many paths, so a 1 KB file can describe a tree
// of 2^60 nodes; the checks here run before decoding and reject such files.
package plistx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
	"howett.net/plist"
)

// Limits bound one decode. Zero fields take the DefaultLimits value.
type Limits struct {
	MaxBytes int // input size
	MaxDepth int // nesting of arrays and dictionaries
	MaxNodes int // values in the decoded tree, shared subtrees counted each time
}

// DefaultLimits fit every plist seen on phones (the largest, Info.plist with
// app metadata, has tens of thousands of values) with a wide margin.
var DefaultLimits = Limits{MaxBytes: 64 << 20, MaxDepth: 128, MaxNodes: 2_000_000}

// ErrLimit is wrapped by every error about a limit being exceeded.
var ErrLimit = errors.New("plist exceeds limits")

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = DefaultLimits.MaxNodes
	}
	return l
}

// Decode parses a binary, XML or OpenStep plist into Go values:
// map[string]any, []any, string, uint64/int64, float64, bool, []byte,
// time.Time and plist.UID.
func Decode(data []byte, lim Limits) (any, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrLimit, len(data), lim.MaxBytes)
	}
	var err error
	switch {
	case bytes.HasPrefix(data, []byte("bplist")):
		err = checkBinary(data, lim)
	case bytes.HasPrefix(bytes.TrimLeft(data, "\xef\xbb\xbf \t\r\n"), []byte("<")):
		err = checkXML(data, lim)
	default:
		err = checkText(data, lim)
	}
	if err != nil {
		return nil, err
	}
	var v any
	if _, err := plist.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("invalid plist: %w", err)
	}
	return keepBadDates(v, 0), nil
}

// keepBadDates replaces every date outside 1970–2100 with the Cocoa seconds
// it stands for (float64). A binary plist stores any float as a date and the
// decoder wraps the far ones to arbitrary times (some cannot even be written
// as JSON); a module that expects a time.Time now sees no date, and the
// stored value is not lost. The value was already bounded in depth.
func keepBadDates(v any, depth int) any {
	switch x := v.(type) {
	case time.Time:
		if timestamp.Check(x) != nil {
			return float64(x.Unix()-timestamp.CocoaEpoch.Offset()) + float64(x.Nanosecond())/1e9
		}
		return x.UTC()
	case map[string]any:
		if depth < maxWalkDepth {
			for k, e := range x {
				x[k] = keepBadDates(e, depth+1)
			}
		}
	case []any:
		if depth < maxWalkDepth {
			for i, e := range x {
				x[i] = keepBadDates(e, depth+1)
			}
		}
	}
	return v
}

// maxWalkDepth is a backstop; Limits.MaxDepth already bounded the input.
const maxWalkDepth = 1 << 12

// DecodeDict decodes a plist whose top level must be a dictionary.
func DecodeDict(data []byte, lim Limits) (map[string]any, error) {
	v, err := Decode(data, lim)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("plist top level is %T, not a dictionary", v)
	}
	return m, nil
}

// checkBinary walks the object graph of a bplist00 once (each object
// memoised) to learn the depth and expanded size before howett expands it.
func checkBinary(data []byte, lim Limits) error {
	if len(data) < 8+32 {
		return errors.New("invalid binary plist: too short")
	}
	tr := data[len(data)-32:]
	offSize, refSize := int(tr[6]), int(tr[7])
	numObj := be(tr[8:16])
	top := be(tr[16:24])
	tableOff := be(tr[24:32])
	if offSize < 1 || offSize > 8 || refSize < 1 || refSize > 8 {
		return errors.New("invalid binary plist: bad trailer sizes")
	}
	body := uint64(len(data) - 32)
	if numObj == 0 || numObj > body || top >= numObj || tableOff >= body || numObj > (body-tableOff)/uint64(offSize) {
		return errors.New("invalid binary plist: bad trailer")
	}
	w := &bwalk{data: data[:body], offSize: offSize, refSize: refSize, table: tableOff, lim: lim,
		nodes: make([]uint64, numObj), state: make([]uint8, numObj)}
	n, err := w.visit(top, 0)
	if err != nil {
		return err
	}
	if n > uint64(lim.MaxNodes) {
		return fmt.Errorf("%w: expands to more than %d values", ErrLimit, lim.MaxNodes)
	}
	return nil
}

type bwalk struct {
	data             []byte
	offSize, refSize int
	table            uint64
	lim              Limits
	nodes            []uint64 // expanded size per object, saturating
	state            []uint8  // 0 new, 1 on the current path, 2 done
}

func (w *bwalk) visit(i uint64, depth int) (uint64, error) {
	if i >= uint64(len(w.nodes)) {
		return 0, errors.New("invalid binary plist: object reference out of range")
	}
	switch w.state[i] {
	case 1:
		return 0, errors.New("invalid binary plist: object references itself")
	case 2:
		return w.nodes[i], nil
	}
	if depth > w.lim.MaxDepth {
		return 0, fmt.Errorf("%w: nesting deeper than %d", ErrLimit, w.lim.MaxDepth)
	}
	w.state[i] = 1
	at := w.table + i*uint64(w.offSize)
	off := be(w.data[at : at+uint64(w.offSize)])
	if off >= uint64(len(w.data)) {
		return 0, errors.New("invalid binary plist: object offset out of range")
	}
	marker := w.data[off]
	total := uint64(1)
	kind := marker >> 4
	if kind == 0xA || kind == 0xC || kind == 0xD {
		count, p, err := w.count(off)
		if err != nil {
			return 0, err
		}
		refs := count
		if kind == 0xD {
			refs *= 2
		}
		if refs > (uint64(len(w.data))-p)/uint64(w.refSize) {
			return 0, errors.New("invalid binary plist: container runs past the end")
		}
		for k := uint64(0); k < refs; k++ {
			r := be(w.data[p+k*uint64(w.refSize) : p+(k+1)*uint64(w.refSize)])
			n, err := w.visit(r, depth+1)
			if err != nil {
				return 0, err
			}
			total += n
			if total > uint64(w.lim.MaxNodes) {
				return 0, fmt.Errorf("%w: expands to more than %d values", ErrLimit, w.lim.MaxNodes)
			}
		}
	}
	w.nodes[i], w.state[i] = total, 2
	return total, nil
}

// count reads a container's element count and returns where its refs start.
func (w *bwalk) count(off uint64) (uint64, uint64, error) {
	n := uint64(w.data[off] & 0x0F)
	p := off + 1
	if n != 0x0F {
		return n, p, nil
	}
	if p >= uint64(len(w.data)) || w.data[p]>>4 != 0x1 {
		return 0, 0, errors.New("invalid binary plist: bad container count")
	}
	sz := uint64(1) << (w.data[p] & 0x0F)
	if sz > 8 || p+1+sz > uint64(len(w.data)) {
		return 0, 0, errors.New("invalid binary plist: bad container count")
	}
	return be(w.data[p+1 : p+1+sz]), p + 1 + sz, nil
}

func be(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func checkXML(data []byte, lim Limits) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	depth, nodes := 0, 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("invalid XML plist: %w", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			nodes++
			if depth > lim.MaxDepth+2 { // <plist> and the value element itself
				return fmt.Errorf("%w: nesting deeper than %d", ErrLimit, lim.MaxDepth)
			}
			if nodes > 2*lim.MaxNodes+2 { // a dictionary entry is a <key> plus its value
				return fmt.Errorf("%w: more than %d values", ErrLimit, lim.MaxNodes)
			}
		case xml.EndElement:
			depth--
		}
	}
}

// checkText bounds OpenStep plists by their bracket nesting, counting
// brackets outside quoted strings; it over-counts rather than under-counts.
func checkText(data []byte, lim Limits) error {
	depth, nodes := 0, 0
	inStr := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inStr {
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '(', '{', '<':
			depth++
			nodes++
			if depth > lim.MaxDepth {
				return fmt.Errorf("%w: nesting deeper than %d", ErrLimit, lim.MaxDepth)
			}
		case ')', '}', '>':
			depth--
		case ',', ';', '=':
			nodes++
		}
		if nodes > 2*lim.MaxNodes {
			return fmt.Errorf("%w: more than %d values", ErrLimit, lim.MaxNodes)
		}
	}
	return nil
}

// Malformed, deferred at the top of a decoder, turns a panic while walking a
// decoded plist (a crafted file of a shape no check foresaw) into an error
// and drops what was read: defer plistx.Malformed(&out, &err).
func Malformed[T any](out *[]T, err *error) {
	if r := recover(); r != nil {
		*out, *err = nil, fmt.Errorf("malformed plist (%v)", r)
	}
}

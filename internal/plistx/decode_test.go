package plistx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"howett.net/plist"
)

func marshal(t testing.TB, v any, format int) []byte {
	t.Helper()
	b, err := plist.Marshal(v, format)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawBplist assembles a bplist00 from raw object encodings so tests can
// build graphs howett's encoder never writes (shared subtrees, cycles).
func rawBplist(objs [][]byte, top uint64) []byte {
	var buf bytes.Buffer
	buf.WriteString("bplist00")
	offs := make([]uint32, len(objs))
	for i, o := range objs {
		offs[i] = uint32(buf.Len())
		buf.Write(o)
	}
	table := buf.Len()
	for _, o := range offs {
		binary.Write(&buf, binary.BigEndian, o)
	}
	tr := make([]byte, 32)
	tr[6], tr[7] = 4, 2
	binary.BigEndian.PutUint64(tr[8:], uint64(len(objs)))
	binary.BigEndian.PutUint64(tr[16:], top)
	binary.BigEndian.PutUint64(tr[24:], uint64(table))
	buf.Write(tr)
	return buf.Bytes()
}

// arrayOf encodes an array object whose elements are the given refs.
func arrayOf(refs ...uint16) []byte {
	b := []byte{0xA0 | byte(len(refs))}
	for _, r := range refs {
		b = binary.BigEndian.AppendUint16(b, r)
	}
	return b
}

// laughs builds n arrays, each holding the next one twice: 2^n leaves.
func laughs(n int) []byte {
	objs := make([][]byte, 0, n+1)
	for i := 0; i < n; i++ {
		objs = append(objs, arrayOf(uint16(i+1), uint16(i+1)))
	}
	objs = append(objs, []byte{0x10, 7}) // the integer 7
	return rawBplist(objs, 0)
}

func nested(depth int) any {
	var v any = "leaf"
	for i := 0; i < depth; i++ {
		v = []any{v}
	}
	return v
}

func TestDecode(t *testing.T) {
	doc := map[string]any{"a": "x", "n": uint64(3), "l": []any{"p", true}, "d": []byte{1, 2}}
	small := Limits{MaxDepth: 10, MaxNodes: 100, MaxBytes: 1 << 16}
	cases := []struct {
		name    string
		data    []byte
		lim     Limits
		want    any
		wantErr error // nil: success; ErrLimit or errAny
	}{
		{"binary", marshal(t, doc, plist.BinaryFormat), Limits{}, doc, nil},
		{"xml", marshal(t, doc, plist.XMLFormat), Limits{}, doc, nil},
		{"openstep", []byte(`{a = x; n = 3; l = (p, <0102>);}`), Limits{}, map[string]any{"a": "x", "n": "3", "l": []any{"p", []byte{1, 2}}}, nil},
		{"shared ok", laughs(4), Limits{}, nested4(), nil},
		{"too big", marshal(t, doc, plist.BinaryFormat), Limits{MaxBytes: 10}, nil, ErrLimit},
		{"binary too deep", marshal(t, nested(20), plist.BinaryFormat), small, nil, ErrLimit},
		{"xml too deep", marshal(t, nested(20), plist.XMLFormat), small, nil, ErrLimit},
		{"text too deep", []byte(strings.Repeat("(", 20) + strings.Repeat(")", 20)), small, nil, ErrLimit},
		{"billion laughs", laughs(60), Limits{}, nil, ErrLimit},
		{"too many values", marshal(t, manyStrings(200), plist.BinaryFormat), small, nil, ErrLimit},
		{"cycle", rawBplist([][]byte{arrayOf(0)}, 0), Limits{}, nil, errAny},
		{"bad ref", rawBplist([][]byte{arrayOf(9)}, 0), Limits{}, nil, errAny},
		{"truncated", marshal(t, doc, plist.BinaryFormat)[:30], Limits{}, nil, errAny},
		{"garbage", []byte("bplist00\xff\xff"), Limits{}, nil, errAny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decode(c.data, c.lim)
			switch {
			case c.wantErr == nil && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.wantErr == errAny && err == nil, c.wantErr == ErrLimit && !errors.Is(err, ErrLimit):
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			case c.wantErr == nil && !reflect.DeepEqual(got, c.want):
				t.Fatalf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

var errAny = errors.New("any error")

func nested4() any {
	var v any = uint64(7)
	for i := 0; i < 4; i++ {
		v = []any{v, v}
	}
	return v
}

func TestDecodeDict(t *testing.T) {
	if _, err := DecodeDict(marshal(t, []any{"x"}, plist.BinaryFormat), Limits{}); err == nil {
		t.Fatal("array accepted as dictionary")
	}
	m, err := DecodeDict(marshal(t, map[string]any{"k": "v"}, plist.XMLFormat), Limits{})
	if err != nil || m["k"] != "v" {
		t.Fatalf("got %v, %v", m, err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(marshal(f, map[string]any{"a": []any{"b", uint64(1), 2.5, true}}, plist.BinaryFormat))
	f.Add(marshal(f, map[string]any{"a": []any{"b", uint64(1)}}, plist.XMLFormat))
	f.Add([]byte(`{a = (b, c); d = <00>;}`))
	f.Add(laughs(8))
	lim := Limits{MaxBytes: 1 << 20, MaxDepth: 64, MaxNodes: 100_000}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data, lim)
		if err != nil {
			return
		}
		// What the checks exist to enforce, whatever the format: the
		// nesting exactly; the values within twice the limit (the XML and
		// text checks count a dictionary entry as a key plus its value).
		if depth, nodes := treeShape(v); depth > lim.MaxDepth || nodes > 2*lim.MaxNodes+2 {
			t.Fatalf("decoded a tree %d deep with %d values past the limits %+v", depth, nodes, lim)
		}
	})
}

func manyStrings(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = "s"
	}
	return out
}

package hostile

import (
	"bytes"
	"encoding/binary"
)

// bplist builds binary property lists object by object, so the corpus can
// express what an encoder never writes: shared references, cycles and
// depth no real phone produces. Object references are 4 bytes wide.
type bplist struct{ objs [][]byte }

func (b *bplist) add(o []byte) int { b.objs = append(b.objs, o); return len(b.objs) - 1 }

func marker(kind byte, n int) []byte {
	if n < 15 {
		return []byte{kind<<4 | byte(n)}
	}
	out := []byte{kind<<4 | 0xF, 0x12}
	return binary.BigEndian.AppendUint32(out, uint32(n))
}

func (b *bplist) str(s string) int { return b.add(append(marker(0x5, len(s)), s...)) }

// reserve returns the index of an object whose bytes are set later, so
// objects can point at themselves or at objects made after them.
func (b *bplist) reserve() int { return b.add(nil) }

func appendRefs(o []byte, rs []int) []byte {
	for _, r := range rs {
		o = binary.BigEndian.AppendUint32(o, uint32(r))
	}
	return o
}

func (b *bplist) setArray(i int, rs ...int) { b.objs[i] = appendRefs(marker(0xA, len(rs)), rs) }

func (b *bplist) setDict(i int, keys, vals []int) {
	b.objs[i] = appendRefs(appendRefs(marker(0xD, len(keys)), keys), vals)
}

func (b *bplist) bytes(top int) []byte {
	var buf bytes.Buffer
	buf.WriteString("bplist00")
	offs := make([]uint64, len(b.objs))
	for i, o := range b.objs {
		offs[i] = uint64(buf.Len())
		buf.Write(o)
	}
	table := uint64(buf.Len())
	for _, o := range offs {
		buf.Write(binary.BigEndian.AppendUint64(nil, o))
	}
	trailer := make([]byte, 32)
	trailer[6], trailer[7] = 8, 4
	binary.BigEndian.PutUint64(trailer[8:], uint64(len(b.objs)))
	binary.BigEndian.PutUint64(trailer[16:], uint64(top))
	binary.BigEndian.PutUint64(trailer[24:], table)
	buf.Write(trailer)
	return buf.Bytes()
}

// deepPlist nests arrays depth levels deep.
func deepPlist(depth int) []byte {
	var b bplist
	for i := 0; i < depth; i++ {
		b.add(nil)
	}
	leaf := b.str("bottom")
	for i := 0; i < depth; i++ {
		next := i + 1
		if i == depth-1 {
			next = leaf
		}
		b.setArray(i, next)
	}
	return b.bytes(0)
}

// cyclicPlist is a dictionary whose value is an array holding the
// dictionary itself.
func cyclicPlist() []byte {
	var b bplist
	d := b.reserve()
	a := b.reserve()
	k := b.str("loop")
	b.setDict(d, []int{k}, []int{a})
	b.setArray(a, d, a)
	return b.bytes(d)
}

// laughsPlist is the billion-laughs shape: each level is an array of ten
// references to the level below, so a decoder that copies shared objects
// would build 10^levels leaves from a few hundred bytes.
func laughsPlist(levels int) []byte {
	var b bplist
	top := b.reserve()
	lv := make([]int, levels)
	for i := range lv {
		lv[i] = b.reserve()
	}
	leaf := b.str("lol")
	for i := range lv {
		next := leaf
		if i+1 < levels {
			next = lv[i+1]
		}
		b.setArray(lv[i], next, next, next, next, next, next, next, next, next, next)
	}
	k := b.str("$objects")
	b.setDict(top, []int{k}, []int{lv[0]})
	return b.bytes(top)
}

// hugeStringPlist holds one n-byte string with NUL and invalid UTF-8.
func hugeStringPlist(n int) []byte {
	var b bplist
	d := b.reserve()
	k := b.str("key\x00\xff\xfe")
	s := bytes.Repeat([]byte("A\x00\xff"), n/3)
	v := b.add(append(marker(0x5, len(s)), s...))
	b.setDict(d, []int{k}, []int{v})
	return b.bytes(d)
}

// deepXMLPlist nests XML arrays depth levels deep.
func deepXMLPlist(depth int) []byte {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">`)
	for i := 0; i < depth; i++ {
		buf.WriteString("<array>")
	}
	for i := 0; i < depth; i++ {
		buf.WriteString("</array>")
	}
	buf.WriteString("</plist>")
	return buf.Bytes()
}

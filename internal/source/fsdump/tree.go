package fsdump

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Kinds of tree entries.
const (
	kindDir  uint8 = 1
	kindFile uint8 = 2
	kindLink uint8 = 3 // a symbolic or hard link: listed, never followed or read
	kindGone uint8 = 4 // a duplicate name dropped when the tree was frozen
)

// node is one entry of a container's own tree (a zip's, a tar's or a
// folder's), before any layout is applied. Names live in one arena and the
// zip fields share the node, so an entry costs 48 bytes plus its base name
// and one index, not a string per path: a dump of a million files is
// indexed in about 80 MB.
type node struct {
	name   uint32 // offset of the base name in tree.names
	nlen   uint16
	kind   uint8
	_      uint8
	parent int32
	crc    uint32 // zip files: CRC-32 of the content
	method uint16 // zip files: compression method
	flags  uint16 // zip files: general purpose flags (bit 0: encrypted)
	// aux is, for folders, the index in tree.kids of the first child (low
	// 32 bits) and the number of children (high 32 bits), after freeze;
	// for zip files, the compressed size.
	aux   int64
	size  int64
	mtime int64 // Unix nanoseconds; 0 when the container does not say
	loc   int64 // where the bytes are: a zip local header, a tar data offset, the pack
}

func (n *node) kidsRange() (first, count int32) {
	return int32(uint32(n.aux)), int32(uint64(n.aux) >> 32)
}
func (n *node) setKids(first, count int32) {
	n.aux = int64(uint64(uint32(first)) | uint64(uint32(count))<<32)
}

// maxNameArena bounds the bytes of all base names (offsets are 32-bit).
const maxNameArena = 1<<32 - 1

// maxNameLen is the longest path element kept (APFS allows 255 UTF-8
// bytes; 1 KiB leaves room for odd encodings).
const maxNameLen = 1024

// tree is the raw index. Build it with add, then freeze it; after freeze
// it is read-only and safe for concurrent use.
type tree struct {
	names []byte
	nodes []node
	kids  []int32 // children grouped by parent, each group sorted by name
	dirs  map[string]int32
	// dropped counts duplicate names removed at freeze; dupes keeps a few.
	dropped int
	dupes   []string
	frozen  bool
}

func newTree() *tree {
	t := &tree{dirs: map[string]int32{}}
	t.nodes = append(t.nodes, node{kind: kindDir, parent: -1})
	t.dirs[""] = 0
	return t
}

func (t *tree) nameOf(id int32) []byte {
	n := &t.nodes[id]
	return t.names[n.name : n.name+uint32(n.nlen)]
}

func (t *tree) newNode(parent int32, name []byte, kind uint8) (int32, error) {
	if len(name) > maxNameLen {
		return 0, fmt.Errorf("a path element of %d bytes (over %d)", len(name), maxNameLen)
	}
	if len(t.names)+len(name) > maxNameArena {
		return 0, errors.New("names take more than 4 GiB in all")
	}
	off := uint32(len(t.names))
	t.names = append(t.names, name...)
	t.nodes = append(t.nodes, node{name: off, nlen: uint16(len(name)), kind: kind, parent: parent})
	return int32(len(t.nodes) - 1), nil
}

// dir returns the folder at p (a clean relative path, "" for the root),
// creating it and its parents when missing: archives often list files
// without their folders. p is not kept (its bytes may be reused).
func (t *tree) dir(p []byte) (int32, error) {
	if id, ok := t.dirs[string(p)]; ok { // no allocation for the lookup
		return id, nil
	}
	parent, base := int32(0), p
	if i := bytes.LastIndexByte(p, '/'); i >= 0 {
		var err error
		if parent, err = t.dir(p[:i]); err != nil {
			return 0, err
		}
		base = p[i+1:]
	}
	id, err := t.newNode(parent, base, kindDir)
	if err != nil {
		return 0, err
	}
	t.dirs[string(p)] = id
	return id, nil
}

// add records one entry at the clean relative path p.
func (t *tree) add(p string, kind uint8, size, mtime, loc int64) (int32, error) {
	return t.addBytes([]byte(p), kind, size, mtime, loc)
}

// addBytes is add for a path whose bytes the caller reuses: a million
// entries are indexed without a string each.
func (t *tree) addBytes(p []byte, kind uint8, size, mtime, loc int64) (int32, error) {
	if t.frozen {
		return 0, errors.New("tree already frozen")
	}
	if kind == kindDir {
		id, err := t.dir(p)
		if err != nil {
			return 0, err
		}
		if mtime != 0 {
			t.nodes[id].mtime = mtime
		}
		return id, nil
	}
	var dir, base []byte = nil, p
	if i := bytes.LastIndexByte(p, '/'); i >= 0 {
		dir, base = p[:i], p[i+1:]
	}
	parent, err := t.dir(dir)
	if err != nil {
		return 0, err
	}
	id, err := t.newNode(parent, base, kind)
	if err != nil {
		return 0, err
	}
	n := &t.nodes[id]
	n.size, n.mtime, n.loc = size, mtime, loc
	return id, nil
}

// reserve sizes the index for about n entries and nameBytes of names
// (a zip says how many entries it has), so it is not copied as it grows.
func (t *tree) reserve(n, nameBytes int) {
	t.nodes = slices.Grow(t.nodes, n)
	t.names = slices.Grow(t.names, nameBytes)
}

// maxDupes bounds the duplicate names remembered for the notes.
const maxDupes = 20

// freeze groups and sorts every folder's children and drops repeated
// names: a folder wins over a file of the same name, else the first entry
// is kept (as extraction keeps the first copy).
func (t *tree) freeze() {
	t.dirs = nil
	counts := make([]int32, len(t.nodes))
	for i := 1; i < len(t.nodes); i++ {
		counts[t.nodes[i].parent]++
	}
	firsts := make([]int32, len(t.nodes))
	var at int32
	for i := range t.nodes {
		firsts[i] = at
		at += counts[i]
		counts[i] = 0
	}
	t.kids = make([]int32, at)
	for i := 1; i < len(t.nodes); i++ {
		p := t.nodes[i].parent
		t.kids[firsts[p]+counts[p]] = int32(i)
		counts[p]++
	}
	for i := range t.nodes {
		n := &t.nodes[i]
		group := t.kids[firsts[i] : firsts[i]+counts[i]]
		slices.SortStableFunc(group, func(a, b int32) int { return bytes.Compare(t.nameOf(a), t.nameOf(b)) })
		kept := group[:0]
		for j, c := range group {
			if j > 0 && len(kept) > 0 && bytes.Equal(t.nameOf(kept[len(kept)-1]), t.nameOf(c)) {
				prev := kept[len(kept)-1]
				loser := c
				if t.nodes[c].kind == kindDir && t.nodes[prev].kind != kindDir {
					kept[len(kept)-1], loser = c, prev
				}
				t.nodes[loser].kind = kindGone
				t.dropped++
				if len(t.dupes) < maxDupes {
					t.dupes = append(t.dupes, t.rawPath(loser))
				}
				continue
			}
			kept = append(kept, c)
		}
		if n.kind == kindDir {
			n.setKids(firsts[i], int32(len(kept)))
		}
	}
	t.frozen = true
}

// children of folder id, sorted by name.
func (t *tree) children(id int32) []int32 {
	n := &t.nodes[id]
	if n.kind != kindDir {
		return nil
	}
	first, count := n.kidsRange()
	return t.kids[first : first+count]
}

// child finds name among the children of folder id.
func (t *tree) child(id int32, name string) (int32, bool) {
	kids := t.children(id)
	i, ok := slices.BinarySearchFunc(kids, name, func(c int32, name string) int {
		return bytes.Compare(t.nameOf(c), []byte(name))
	})
	if !ok {
		return -1, false
	}
	return kids[i], true
}

// lookup returns the entry at the clean relative path p ("" is the root).
func (t *tree) lookup(p string) (int32, bool) {
	id := int32(0)
	for p != "" {
		if t.nodes[id].kind != kindDir {
			return -1, false
		}
		seg := p
		if i := strings.IndexByte(p, '/'); i >= 0 {
			seg, p = p[:i], p[i+1:]
		} else {
			p = ""
		}
		c, ok := t.child(id, seg)
		if !ok {
			return -1, false
		}
		id = c
	}
	return id, true
}

// rawPath rebuilds the container path of an entry (for notes and for a
// folder's files on disk).
func (t *tree) rawPath(id int32) string {
	var segs []string
	for ; id > 0; id = t.nodes[id].parent {
		segs = append(segs, string(t.nameOf(id)))
	}
	slices.Reverse(segs)
	return path.Join(segs...)
}

// stats counts the folders and files kept.
func (t *tree) stats() (dirs, files, links int) {
	for i := 1; i < len(t.nodes); i++ {
		switch t.nodes[i].kind {
		case kindDir:
			dirs++
		case kindFile:
			files++
		case kindLink:
			links++
		}
	}
	return
}

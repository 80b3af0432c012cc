package fsdump

import (
	"cmp"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// ref is one entry of the raw tree as seen through a mount.
type ref struct {
	id   int32
	prio uint8
}

// ldir is a folder of the phone's tree: the raw folders that make it up
// (one, except where a mount meets a folder of another partition), highest
// priority first, and the mount points below it.
type ldir struct {
	raws []ref
	syn  *synDir
}

// synDir is a folder on the way to a mount point (/private, /private/var
// for a data partition mounted there).
type synDir struct {
	kids   map[string]*synDir
	mounts []ref
}

// backend reads the bytes of a raw file.
type backend interface {
	open(t *tree, id int32) (io.ReadCloser, error)
	localPath(t *tree, id int32) (string, bool)
	close() error
}

// View is a dump seen as the phone's file system: a read-only fs.FS whose
// paths are device paths without the leading slash
// ("private/var/mobile/Library/SMS/sms.db"), whatever the container and
// layout. It also walks and globs the index without touching the
// container, so a million files are listed without a million system calls.
type View struct {
	t      *tree
	root   ldir
	layout Layout
	be     backend
	name   string // the evidence, for errors
}

func newView(t *tree, l Layout, be backend, name string) (*View, error) {
	v := &View{t: t, layout: l, be: be, name: name}
	rootSyn := &synDir{}
	for _, m := range l.Mounts {
		if !cleanAt(m.At) {
			return nil, errors.New("mount point " + m.At + " is not a clean path")
		}
		id, ok := t.lookup(m.Raw)
		if !ok || t.nodes[id].kind != kindDir {
			continue
		}
		s := rootSyn
		if m.At != "" {
			for _, seg := range strings.Split(m.At, "/") {
				if s.kids == nil {
					s.kids = map[string]*synDir{}
				}
				next := s.kids[seg]
				if next == nil {
					next = &synDir{}
					s.kids[seg] = next
				}
				s = next
			}
		}
		s.mounts = append(s.mounts, ref{id, m.Prio})
	}
	v.root = ldir{raws: sortRefs(rootSyn.mounts), syn: rootSyn}
	if len(rootSyn.kids) == 0 {
		v.root.syn = nil
	}
	return v, nil
}

func sortRefs(r []ref) []ref {
	slices.SortStableFunc(r, func(a, b ref) int { return cmp.Compare(b.prio, a.prio) })
	return r
}

// Layout is the layout the view applies.
func (v *View) Layout() Layout { return v.layout }

// Close releases the container.
func (v *View) Close() error { return v.be.close() }

// entry is what a name resolves to: a folder (dir set), or one raw entry.
type entry struct {
	dir   ldir
	isDir bool
	raw   ref // the file or link (highest priority)
}

// child resolves name inside folder d.
func (v *View) child(d ldir, name string) (entry, bool) {
	var e entry
	var file ref
	haveFile := false
	for _, r := range d.raws {
		c, ok := v.t.child(r.id, name)
		if !ok {
			continue
		}
		if v.t.nodes[c].kind == kindDir {
			e.dir.raws = append(e.dir.raws, ref{c, r.prio})
		} else if !haveFile {
			file, haveFile = ref{c, r.prio}, true
		}
	}
	if d.syn != nil {
		if s := d.syn.kids[name]; s != nil {
			e.dir.syn = s
			if len(s.mounts) > 0 {
				e.dir.raws = sortRefs(append(e.dir.raws, s.mounts...))
			}
		}
	}
	if len(e.dir.raws) > 0 || e.dir.syn != nil {
		// A folder wins over a file of the same name; folders of several
		// partitions merge, the higher priority first.
		e.isDir = true
		if len(e.dir.raws) > 1 {
			e.dir.raws = sortRefs(e.dir.raws)
		}
		return e, true
	}
	if haveFile {
		e.raw = file
		return e, true
	}
	return e, false
}

// lookup resolves a clean relative path ("." is the root).
func (v *View) lookup(name string) (entry, bool) {
	e := entry{dir: v.root, isDir: true}
	if name == "." {
		return e, true
	}
	for name != "" {
		if !e.isDir {
			return entry{}, false
		}
		seg := name
		if i := strings.IndexByte(name, '/'); i >= 0 {
			seg, name = name[:i], name[i+1:]
		} else {
			name = ""
		}
		var ok bool
		if e, ok = v.child(e.dir, seg); !ok {
			return entry{}, false
		}
	}
	return e, true
}

// names lists the names inside folder d, sorted, once each.
func (v *View) names(d ldir) []string {
	if len(d.raws) == 1 && d.syn == nil {
		kids := v.t.children(d.raws[0].id)
		out := make([]string, len(kids))
		for i, c := range kids {
			out[i] = string(v.t.nameOf(c))
		}
		return out
	}
	var out []string
	for _, r := range d.raws {
		for _, c := range v.t.children(r.id) {
			out = append(out, string(v.t.nameOf(c)))
		}
	}
	if d.syn != nil {
		for k := range d.syn.kids {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Info is what the view knows of an entry without opening it.
type Info = source.EntryInfo

func (v *View) info(e entry) Info {
	if e.isDir {
		var mt int64
		if len(e.dir.raws) > 0 {
			mt = v.t.nodes[e.dir.raws[0].id].mtime
		}
		return Info{Dir: true, Modified: unixNano(mt)}
	}
	n := &v.t.nodes[e.raw.id]
	return Info{Special: n.kind == kindLink, Size: n.size, Modified: unixNano(n.mtime)}
}

func unixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// Walk calls fn for every folder, file and link of the phone's tree, in
// path order (a folder before what it holds), with its path relative to
// the root. The path's bytes are reused: copy them to keep them. Folders
// the extraction tool added (ToolFolder) are left out. It stops at the
// first error fn returns; fs.SkipDir skips a folder's content.
func (v *View) Walk(fn func(p []byte, in Info) error) error {
	buf := make([]byte, 0, 512)
	err := v.walk(v.root, buf, fn, true)
	if errors.Is(err, fs.SkipDir) || errors.Is(err, fs.SkipAll) {
		return nil
	}
	return err
}

func (v *View) walk(d ldir, buf []byte, fn func([]byte, Info) error, top bool) error {
	if len(d.raws) == 1 && d.syn == nil {
		// The common case: one folder of the container, no mount inside.
		r := d.raws[0]
		for _, c := range v.t.children(r.id) {
			n := &v.t.nodes[c]
			p := append(buf, v.t.nameOf(c)...)
			if n.kind == kindDir {
				err := fn(p, Info{Dir: true, Modified: unixNano(n.mtime)})
				if errors.Is(err, fs.SkipDir) {
					continue
				}
				if err != nil {
					return err
				}
				if err := v.walk(ldir{raws: []ref{{c, r.prio}}}, append(p, '/'), fn, false); err != nil {
					return err
				}
				continue
			}
			if err := fn(p, Info{Special: n.kind == kindLink, Size: n.size, Modified: unixNano(n.mtime)}); err != nil && !errors.Is(err, fs.SkipDir) {
				return err
			}
		}
		return nil
	}
	for _, name := range v.names(d) {
		if top && name == ToolFolder && d.syn != nil && d.syn.kids[ToolFolder] != nil {
			continue
		}
		e, ok := v.child(d, name)
		if !ok {
			continue
		}
		p := append(buf, name...)
		err := fn(p, v.info(e))
		if errors.Is(err, fs.SkipDir) {
			continue
		}
		if err != nil {
			return err
		}
		if e.isDir {
			if err := v.walk(e.dir, append(p, '/'), fn, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// Glob returns the regular files matching pattern (source.MatchGlob syntax:
// path.Match per segment, "**" for any number of segments), sorted. Literal
// segments are looked up, not scanned, so "private/var/*/Library/x.db"
// reads a few folders and "**/x.db" one pass over the index.
func (v *View) Glob(pattern string) []string {
	var out []string
	v.glob(v.root, strings.Split(pattern, "/"), make([]byte, 0, 256), &out)
	slices.Sort(out)
	return slices.Compact(out)
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

func (v *View) glob(d ldir, segs []string, buf []byte, out *[]string) {
	seg, rest := segs[0], segs[1:]
	if seg == "**" {
		if len(rest) == 0 {
			// Everything below.
			_ = v.walk(d, buf, func(p []byte, in Info) error {
				if !in.Dir && !in.Special {
					*out = append(*out, string(p))
				}
				return nil
			}, false)
			return
		}
		v.glob(d, rest, buf, out)
		for _, name := range v.dirNames(d) {
			if e, ok := v.child(d, name); ok && e.isDir {
				v.glob(e.dir, segs, append(append(buf, name...), '/'), out)
			}
		}
		return
	}
	try := func(name string) {
		e, ok := v.child(d, name)
		if !ok {
			return
		}
		p := append(buf, name...)
		if len(rest) == 0 {
			if !e.isDir && v.t.nodes[e.raw.id].kind == kindFile {
				*out = append(*out, string(p))
			}
			return
		}
		if e.isDir {
			v.glob(e.dir, rest, append(p, '/'), out)
		}
	}
	if !hasMeta(seg) {
		try(seg)
		return
	}
	for _, name := range v.names(d) {
		if ok, err := path.Match(seg, name); err == nil && ok {
			try(name)
		}
	}
}

// dirNames lists the folders inside d (for "**").
func (v *View) dirNames(d ldir) []string {
	if len(d.raws) == 1 && d.syn == nil {
		var out []string
		for _, c := range v.t.children(d.raws[0].id) {
			if v.t.nodes[c].kind == kindDir {
				out = append(out, string(v.t.nameOf(c)))
			}
		}
		return out
	}
	return v.names(d)
}

// GlobTree implements source.Tree.
func (v *View) GlobTree(pattern string) []string { return v.Glob(pattern) }

// WalkTree implements source.Tree.
func (v *View) WalkTree(fn func(p []byte, in source.EntryInfo) error) error { return v.Walk(fn) }

// fs.FS

func (v *View) resolve(op, name string) (entry, error) {
	if !fs.ValidPath(name) {
		return entry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	e, ok := v.lookup(name)
	if !ok {
		return entry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return e, nil
}

// Open implements fs.FS. A link is refused (listed, never followed).
func (v *View) Open(name string) (fs.File, error) {
	e, err := v.resolve("open", name)
	if err != nil {
		return nil, err
	}
	fi := v.fileInfo(name, e)
	if e.isDir {
		d := e.dir
		return &source.DirFile{Path: name, Info: fi, List: func() []fs.DirEntry { return v.dirEntries(d) }}, nil
	}
	if v.t.nodes[e.raw.id].kind == kindLink {
		return nil, &evfile.RefusedError{Name: name, Reason: "a link in the dump, listed but never followed"}
	}
	rc, err := v.be.open(v.t, e.raw.id)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &file{rc: rc, fi: fi}, nil
}

// Stat implements fs.StatFS.
func (v *View) Stat(name string) (fs.FileInfo, error) {
	e, err := v.resolve("stat", name)
	if err != nil {
		return nil, err
	}
	return v.fileInfo(name, e), nil
}

// ReadDir implements fs.ReadDirFS.
func (v *View) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := v.resolve("readdir", name)
	if err != nil {
		return nil, err
	}
	if !e.isDir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return v.dirEntries(e.dir), nil
}

func (v *View) dirEntries(d ldir) []fs.DirEntry {
	names := v.names(d)
	out := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		if e, ok := v.child(d, n); ok {
			out = append(out, fs.FileInfoToDirEntry(v.fileInfo(n, e)))
		}
	}
	return out
}

// LocalPath implements source.LocalPather for dumps that are folders:
// SQLite opens their databases in place.
func (v *View) LocalPath(name string) (string, bool) {
	e, err := v.resolve("stat", name)
	if err != nil || e.isDir || v.t.nodes[e.raw.id].kind != kindFile {
		return "", false
	}
	return v.be.localPath(v.t, e.raw.id)
}

func (v *View) fileInfo(name string, e entry) fileInfo {
	return fileInfo{name: path.Base(name), in: v.info(e)}
}

type fileInfo struct {
	name string
	in   Info
}

func (f fileInfo) Name() string { return f.name }
func (f fileInfo) Size() int64  { return f.in.Size }
func (f fileInfo) Mode() fs.FileMode {
	switch {
	case f.in.Dir:
		return fs.ModeDir | 0o555
	case f.in.Special:
		return fs.ModeSymlink | 0o777
	}
	return 0o444
}
func (f fileInfo) ModTime() time.Time { return f.in.Modified }
func (f fileInfo) IsDir() bool        { return f.in.Dir }
func (f fileInfo) Sys() any           { return nil }

type file struct {
	rc io.ReadCloser
	fi fileInfo
}

func (f *file) Stat() (fs.FileInfo, error) { return f.fi, nil }
func (f *file) Read(p []byte) (int, error) { return f.rc.Read(p) }
func (f *file) Close() error               { return f.rc.Close() }

package iosbackup

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

type nodeKind uint8

const (
	kindDir nodeKind = iota
	kindFile
	kindSymlink
	kindRaw // one of the backup's own files under RawPrefix
)

type node struct {
	kind     nodeKind
	fileID   string
	local    string // kindRaw: path on disk
	children map[string]*node
}

// backupFS is the logical tree of a backup. It is safe for concurrent use.
type backupFS struct {
	dir, tmp  string
	ev        *source.Evidence
	db        *sqlitex.DB
	dbPath    string
	classKeys map[uint32][]byte // nil for plain backups
	raw       map[string]string
	present   map[string]bool // fileIDs whose hashed file is on disk
	root      *node

	mu    sync.Mutex
	cache map[string]*cached // decrypted files by fileID
}

type cached struct {
	done chan struct{} // closed once path/err are set
	path string
	err  error
}

var (
	_ fs.ReadDirFS       = (*backupFS)(nil)
	_ fs.StatFS          = (*backupFS)(nil)
	_ source.LocalPather = (*backupFS)(nil)
)

func (b *backupFS) close() error { return b.db.Close() }

func (b *backupFS) encrypted() bool { return b.classKeys != nil }

// scanPresent lists the hashed files actually on disk: partial backups (and
// MVT's test backup) name many files in Manifest.db that were never stored.
func (b *backupFS) scanPresent() error {
	b.present = map[string]bool{}
	ents, err := os.ReadDir(b.dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() || len(e.Name()) != 2 || !isHex(e.Name()) {
			continue
		}
		sub, err := os.ReadDir(filepath.Join(b.dir, e.Name()))
		if err != nil {
			return err
		}
		for _, f := range sub {
			if f.Type().IsRegular() && strings.HasPrefix(f.Name(), e.Name()) && isFileID(f.Name()) {
				b.present[f.Name()] = true
			}
		}
	}
	return nil
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isFileID(s string) bool { return len(s) == 40 && isHex(s) }

func (b *backupFS) hashedPath(id string) string {
	return filepath.Join(b.dir, id[:2], id)
}

// index builds the tree from Manifest.db.
func (b *backupFS) index(ctx context.Context) error {
	if err := b.scanPresent(); err != nil {
		return fmt.Errorf("%s: %w", b.dir, err)
	}
	b.root = &node{kind: kindDir, children: map[string]*node{}}
	rawDir := &node{kind: kindDir, children: map[string]*node{}}
	b.root.children[RawPrefix] = rawDir
	for n, p := range b.raw {
		rawDir.children[n] = &node{kind: kindRaw, local: p}
	}
	rows, err := b.db.QueryContext(ctx, "SELECT fileID, domain, relativePath, flags, file FROM Files")
	if err != nil {
		return fmt.Errorf("Manifest.db: %w", err)
	}
	defer rows.Close()
	bad := 0
	for rows.Next() {
		var id, domain, rel sql.NullString
		var flags sql.NullInt64
		var blob []byte
		if err := rows.Scan(&id, &domain, &rel, &flags, &blob); err != nil {
			return fmt.Errorf("Manifest.db: %w", err)
		}
		e := FileEntry{FileID: id.String, Domain: domain.String, RelativePath: rel.String, Flags: int(flags.Int64)}
		if e.Flags == 0 { // only then does the type depend on the metadata
			_ = decodeMBFile(blob, &e)
		}
		if err := b.add(e); err != nil {
			if bad++; bad <= 20 {
				b.ev.Note("Manifest.db: " + err.Error())
			}
		}
	}
	if bad > 20 {
		b.ev.Note(fmt.Sprintf("Manifest.db: %d entries in all left out of the tree", bad))
	}
	return rows.Err()
}

func (b *backupFS) add(e FileEntry) error {
	lp := e.LogicalPath()
	if !fs.ValidPath(lp) || lp == "." || strings.ContainsRune(lp, 0) || strings.Contains(e.Domain, "/") || e.Domain == RawPrefix {
		return fmt.Errorf("entry %q / %q: unsafe path, left out", e.Domain, e.RelativePath)
	}
	if !isFileID(e.FileID) {
		return fmt.Errorf("entry %q: bad file id %q, left out", lp, e.FileID)
	}
	parts := strings.Split(lp, "/")
	cur := b.root
	for _, p := range parts[:len(parts)-1] {
		nx, ok := cur.children[p]
		if !ok {
			nx = &node{kind: kindDir, children: map[string]*node{}}
			cur.children[p] = nx
		} else if nx.kind != kindDir {
			return fmt.Errorf("entry %q: a parent is not a folder, left out", lp)
		}
		cur = nx
	}
	last := parts[len(parts)-1]
	kind := kindFile
	switch {
	case e.IsDir():
		kind = kindDir
	case e.IsSymlink():
		kind = kindSymlink
	}
	if ex, ok := cur.children[last]; ok {
		if ex.kind == kindDir && kind == kindDir {
			ex.fileID = e.FileID
			return nil
		}
		return fmt.Errorf("entry %q appears twice, second left out", lp)
	}
	n := &node{kind: kind, fileID: e.FileID}
	if kind == kindDir {
		n.children = map[string]*node{}
	}
	cur.children[last] = n
	return nil
}

func (b *backupFS) lookup(name string) (*node, bool) {
	if name == "." {
		return b.root, true
	}
	cur := b.root
	for _, p := range strings.Split(name, "/") {
		if cur.kind != kindDir {
			return nil, false
		}
		nx, ok := cur.children[p]
		if !ok {
			return nil, false
		}
		cur = nx
	}
	return cur, true
}

// find resolves name to a node, falling back to the hashed file name when
// Manifest.db does not list the path but the file exists on disk.
func (b *backupFS) find(op, name string) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if n, ok := b.lookup(name); ok {
		if n.kind == kindFile && !b.present[n.fileID] {
			return nil, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("listed in Manifest.db but not stored in the backup: %w", fs.ErrNotExist)}
		}
		return n, nil
	}
	if domain, rel, ok := strings.Cut(name, "/"); ok && !b.encrypted() {
		sum := sha1.Sum([]byte(domain + "-" + rel))
		id := hex.EncodeToString(sum[:])
		if b.present[id] {
			return &node{kind: kindFile, fileID: id}, nil
		}
	}
	return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
}

// entry reads one Files row with its metadata.
func (b *backupFS) entry(id string) (*FileEntry, error) {
	var domain, rel sql.NullString
	var flags sql.NullInt64
	var blob []byte
	err := b.db.QueryRow("SELECT domain, relativePath, flags, file FROM Files WHERE fileID = ?", id).Scan(&domain, &rel, &flags, &blob)
	if err != nil {
		return nil, fmt.Errorf("Manifest.db row %s: %w", id, err)
	}
	e := &FileEntry{FileID: id, Domain: domain.String, RelativePath: rel.String, Flags: int(flags.Int64)}
	return e, decodeMBFile(blob, e)
}

// plainPath gives a file's plaintext on disk, decrypting it on first use.
func (b *backupFS) plainPath(n *node) (string, error) {
	switch {
	case n.kind == kindRaw:
		return n.local, nil
	case !b.encrypted():
		return b.hashedPath(n.fileID), nil
	}
	b.mu.Lock()
	c, ok := b.cache[n.fileID]
	if !ok {
		c = &cached{done: make(chan struct{})}
		b.cache[n.fileID] = c
	}
	b.mu.Unlock()
	if !ok {
		c.path, c.err = b.decrypt(n.fileID)
		close(c.done)
	}
	<-c.done
	return c.path, c.err
}

func (b *backupFS) decrypt(id string) (string, error) {
	e, err := b.entry(id)
	if err != nil {
		return "", err
	}
	if !e.Encrypted { // stored as is, as iOS does for some entries
		return b.hashedPath(id), nil
	}
	dir := filepath.Join(b.tmp, "files", id[:2])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, id)
	note, err := decryptFile(b.classKeys, e, b.hashedPath(id), dst)
	if err != nil {
		return "", fmt.Errorf("decrypt %s (%s): %w", e.LogicalPath(), id, err)
	}
	if note != "" {
		b.ev.Note(fmt.Sprintf("%s (%s): %s", e.LogicalPath(), id, note))
	}
	return dst, nil
}

// Open implements fs.FS.
func (b *backupFS) Open(name string) (fs.File, error) {
	n, err := b.find("open", name)
	if err != nil {
		return nil, err
	}
	switch n.kind {
	case kindDir:
		ents, err := b.readDir(n)
		if err != nil {
			return nil, err
		}
		return &dirFile{info: dirInfo(path.Base(name)), ents: ents}, nil
	case kindSymlink:
		return &dirFile{info: fileInfo{name: path.Base(name), mode: fs.ModeSymlink | 0o444}}, nil
	}
	p, err := b.plainPath(n)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	fl := &file{File: f, name: path.Base(name)}
	if n.kind == kindFile && b.encrypted() {
		if e, err := b.entry(n.fileID); err == nil && e.Encrypted {
			fl.mod = &e.Modified
		}
	}
	return fl, nil
}

// decrypted returns the cached plaintext of a file already decrypted.
func (b *backupFS) decrypted(id string) (string, bool) {
	b.mu.Lock()
	c, ok := b.cache[id]
	b.mu.Unlock()
	if !ok {
		return "", false
	}
	select {
	case <-c.done:
		return c.path, c.err == nil
	default:
		return "", false
	}
}

// Stat implements fs.StatFS. Sizes of encrypted files come from the
// manifest so that a stat does not decrypt.
func (b *backupFS) Stat(name string) (fs.FileInfo, error) {
	n, err := b.find("stat", name)
	if err != nil {
		return nil, err
	}
	return b.stat(path.Base(name), n)
}

func (b *backupFS) stat(base string, n *node) (fs.FileInfo, error) {
	switch n.kind {
	case kindDir:
		return dirInfo(base), nil
	case kindSymlink:
		return fileInfo{name: base, mode: fs.ModeSymlink | 0o444}, nil
	case kindFile:
		if b.encrypted() {
			e, err := b.entry(n.fileID)
			if err != nil {
				return nil, &fs.PathError{Op: "stat", Path: base, Err: err}
			}
			if e.Encrypted {
				// The manifest's size until the file is decrypted, then the
				// real one (they differ only when a note says so).
				size := e.Size
				if p, ok := b.decrypted(n.fileID); ok {
					if fi, err := os.Stat(p); err == nil {
						size = fi.Size()
					}
				}
				return fileInfo{name: base, size: size, mode: 0o444, mod: e.Modified}, nil
			}
		}
	}
	p, err := b.plainPath(n)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	return fileInfo{name: base, size: fi.Size(), mode: 0o444, mod: fi.ModTime()}, nil
}

// ReadDir implements fs.ReadDirFS; files not stored in the backup are left out.
func (b *backupFS) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := b.find("readdir", name)
	if err != nil {
		return nil, err
	}
	if n.kind != kindDir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return b.readDir(n)
}

func (b *backupFS) readDir(n *node) ([]fs.DirEntry, error) {
	out := make([]fs.DirEntry, 0, len(n.children))
	for name, c := range n.children {
		if c.kind == kindFile && !b.present[c.fileID] {
			continue
		}
		out = append(out, &dirEntry{b: b, name: name, n: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// LocalPath implements source.LocalPather. For encrypted backups it
// returns the decrypted copy in the private folder, decrypting on demand.
func (b *backupFS) LocalPath(name string) (string, bool) {
	n, err := b.find("open", name)
	if err != nil || (n.kind != kindFile && n.kind != kindRaw) {
		return "", false
	}
	p, err := b.plainPath(n)
	return p, err == nil
}

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
	mod  time.Time
}

func dirInfo(name string) fileInfo { return fileInfo{name: name, mode: fs.ModeDir | 0o555} }

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return f.size }
func (f fileInfo) Mode() fs.FileMode  { return f.mode }
func (f fileInfo) ModTime() time.Time { return f.mod }
func (f fileInfo) IsDir() bool        { return f.mode.IsDir() }
func (f fileInfo) Sys() any           { return nil }

type dirEntry struct {
	b    *backupFS
	name string
	n    *node
}

func (d *dirEntry) Name() string { return d.name }
func (d *dirEntry) IsDir() bool  { return d.n.kind == kindDir }
func (d *dirEntry) Type() fs.FileMode {
	switch d.n.kind {
	case kindDir:
		return fs.ModeDir
	case kindSymlink:
		return fs.ModeSymlink
	}
	return 0
}
func (d *dirEntry) Info() (fs.FileInfo, error) { return d.b.stat(d.name, d.n) }

// dirFile is an open folder (or symlink, which has no content).
type dirFile struct {
	info fileInfo
	ents []fs.DirEntry
	pos  int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}
func (d *dirFile) Close() error { return nil }
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.ents[d.pos:]
	if n <= 0 {
		d.pos = len(d.ents)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.pos += n
	return rest[:n], nil
}

// file is an open plaintext file whose Stat reports the logical name.
type file struct {
	*os.File
	name string
	mod  *time.Time // for decrypted files: the device's time, not the copy's
}

func (f *file) Stat() (fs.FileInfo, error) {
	fi, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	mod := fi.ModTime()
	if f.mod != nil {
		mod = *f.mod
	}
	return fileInfo{name: f.name, size: fi.Size(), mode: 0o444, mod: mod}, nil
}

package iosbackup

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
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
	rowid    int64  // the Files row, found again by rowid: no index of the evidence is trusted
	local    string // kindRaw: path on disk
	children map[string]*node
}

// backupFS is the logical tree of a backup. It is safe for concurrent use.
type backupFS struct {
	dir       string
	folder    evfile.Dir   // the backup folder: regular files inside it only
	tmp       *scratch.Dir // decrypted files, within the run's disk budget
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

// hashedName is the hashed file's name relative to the backup folder.
func hashedName(id string) string { return id[:2] + "/" + id }

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
	// Files must be a real table: a view over a recursive query would spin
	// here, at open time, before any module time limit applies.
	if err := b.db.Table("Files"); err != nil {
		return err
	}
	rows, err := b.db.QueryContext(ctx, "SELECT rowid, fileID, domain, relativePath, flags, "+sqlitex.Capped("file")+" FROM Files")
	if err != nil {
		return fmt.Errorf("Manifest.db: %w", err)
	}
	defer rows.Close()
	bad := 0
	for rows.Next() {
		var rowid int64
		var id, domain, rel sql.NullString
		var flags sql.NullInt64
		var blob any
		if err := rows.Scan(&rowid, &id, &domain, &rel, &flags, &blob); err != nil {
			return fmt.Errorf("Manifest.db: %w", err)
		}
		e := FileEntry{FileID: id.String, Domain: domain.String, RelativePath: rel.String, Flags: int(flags.Int64)}
		if e.Flags == 0 { // only then does the type depend on the metadata
			raw, _ := blob.([]byte)
			_ = decodeMBFile(raw, &e)
		}
		if err := b.add(e, rowid); err != nil {
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

func (b *backupFS) add(e FileEntry, rowid int64) error {
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
	n := &node{kind: kind, fileID: e.FileID, rowid: rowid}
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
			return &node{kind: kindFile, fileID: id, rowid: -1}, nil
		}
	}
	return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
}

// lookupTimeout bounds one metadata lookup: by rowid it takes microseconds.
const lookupTimeout = 30 * time.Second

// entry reads one Files row with its metadata, by rowid (the table's own
// b-tree): an index the evidence declares is never relied on, and a
// Manifest.db crafted without one cannot make every lookup a full scan.
func (b *backupFS) entry(n *node) (*FileEntry, error) {
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	var domain, rel sql.NullString
	var flags sql.NullInt64
	var blob any
	err := b.db.QueryRowContext(ctx, "SELECT fileID, domain, relativePath, flags, "+sqlitex.Capped("file")+" FROM Files NOT INDEXED WHERE rowid = ?", n.rowid).Scan(new(sql.NullString), &domain, &rel, &flags, &blob)
	if err != nil {
		return nil, fmt.Errorf("Manifest.db row %s: %w", n.fileID, err)
	}
	raw, _ := blob.([]byte)
	e := &FileEntry{FileID: n.fileID, Domain: domain.String, RelativePath: rel.String, Flags: int(flags.Int64)}
	return e, decodeMBFile(raw, e)
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
		c.path, c.err = b.decrypt(n)
		close(c.done)
	}
	<-c.done
	return c.path, c.err
}

// decrypt writes a file's plaintext into the private folder. The
// ciphertext's size is reserved from the run's disk budget first (the
// plaintext is never longer), and the ciphertext is opened like any
// evidence file: a named pipe in its place is refused, not waited on.
func (b *backupFS) decrypt(n *node) (string, error) {
	id := n.fileID
	e, err := b.entry(n)
	if err != nil {
		return "", err
	}
	if !e.Encrypted { // stored as is, as iOS does for some entries
		return b.hashedPath(id), nil
	}
	rel := "files/" + hashedName(id)
	note, err := b.decryptInto(e, func(size int64) (decryptOut, error) {
		if _, err := b.tmp.Mkdir("files/" + id[:2]); err != nil {
			return nil, err
		}
		return b.tmp.Create(rel, fmt.Sprintf("decrypting %s (%s)", e.LogicalPath(), id), size)
	})
	if err != nil {
		return "", fmt.Errorf("decrypt %s (%s): %w", e.LogicalPath(), id, err)
	}
	if note != "" {
		b.ev.Note(fmt.Sprintf("%s (%s): %s", e.LogicalPath(), id, note))
	}
	return b.tmp.Join(rel), nil
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
		return &source.DirFile{Path: name, Info: dirInfo(path.Base(name)), Entries: ents}, nil
	case kindSymlink:
		return &source.DirFile{Path: name, Info: fileInfo{name: path.Base(name), mode: fs.ModeSymlink | 0o444}}, nil
	}
	p, err := b.plainPath(n)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f, err := b.openPlain(name, p)
	if err != nil {
		return nil, err
	}
	fl := &file{File: f, name: path.Base(name)}
	if n.kind == kindFile && b.encrypted() {
		if e, err := b.entry(n); err == nil && e.Encrypted {
			fl.mod = &e.Modified
		}
	}
	return fl, nil
}

// openPlain opens a plaintext path: decrypted copies are huella's own
// files; anything in the backup folder is opened through its root, so a
// named pipe or a link leading outside is refused under its logical name.
func (b *backupFS) openPlain(name, p string) (*os.File, error) {
	rel, err := filepath.Rel(b.dir, p)
	if err != nil || !filepath.IsLocal(rel) {
		f, err := os.Open(p)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return f, nil
	}
	f, err := b.folder.Open(filepath.ToSlash(rel))
	if err != nil {
		var re *evfile.RefusedError
		if errors.As(err, &re) {
			return nil, &evfile.RefusedError{Name: name, Reason: re.Reason}
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return f.(*os.File), nil
}

// statPlain is openPlain's Stat.
func (b *backupFS) statPlain(name, p string) (fs.FileInfo, error) {
	rel, err := filepath.Rel(b.dir, p)
	if err != nil || !filepath.IsLocal(rel) {
		return os.Stat(p)
	}
	fi, err := b.folder.Stat(filepath.ToSlash(rel))
	if err != nil {
		var re *evfile.RefusedError
		if errors.As(err, &re) {
			return nil, &evfile.RefusedError{Name: name, Reason: re.Reason}
		}
	}
	return fi, err
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
			e, err := b.entry(n)
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
	fi, err := b.statPlain(base, p)
	if err != nil {
		return nil, err
	}
	// The real type is kept: a named pipe stored as a "file" must look like
	// one, so readers refuse it instead of opening it.
	return fileInfo{name: base, size: fi.Size(), mode: fi.Mode().Type() | 0o444, mod: fi.ModTime()}, nil
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
	if err != nil {
		return "", false
	}
	if rel, err := filepath.Rel(b.dir, p); err == nil && filepath.IsLocal(rel) {
		return b.folder.LocalPath(filepath.ToSlash(rel))
	}
	return p, true
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

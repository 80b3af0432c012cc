package evfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Dir is an evidence folder seen as an fs.FS that cannot be turned against
// the examiner:
//
//   - every path is resolved inside the folder (os.Root): a symbolic link,
//     at any depth, that leads outside it is refused, so a planted
//     "sms.db -> /home/analyst/other-case/sms.db" is never read;
//   - files are opened without blocking (O_NONBLOCK where the system has
//     it) and checked with fstat before any read: named pipes, sockets and
//     devices are refused at Open, so a FIFO named getprop.txt cannot hang
//     the run;
//   - LocalPath (how SQLite gets a path on disk) answers only for regular
//     files inside the folder, and gives the resolved path.
type Dir string

// root checks name as fs.FS requires (the error names op) and opens the
// folder as an os.Root, which keeps every lookup inside it.
func (d Dir) root(op, name string) (*os.Root, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return os.OpenRoot(string(d))
}

// Open implements fs.FS. Folders and regular files open; anything else is
// a *RefusedError naming the file.
func (d Dir) Open(name string) (fs.File, error) {
	r, err := d.root("open", name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := r.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		// A socket cannot be opened at all (ENXIO): say what it is.
		if fi, serr := r.Stat(name); serr == nil && !fi.IsDir() {
			if why := NotRegular(fi.Mode()); why != "" {
				return nil, &RefusedError{Name: name, Reason: why}
			}
		}
		return nil, asRefusal(name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.IsDir() {
		if why := NotRegular(fi.Mode()); why != "" {
			f.Close()
			return nil, &RefusedError{Name: name, Reason: why}
		}
	}
	return f, nil
}

// ReadDir implements fs.ReadDirFS.
func (d Dir) ReadDir(name string) ([]fs.DirEntry, error) {
	f, err := d.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, ok := f.(fs.ReadDirFile)
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	ents, err := rd.ReadDir(-1)
	sortEntries(ents)
	return ents, err
}

// Stat implements fs.StatFS, following links that stay inside the folder.
func (d Dir) Stat(name string) (fs.FileInfo, error) {
	r, err := d.root("stat", name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fi, err := r.Stat(name)
	if err != nil {
		return nil, asRefusal(name, err)
	}
	return fi, nil
}

// LocalPath implements source.LocalPather: the resolved on-disk path of a
// regular file inside the folder, or ok=false.
func (d Dir) LocalPath(name string) (string, bool) {
	fi, err := d.Stat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	base, err := filepath.EvalSymlinks(string(d))
	if err != nil {
		return "", false
	}
	p, err := filepath.EvalSymlinks(filepath.Join(base, filepath.FromSlash(name)))
	if err != nil {
		return "", false
	}
	if rel, err := filepath.Rel(base, p); err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return p, true
}

// asRefusal turns os.Root's "path escapes from parent" into a refusal
// naming the file; other errors pass through.
func asRefusal(name string, err error) error {
	var re *RefusedError
	if errors.As(err, &re) {
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes from parent") {
		return &RefusedError{Name: name, Reason: "a symbolic link that leads outside the evidence folder"}
	}
	return err
}

// sortEntries: os.File.ReadDir returns directory order; fs.ReadDir
// promises sorted names.
func sortEntries(ents []fs.DirEntry) {
	slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
}

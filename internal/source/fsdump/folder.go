package fsdump

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/huella-project/huella/internal/source/evfile"
)

// folderIndex reads a dump that is a folder: files open through
// evfile.Dir (links kept inside, pipes and devices refused), and SQLite
// opens databases in place.
type folderIndex struct{ root evfile.Dir }

func (x folderIndex) open(t *tree, id int32) (io.ReadCloser, error) {
	return x.root.Open(t.rawPath(id))
}

func (x folderIndex) localPath(t *tree, id int32) (string, bool) {
	return x.root.LocalPath(t.rawPath(id))
}

func (folderIndex) close() error { return nil }

// maxProblems bounds the unreadable folders listed one by one.
const maxProblems = 50

// indexFolder walks the folder at root once (names, types, sizes and
// times), never following a link. Folders it cannot read are listed in
// problems; the walk goes on.
func indexFolder(ctx context.Context, root string, maxEntries int) (t *tree, problems []string, err error) {
	t = newTree()
	n, more := 0, 0
	problem := func(rel string, err error) {
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Sprintf("%s: %v", rel, err))
		} else {
			more++
		}
	}
	prefix := strings.TrimSuffix(root, string(filepath.Separator)) + string(filepath.Separator)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, werr error) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if maxEntries > 0 && n > maxEntries {
			return fmt.Errorf("more than %d entries in the folder", maxEntries)
		}
		if p == root {
			if werr != nil {
				return werr
			}
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, prefix))
		if werr != nil {
			problem(rel, werr)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		fi, ierr := d.Info()
		if ierr != nil {
			problem(rel, ierr)
			return nil
		}
		mt := fi.ModTime().UnixNano()
		switch {
		case d.IsDir():
			_, err := t.add(rel, kindDir, 0, mt, 0)
			return err
		case d.Type().IsRegular():
			_, err := t.add(rel, kindFile, fi.Size(), mt, 0)
			return err
		default: // links, pipes, sockets, devices: listed, never followed or read
			_, err := t.add(rel, kindLink, 0, mt, 0)
			return err
		}
	})
	if more > 0 {
		problems = append(problems, fmt.Sprintf("%d more could not be read (not listed one by one)", more))
	}
	if err != nil {
		return nil, nil, err
	}
	t.freeze()
	return t, problems, nil
}

// dirProbe answers layout questions about a folder with a few Stat and
// ReadDir calls, before anything is walked.
type dirProbe struct{ d evfile.Dir }

func (p dirProbe) isDir(q string) bool {
	if q == "" {
		q = "."
	}
	fi, err := p.d.Stat(q)
	return err == nil && fi.IsDir()
}

func (p dirProbe) subdirs(q string) (dirs []string, files bool) {
	if q == "" {
		q = "."
	}
	ents, err := p.d.ReadDir(q)
	if err != nil {
		return nil, false
	}
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		} else if !ignorable(e.Name()) {
			files = true
		}
	}
	return dirs, files
}

package archive

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// Extract copies the tree sub of a checked archive file system (a ZipFS)
// into dst, which must exist and be private. The sizes the entries declare
// are added up and reserved from the run's disk budget before anything is
// written, and each entry is copied through the bounded reader, so it stops
// at its declared size whatever the compressed stream holds: a zipped
// backup whose Info.plist inflates to 1.5 GiB is refused up front (or, if
// it lies about its size, at the first byte past the lie).
func Extract(ctx context.Context, fsys fs.FS, sub, dst string, budget *scratch.Budget, what string) error {
	var declared int64
	err := fs.WalkDir(fsys, sub, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			declared += fi.Size()
		}
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	if budget != nil {
		if err := budget.Reserve(what+" (entries to extract)", declared); err != nil {
			return err
		}
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return err
	}
	defer root.Close()
	return fs.WalkDir(fsys, sub, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := name
		if sub != "." {
			rel = strings.TrimPrefix(strings.TrimPrefix(name, sub), "/")
		}
		if rel == "" || rel == "." {
			return nil
		}
		if d.IsDir() {
			return root.MkdirAll(rel, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if dir := path.Dir(rel); dir != "." {
			if err := root.MkdirAll(dir, 0o700); err != nil {
				return err
			}
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		in, err := evfile.Open(fsys, name, evfile.Limit{Kind: "archive entry declaring " + evfile.Size(fi.Size()), Max: fi.Size()})
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		defer in.Close()
		out, err := root.OpenFile(rel, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return fmt.Errorf("%s: %w", what, err)
		}
		return out.Close()
	})
}

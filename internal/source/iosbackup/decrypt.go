package iosbackup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/source/evfile"
)

// Decrypt writes a plain copy of the backup at src into dst, in the same
// hashed layout (so any tool reads it), with a decrypted Manifest.db and
// Manifest.plist saying IsEncrypted false. With tree, it also restores
// dst/tree/<Domain>/<relativePath>. dst must be new or empty and must not
// lie inside src. Problems with single files (a size that disagrees with
// the manifest, an unsafe path) go to opts.Note and do not stop the run.
func Decrypt(ctx context.Context, src, dst string, opts Options, tree bool) error {
	note := opts.Note
	if note == nil {
		note = func(string) {}
	}
	if err := checkDest(src, dst); err != nil {
		return err
	}
	ev, err := Open(ctx, src, opts)
	if err != nil {
		return err
	}
	defer ev.Close()
	b := ev.FS.(*backupFS)
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	if err := b.copyFile("Manifest.db", b.dbPath, filepath.Join(dst, "Manifest.db")); err != nil {
		return err
	}
	for _, n := range []string{"Info.plist", "Status.plist"} {
		if p, ok := b.raw[n]; ok {
			if err := b.copyFile(n, p, filepath.Join(dst, n)); err != nil {
				return err
			}
		}
	}
	if err := writePlainManifestPlist(b.dir, filepath.Join(dst, "Manifest.plist")); err != nil {
		return err
	}
	for e, rowErr := range Files(ctx, ev) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if rowErr != nil {
			if e.FileID == "" {
				return rowErr
			}
			note(rowErr.Error())
		}
		if e.IsDir() || e.IsSymlink() || !isFileID(e.FileID) || !b.present[e.FileID] {
			continue
		}
		out := filepath.Join(dst, e.FileID[:2], e.FileID)
		if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
			return err
		}
		if b.encrypted() && e.Encrypted {
			msg, err := b.decryptTo(&e, out)
			if err != nil {
				note(fmt.Sprintf("%s (%s): %v", e.LogicalPath(), e.FileID, err))
				continue
			}
			if msg != "" {
				note(fmt.Sprintf("%s (%s): %s", e.LogicalPath(), e.FileID, msg))
			}
		} else if err := b.copyFile(e.LogicalPath(), b.hashedPath(e.FileID), out); err != nil {
			if evfile.IsRefused(err) {
				note(err.Error())
				continue
			}
			return err
		}
		if tree {
			if err := restore(dst, e, out); err != nil {
				note(err.Error())
			}
		}
	}
	return nil
}

// checkDest refuses a destination inside the evidence, which would write
// into it, and a destination that already holds files.
func checkDest(src, dst string) error {
	as, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	ad, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
	if rs, err := filepath.EvalSymlinks(as); err == nil {
		as = rs
	}
	if rd, err := evalExisting(ad); err == nil {
		ad = rd
	}
	if rel, err := filepath.Rel(as, ad); err == nil && (rel == "." || filepath.IsLocal(rel)) {
		return fmt.Errorf("destination %s is inside the backup %s; choose a folder outside the evidence", dst, src)
	}
	ents, err := os.ReadDir(dst)
	if err == nil && len(ents) > 0 {
		return fmt.Errorf("destination %s is not empty", dst)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// evalExisting resolves symlinks in the longest existing prefix of p, so a
// not-yet-created destination under a symlink into the evidence is caught.
func evalExisting(p string) (string, error) {
	rest := ""
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest), nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", errors.New("no existing prefix")
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// restore copies a decrypted file to tree/<Domain>/<relativePath>, refusing
// any path that could leave the tree.
func restore(dst string, e FileEntry, from string) error {
	lp := e.LogicalPath()
	if strings.ContainsRune(lp, 0) || strings.Contains(lp, "\\") || !filepath.IsLocal(filepath.FromSlash(lp)) || strings.Contains("/"+lp+"/", "/../") {
		return fmt.Errorf("%q: unsafe path, not restored", lp)
	}
	to := filepath.Join(dst, "tree", filepath.FromSlash(lp))
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return fmt.Errorf("%s: %w", lp, err)
	}
	in, err := os.Open(from) // a file this command just wrote
	if err != nil {
		return fmt.Errorf("%s: %w", lp, err)
	}
	defer in.Close()
	if err := copyTo(in, to); err != nil {
		return fmt.Errorf("%s: %w", lp, err)
	}
	return nil
}

func writePlainManifestPlist(srcDir, dst string) error {
	data, err := evfile.ReadFile(evfile.Dir(srcDir), "Manifest.plist", evfile.BackupManifest)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	mp, err := readManifestPlist(srcDir)
	if err != nil {
		return err
	}
	if mp.raw == nil {
		return os.WriteFile(dst, data, 0o600)
	}
	mp.raw["IsEncrypted"] = false
	out, err := plist.Marshal(mp.raw, plist.BinaryFormat)
	if err != nil {
		return fmt.Errorf("Manifest.plist: %w", err)
	}
	return os.WriteFile(dst, out, 0o600)
}

// decryptTo decrypts one file of the backup into the new file out.
func (b *backupFS) decryptTo(e *FileEntry, out string) (string, error) {
	created := false
	msg, err := b.decryptInto(e, func(int64) (decryptOut, error) {
		f, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		created = err == nil
		return f, err
	})
	if err != nil && created {
		os.Remove(out)
	}
	return msg, err
}

// decryptOut is a file a decrypted copy is written to.
type decryptOut interface {
	truncWriter
	io.Closer
}

// decryptInto decrypts e's file of the backup (opened as evidence: a named
// pipe in its place is refused) into the file create makes, told the
// encrypted size (the plaintext is never longer), and closes it. It
// returns decryptFile's note.
func (b *backupFS) decryptInto(e *FileEntry, create func(size int64) (decryptOut, error)) (string, error) {
	in, err := evfile.Open(b.folder, hashedName(e.FileID), evfile.Database)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := create(in.Info.Size())
	if err != nil {
		return "", err
	}
	note, err := decryptFile(b.classKeys, e, in, out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return note, err
}

// copyFile copies a plaintext file (from the backup folder, opened through
// its root, or a decrypted copy) to a new file.
func (b *backupFS) copyFile(name, from, to string) error {
	in, err := b.openPlain(name, from)
	if err != nil {
		return err
	}
	defer in.Close()
	return copyTo(in, to)
}

func copyTo(in io.Reader, to string) error {
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

package androidab

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// PasswordEnv is read when Options.Password is empty, so scripts need not
// put the password on the command line.
const PasswordEnv = "HUELLA_ANDROID_BACKUP_PASSWORD"

// Options for Open.
type Options struct {
	Password string
	TempRoot string       // where the private temporary folder is made when Temp is nil; "" = system default
	Temp     *scratch.Dir // the run's private folder and disk budget
	Limits   archive.Limits
}

func (o Options) password() string {
	if o.Password != "" {
		return o.Password
	}
	return os.Getenv(PasswordEnv)
}

// Open opens an .ab file, or a folder already unpacked from one (with
// "apps/..."), as android-backup evidence whose tree is the tar's content.
func Open(ctx context.Context, p string, opts Options) (*source.Evidence, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	ev := &source.Evidence{Kind: source.AndroidBackup, Path: p, Device: source.Device{Platform: "android"}}
	if fi.IsDir() {
		ev.FS = evfile.Dir(p)
		return ev, nil
	}
	tmp := opts.Temp
	if tmp == nil {
		if tmp, err = scratch.New(opts.TempRoot, "huella-ab-", scratch.DefaultBudget(p)); err != nil {
			return nil, err
		}
	}
	ev.TempDir, ev.Temp = tmp.Path(), tmp
	content, err := tmp.Mkdir("content")
	if err != nil {
		ev.Close()
		return nil, err
	}
	fsys, st, err := Extract(ctx, p, opts.password(), content, opts.Limits, tmp.Budget())
	for _, s := range st.Skipped {
		ev.Note(s)
	}
	if err != nil {
		// Over the temporary disk budget or a size limit the backup is
		// refused whole, naming the entry (and the flag that raises the
		// budget): what was unpacked before would be checked as if it were
		// all. A stream cut short keeps what it held, with a note.
		if st.Entries == 0 || errors.Is(err, ErrPasswordNeeded) || errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrNotBackup) ||
			errors.Is(err, scratch.ErrBudget) || errors.Is(err, archive.ErrLimit) {
			ev.Close()
			return nil, err
		}
		// A cut backup still holds evidence: keep what was read, loudly.
		ev.Note(err.Error())
	}
	ev.FS = fsys
	return ev, nil
}

// Extract decrypts and unpacks the .ab at p into dir, within the disk
// budget (the opener hashes the file itself as an input). fsys is usable
// even when err reports a truncation.
func Extract(ctx context.Context, p, password, dir string, lim archive.Limits, budget *scratch.Budget) (fs.FS, TarStats, error) {
	f, err := evfile.Open(evfile.Dir(filepath.Dir(p)), filepath.Base(p), evfile.Stream)
	if err != nil {
		return nil, TarStats{}, err
	}
	defer f.Close()
	b, err := Parse(f, password)
	if err != nil {
		return nil, TarStats{}, fmt.Errorf("%s: %w", p, err)
	}
	defer b.Close()
	fsys, st, err := ReadTar(ctx, b.Tar, dir, lim, budget)
	if err != nil {
		return fsys, st, fmt.Errorf("%s: %w", p, err)
	}
	return fsys, st, nil
}

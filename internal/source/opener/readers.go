package opener

import (
	"context"
	"errors"
	"io/fs"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidab"
	"github.com/huella-project/huella/internal/source/androidqf"
	"github.com/huella-project/huella/internal/source/iosbackup"
	"github.com/huella-project/huella/internal/source/scratch"
)

// The per-kind readers. Each lives in its own package under internal/source;
// this file is the one place that connects them to detection.

// Every reader writes into the run's one private folder and draws on its
// one disk budget (tmp).

func openIOSBackup(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	ev, err := iosbackup.Open(ctx, p, iosbackup.Options{Password: o.Password, Key: o.Key, Temp: tmp})
	return ev, secretErr(err)
}

func openAndroidBackup(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	ev, err := androidab.Open(ctx, p, androidab.Options{Password: o.Password, Temp: tmp})
	return ev, secretErr(err)
}

func aqfOptions(tmp *scratch.Dir, o Options) androidqf.Options {
	return androidqf.Options{AgeIdentity: o.AgeIdentity, BackupPassword: o.Password, Temp: tmp}
}

func openAndroidQF(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	ev, err := androidqf.Open(ctx, p, aqfOptions(tmp, o))
	return ev, secretErr(err)
}

func openBugreport(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	return androidqf.OpenBugreport(ctx, p, aqfOptions(tmp, o))
}

func openIntrusionLogs(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	return androidqf.OpenIntrusionLogs(ctx, p, aqfOptions(tmp, o))
}

func isIntrusionLogs(fsys fs.FS) bool { return androidqf.DetectIntrusionLogs(fsys) }

// secretErr makes every reader's password errors match the shared
// source.ErrPasswordNeeded / ErrWrongPassword, so the CLI asks once and
// prints one message whatever the evidence type.
func secretErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, iosbackup.ErrPasswordNeeded), errors.Is(err, androidab.ErrPasswordNeeded):
		return &kindErr{kind: source.ErrPasswordNeeded, err: err}
	case errors.Is(err, iosbackup.ErrWrongPassword), errors.Is(err, androidab.ErrWrongPassword), errors.Is(err, androidqf.ErrWrongIdentity):
		return &kindErr{kind: source.ErrWrongPassword, err: err}
	}
	return err
}

type kindErr struct{ kind, err error }

func (e *kindErr) Error() string   { return e.err.Error() }
func (e *kindErr) Unwrap() []error { return []error{e.kind, e.err} }

package androidqf

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidab"
)

// OpenAny finds which Android evidence p is (a .ab backup or a folder
// unpacked from one, an androidqf acquisition, a bug report, intrusion
// logs) and opens it. want, when not empty, forces the kind.
func OpenAny(ctx context.Context, p string, want source.Kind, opts Options) (*source.Evidence, error) {
	abOpts := androidab.Options{Password: opts.BackupPassword, TempRoot: opts.TempRoot, Temp: opts.Temp, Limits: opts.Limits}
	switch want {
	case source.AndroidBackup:
		return androidab.Open(ctx, p, abOpts)
	case source.AndroidQF:
		return Open(ctx, p, opts)
	case source.Bugreport:
		return OpenBugreport(ctx, p, opts)
	case source.IntrusionLogs:
		return OpenIntrusionLogs(ctx, p, opts)
	case "":
	default:
		return nil, fmt.Errorf("%s: %s is not an Android evidence kind", p, want)
	}
	if isABFile(p) {
		return androidab.Open(ctx, p, abOpts)
	}
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		if _, err := os.Stat(p + "/apps"); err == nil {
			return androidab.Open(ctx, p, abOpts)
		}
	}
	ev, err := openTree(ctx, p, source.AndroidQF, opts, func(f fs.FS) bool {
		return Detect(f) || DetectBugreport(f)
	})
	if err != nil {
		return nil, err
	}
	switch {
	case Detect(ev.FS):
		return finish(ev, finishQF(ctx, ev, opts))
	case DetectBugreport(ev.FS):
		return finish(ev, finishBugreport(ev))
	}
	return finish(ev, finishIntrusion(ev))
}

func isABFile(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	return line == "ANDROID BACKUP\n"
}

package opener

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/netcap"
	"github.com/huella-project/huella/internal/source/scratch"
)

// Network evidence (captures and logs of a phone's traffic) is recognised
// after every kind of phone evidence: a folder that is a backup, a dump or
// an acquisition is that, whatever captures it also holds.

func openNetwork(ctx context.Context, paths []string, tmp *scratch.Dir) (*source.Evidence, error) {
	return netcap.Open(ctx, paths, tmp)
}

func openNetworkFS(ctx context.Context, fsys fs.FS, label string, tmp *scratch.Dir) (*source.Evidence, error) {
	return netcap.OpenFS(ctx, fsys, label, tmp)
}

// isNetworkFile says whether a file's content is a capture or a log huella
// reads (gzip-compressed logs included).
func isNetworkFile(p string) bool { return netcap.Detect(p) }

// isNetworkTree says whether a tree that is no phone evidence holds
// captures or logs.
func isNetworkTree(fsys fs.FS) bool { return netcap.DetectFS(fsys) }

// IsNetwork says whether Open would read p as network evidence, without
// opening it: check uses it to read several captures and logs of one phone
// as one network evidence.
func IsNetwork(p string, o Options) bool {
	if o.Type != "" {
		return o.Type == source.Network
	}
	fi, err := os.Stat(p)
	if err != nil {
		return false
	}
	if fi.IsDir() {
		fsys := evfile.Dir(p)
		if Classify(fsys) != "" {
			return false
		}
		if td := topDir(fsys); td != "." && Classify(evfile.Dir(filepath.Join(p, td))) != "" {
			return false
		}
		return isNetworkTree(fsys)
	}
	head, err := readHead(p, 512)
	if err != nil {
		return false
	}
	switch {
	case bytes.HasPrefix(head, []byte("ANDROID BACKUP\n")), bytes.HasPrefix(head, []byte("age-encryption.org/")),
		bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")), isTar(head):
		return false
	}
	return isNetworkFile(p)
}

// OpenNetwork opens the files and folders at paths (each one IsNetwork) as
// one network evidence, in one private temporary folder, hashing them all.
func OpenNetwork(ctx context.Context, paths []string, o Options) (*source.Evidence, error) {
	if len(paths) == 0 {
		return nil, errors.New("no network evidence given")
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() && !fi.Mode().IsRegular() {
			return nil, &evfile.RefusedError{Name: p, Reason: evfile.NotRegular(fi.Mode())}
		}
	}
	label := paths[0]
	if len(paths) > 1 {
		label = fmt.Sprintf("%s (and %d more)", paths[0], len(paths)-1)
	}
	ev, err := openWith(ctx, label, paths, o, func(tmp *scratch.Dir) (*source.Evidence, error) { return openNetwork(ctx, paths, tmp) })
	if err != nil {
		return nil, err
	}
	return ev, nil
}

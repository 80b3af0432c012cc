package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// HashInputs hashes what the user handed over: the file itself, or every
// regular file below a folder (in parallel), for the chain of custody. Files
// that cannot be read are listed with an empty hash rather than dropped, and
// so are sparse files far larger than the disk they take (the error lists
// them). It stops when ctx is done.
func HashInputs(ctx context.Context, p string) ([]InputFile, error) {
	return HashInputsExcept(ctx, p, nil)
}

// HashInputsExcept is HashInputs leaving out, unread and unlisted, the
// files of a folder for which skip (given the slash path below p) is true:
// the files of a Safari export that hold passwords or payment cards are
// never opened, not even to hash them.
func HashInputsExcept(ctx context.Context, p string, leave func(rel string) bool) ([]InputFile, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		if why := tooSparse(fi); why != "" {
			return []InputFile{{Path: p, Size: fi.Size()}}, fmt.Errorf("%s: %s", p, why)
		}
		h, err := hashFile(ctx, p)
		return []InputFile{{Path: p, Size: fi.Size(), SHA256: h}}, err
	}
	var paths []string
	var sizes []int64
	var skip []bool
	var skipped []error
	err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			return nil
		}
		if leave != nil && d.Type().IsRegular() {
			if rel, err := filepath.Rel(p, q); err == nil && leave(filepath.ToSlash(rel)) {
				return nil
			}
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				why := tooSparse(info)
				if why != "" {
					rel, _ := filepath.Rel(p, q)
					skipped = append(skipped, fmt.Errorf("%s: %s", filepath.ToSlash(rel), why))
				}
				paths = append(paths, q)
				sizes = append(sizes, info.Size())
				skip = append(skip, why != "")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]InputFile, len(paths))
	idx := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				rel, _ := filepath.Rel(p, paths[i])
				out[i] = InputFile{Path: filepath.ToSlash(rel), Size: sizes[i]}
				if !skip[i] {
					out[i].SHA256, _ = hashFile(ctx, paths[i])
				}
			}
		}()
	}
	for i := range paths {
		if ctx.Err() != nil {
			break
		}
		idx <- i
	}
	close(idx)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, errors.Join(skipped...)
}

// sparseRatio: a file whose size is this many times what it takes on disk,
// and over sparseMin, is not hashed: hashing reads every byte, and a crafted
// sparse file of a terabyte would keep the open step busy for an hour. Its
// size and the space it takes are noted instead.
const (
	sparseRatio = 64
	sparseMin   = 1 << 30
)

func tooSparse(fi fs.FileInfo) string {
	if fi.Size() > sparseMin && fi.Size() > sparseRatio*scratch.Allocated(fi) {
		return fmt.Sprintf("sparse file of %s taking %s on disk: not hashed (its content was not read in full)", evfile.Size(fi.Size()), evfile.Size(scratch.Allocated(fi)))
	}
	return ""
}

// HashFile is the hex SHA-256 of a file's content, streamed so a
// multi-gigabyte image never sits in memory.
func HashFile(p string) (string, error) { return hashFile(context.Background(), p) }

// hashFile opens p without blocking (a named pipe listed by the walk is
// refused, not waited on) and stops when ctx is done.
func hashFile(ctx context.Context, p string) (string, error) {
	f, err := evfile.Open(evfile.Dir(filepath.Dir(p)), filepath.Base(p), evfile.Limit{Kind: "input file", Max: 1 << 50})
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, evfile.WithContext(ctx, f)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

package source

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// HashInputs hashes what the user handed over: the file itself, or every
// regular file below a folder (in parallel), for the chain of custody. Files
// that cannot be read are listed with an empty hash rather than dropped.
func HashInputs(p string) ([]InputFile, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		h, err := HashFile(p)
		return []InputFile{{Path: p, Size: fi.Size(), SHA256: h}}, err
	}
	var paths []string
	var sizes []int64
	err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				paths = append(paths, q)
				sizes = append(sizes, info.Size())
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
				h, _ := HashFile(paths[i])
				rel, _ := filepath.Rel(p, paths[i])
				out[i] = InputFile{Path: filepath.ToSlash(rel), Size: sizes[i], SHA256: h}
			}
		}()
	}
	for i := range paths {
		idx <- i
	}
	close(idx)
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// HashFile is the hex SHA-256 of a file's content, streamed so a
// multi-gigabyte image never sits in memory.
func HashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

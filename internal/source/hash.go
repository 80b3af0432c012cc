package source

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// HashInputs hashes what the user handed over: the file itself, or every
// regular file below a folder (in parallel), for the chain of custody. Files
// that cannot be read are listed with an empty hash rather than dropped, and
// so are sparse files far larger than the disk they take (the error lists
// them). It stops when ctx is done. A folder of more than MaxListedInputs
// files is not listed in memory: see HashInputsTo.
func HashInputs(ctx context.Context, p string) ([]InputFile, error) {
	return HashInputsExcept(ctx, p, nil)
}

// HashInputsExcept is HashInputs leaving out, unread and unlisted, the
// files of a folder for which leave (given the slash path below p) is
// true: the files of a Safari export that hold passwords or payment cards
// are never opened, not even to hash them.
func HashInputsExcept(ctx context.Context, p string, leave func(rel string) bool) ([]InputFile, error) {
	ins, _, err := HashInputsTo(ctx, p, "", leave)
	return ins, err
}

// MaxListedInputs is the most input files listed one by one in info.json.
// A full file-system dump that is a folder holds a million: its hashes go
// to a list file beside info.json (InputsList), written as they are
// computed, so memory does not grow with the files.
const MaxListedInputs = 10_000

// InputsListFile is the list's name in a results folder: the format
// sha256sum writes, so "cd EVIDENCE && sha256sum -c inputs.sha256" checks
// every file.
const InputsListFile = "inputs.sha256"

// InputsListName is the list's name for the nth evidence of a check of
// several (1 is the first): inputs.sha256, then inputs-2.sha256... Each
// evidence keeps its own list, so no evidence's hashes are lost.
func InputsListName(n int) string {
	if n <= 1 {
		return InputsListFile
	}
	return "inputs-" + strconv.Itoa(n) + ".sha256"
}

// InputsList stands for the hashes of a folder too large to list in
// info.json: how many files, their bytes, the list file and its SHA-256.
type InputsList struct {
	Files  int    `json:"files"`
	Bytes  int64  `json:"bytes"`
	File   string `json:"file"`   // in the results folder: inputs.sha256
	SHA256 string `json:"sha256"` // of that file
	// NotHashed counts files that could not be read (listed as comments).
	NotHashed int `json:"not_hashed,omitempty"`

	spool string // the list in the private folder until the results folder exists
}

// Spool is where the list waits until the results folder exists.
func (l *InputsList) Spool() string { return l.spool }

// hashBatch is how many files are hashed in parallel between two writes of
// the list, which keeps it in walk order with bounded memory.
const hashBatch = 4096

// HashInputsTo is HashInputs that, for a folder of more than
// MaxListedInputs files, writes the hashes into a list file in spoolDir
// (the run's private folder) instead of returning them: ins is then nil
// and list says where they are. With spoolDir "" every file is returned.
// leave is as for HashInputsExcept (nil: every file).
func HashInputsTo(ctx context.Context, p, spoolDir string, leave func(rel string) bool) (ins []InputFile, list *InputsList, err error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if !fi.IsDir() {
		if why := tooSparse(fi); why != "" {
			return []InputFile{{Path: p, Size: fi.Size()}}, nil, fmt.Errorf("%s: %s", p, why)
		}
		h, err := hashFile(ctx, p, make([]byte, 1<<16))
		return []InputFile{{Path: p, Size: fi.Size(), SHA256: h}}, nil, err
	}
	var skipped []error
	var spool *os.File
	var sw *bufio.Writer
	var sum hash.Hash
	total, nBytes, notHashed := 0, int64(0), 0
	defer func() {
		if spool != nil {
			spool.Close()
			if list == nil {
				os.Remove(spool.Name())
			}
		}
	}()
	// flush hashes one batch in parallel and appends it, in order.
	bufs := make([][]byte, runtime.GOMAXPROCS(0))
	for i := range bufs {
		bufs[i] = make([]byte, 1<<16)
	}
	batch := make([]InputFile, 0, hashBatch)
	paths := make([]string, 0, hashBatch)
	skip := make([]bool, 0, hashBatch)
	flush := func() error {
		idx := make(chan int)
		var wg sync.WaitGroup
		for w := range bufs {
			wg.Add(1)
			go func(buf []byte) {
				defer wg.Done()
				for i := range idx {
					if !skip[i] {
						batch[i].SHA256, _ = hashFile(ctx, paths[i], buf)
					}
				}
			}(bufs[w])
		}
		for i := range batch {
			if ctx.Err() != nil {
				break
			}
			idx <- i
		}
		close(idx)
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, in := range batch {
			if spool == nil && spoolDir != "" && total+len(batch) > MaxListedInputs {
				// Past the listing limit: everything so far and everything
				// after goes to the list file.
				f, err := os.CreateTemp(spoolDir, "inputs-*.sha256")
				if err != nil {
					return err
				}
				spool, sw, sum = f, bufio.NewWriterSize(f, 1<<16), sha256.New()
				for _, prev := range ins {
					writeSumLine(io.MultiWriter(sw, sum), prev)
				}
				ins = nil
			}
			if spool != nil {
				writeSumLine(io.MultiWriter(sw, sum), in)
			} else {
				ins = append(ins, in)
			}
			if in.SHA256 == "" {
				notHashed++
			}
			nBytes += in.Size
		}
		total += len(batch)
		batch, paths, skip = batch[:0], paths[:0], skip[:0]
		return nil
	}
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
				rel, _ := filepath.Rel(p, q)
				rel = filepath.ToSlash(rel)
				if why != "" {
					skipped = append(skipped, fmt.Errorf("%s: %s", rel, why))
				}
				batch = append(batch, InputFile{Path: rel, Size: info.Size()})
				paths = append(paths, q)
				skip = append(skip, why != "")
				if len(batch) == hashBatch {
					return flush()
				}
			}
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, nil, err
	}
	if spool == nil {
		sort.Slice(ins, func(i, j int) bool { return ins[i].Path < ins[j].Path })
		return ins, nil, errors.Join(skipped...)
	}
	if err := sw.Flush(); err != nil {
		return nil, nil, err
	}
	list = &InputsList{Files: total, Bytes: nBytes, File: InputsListFile, SHA256: hex.EncodeToString(sum.Sum(nil)), NotHashed: notHashed, spool: spool.Name()}
	return nil, list, errors.Join(skipped...)
}

// writeSumLine writes one line as sha256sum does ("<hash>  <path>"; a name
// holding a newline or backslash escaped, the line then starting with a
// backslash). A file that could not be read is a comment line, which
// sha256sum -c reports as not checked.
func writeSumLine(w io.Writer, in InputFile) {
	name, esc := in.Path, ""
	if strings.ContainsAny(name, "\\\n\r") {
		name = strings.NewReplacer("\\", "\\\\", "\n", "\\n", "\r", "\\r").Replace(name)
		esc = "\\"
	}
	if in.SHA256 == "" {
		fmt.Fprintf(w, "# not hashed (unreadable or sparse): %s\n", name)
		return
	}
	fmt.Fprintf(w, "%s%s  %s\n", esc, in.SHA256, name)
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
func HashFile(p string) (string, error) {
	return hashFile(context.Background(), p, make([]byte, 1<<16))
}

// hashFile opens p without blocking (a named pipe listed by the walk is
// refused, not waited on) and stops when ctx is done.
func hashFile(ctx context.Context, p string, buf []byte) (string, error) {
	f, err := evfile.Open(evfile.Dir(filepath.Dir(p)), filepath.Base(p), evfile.Limit{Kind: "input file", Max: 1 << 50})
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	// One buffer per worker: io.Copy would allocate 32 KB per file, 30 GB
	// of garbage for a dump of a million files.
	if _, err := io.CopyBuffer(h, evfile.WithContext(ctx, f), buf); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

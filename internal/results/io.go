package results

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/huella-project/huella/internal/atomicfile"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/source"
)

// ResolveOutDir returns the absolute path of the results folder out with
// every symbolic link in its existing part resolved, so the checks below
// see where files would really go. Nothing is created. It refuses a folder
// inside (or equal to) any evidence folder, a path that exists and is not
// a folder, and a folder that is not empty unless force is set (then only
// huella's own files in it are replaced, by CreateOutDir).
func ResolveOutDir(out string, force bool, evidencePaths ...string) (string, error) {
	if out == "" {
		return "", errors.New("no output folder given")
	}
	real, err := resolvePath(out)
	if err != nil {
		return "", err
	}
	for _, ev := range evidencePaths {
		if ev == "" {
			continue
		}
		evReal, err := resolvePath(ev)
		if err != nil {
			continue
		}
		if fi, err := os.Stat(evReal); err == nil && fi.IsDir() && within(real, evReal) {
			return "", fmt.Errorf("output folder %s is inside the evidence %s (nothing may be written there): choose a folder outside it with --output", out, ev)
		}
	}
	fi, err := os.Lstat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return real, nil
	case err != nil:
		return "", err
	case !fi.IsDir():
		return "", fmt.Errorf("output %s exists and is not a folder: choose another --output", out)
	}
	if !force {
		names, err := listDir(real)
		if err != nil {
			return "", err
		}
		if len(names) > 0 {
			return "", fmt.Errorf("output folder %s is not empty (it holds %s): choose a new folder with --output, or give --force to replace huella's own files in it", out, strings.Join(firstN(names, 3), ", "))
		}
	}
	return real, nil
}

// resolvePath makes p absolute and resolves the links of its longest
// existing prefix; the missing rest is appended as is.
func resolvePath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	cur := abs
	for {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if _, err := os.Lstat(cur); err == nil {
			// It exists but cannot be resolved: a dangling or looping link.
			return "", fmt.Errorf("%s is a link that leads nowhere: choose another --output", cur)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// ignorable are files a desktop leaves in any folder it shows.
var ignorable = map[string]bool{".DS_Store": true, "Thumbs.db": true, "desktop.ini": true}

func listDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !ignorable[e.Name()] {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], "...")
}

// ownNames are the fixed files a run writes into its results folder.
var ownNames = map[string]bool{
	"info.json": true, "detections.json": true, "recheck.json": true, "timeline.csv": true,
	"timeline.jsonl": true, "command.log": true, "report.html": true, source.InputsListFile: true,
}

// OwnFile says whether name is a file huella writes into a results folder:
// the fixed files, report.<lang>.html, <module>.json for a known module
// (isModule), and temporary files of an interrupted write.
func OwnFile(name string, isModule func(string) bool) bool {
	switch {
	case ownNames[name], atomicfile.IsTemp(name):
		return true
	case strings.HasPrefix(name, "report.") && strings.HasSuffix(name, ".html"):
		return true
	case strings.HasPrefix(name, "inputs-") && strings.HasSuffix(name, ".sha256"):
		// The input hash lists of the other evidences of a check of several.
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "inputs-"), ".sha256"))
		return err == nil && source.InputsListName(n) == name
	case strings.HasSuffix(name, ".json") && isModule != nil:
		return isModule(strings.TrimSuffix(name, ".json"))
	}
	return false
}

// CreateOutDir creates the folder ResolveOutDir accepted (private, 0700)
// and opens it for writing. With force, the files an earlier run left
// (own decides which names are huella's) are removed first, so two runs'
// results never mix, and anything else is left alone; without force the
// folder must still be empty.
func CreateOutDir(resolved string, force bool, own func(string) bool) (*atomicfile.Dir, error) {
	if err := os.MkdirAll(resolved, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(resolved, 0o700); err != nil {
		return nil, err
	}
	d, err := atomicfile.OpenDir(resolved)
	if err != nil {
		return nil, err
	}
	names, err := d.Entries()
	if err != nil {
		d.Close()
		return nil, err
	}
	for _, n := range names {
		if ignorable[n] {
			continue
		}
		if !force {
			d.Close()
			return nil, fmt.Errorf("output folder %s is not empty: choose a new folder, or give --force", resolved)
		}
		if own != nil && own(n) {
			if err := d.Remove(n); err != nil {
				d.Close()
				return nil, fmt.Errorf("replacing %s: %w", filepath.Join(resolved, n), err)
			}
		}
	}
	return d, nil
}

func within(p, dir string) bool {
	if caseInsensitiveFS {
		p, dir = strings.ToLower(p), strings.ToLower(dir)
	}
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) || p == dir
}

// caseInsensitiveFS: macOS and Windows file systems ignore case by
// default, so "inside the evidence" must too.
var caseInsensitiveFS = runtime.GOOS == "darwin" || runtime.GOOS == "windows"

// WriteJSON writes v indented, atomically (see internal/atomicfile).
func WriteJSON(path string, v any) error {
	return atomicfile.WriteFile(path, func(w io.Writer) error { return atomicfile.EncodeJSON(w, v) })
}

func ReadJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<16))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ReadRun reads the two files every later command starts from, info.json
// and detections.json of the results folder dir. A folder without a
// readable info.json is not a results folder, and the error says so.
func ReadRun(dir string) (Info, Detections, error) {
	var info Info
	var dets Detections
	if err := ReadJSON(filepath.Join(dir, "info.json"), &info); err != nil {
		return info, dets, fmt.Errorf("%s is not a huella results folder (no readable info.json): %w", dir, err)
	}
	err := ReadJSON(filepath.Join(dir, "detections.json"), &dets)
	return info, dets, err
}

// RecordWriter streams <module>.json so a module with a million rows never
// holds them all: records are encoded as they arrive, into a temporary file
// renamed into place by Close.
type RecordWriter struct {
	f   *atomicfile.File
	w   *bufio.Writer
	enc *json.Encoder
	n   int
	err error
}

// NewRecordWriter starts <name> in the results folder d.
func NewRecordWriter(d *atomicfile.Dir, name, module string) (*RecordWriter, error) {
	f, err := d.Create(name)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	head, _ := json.Marshal(module)
	fmt.Fprintf(w, "{\n  \"schema_version\": %d,\n  \"module\": %s,\n  \"records\": [", model.SchemaVersion, head)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &RecordWriter{f: f, w: w, enc: enc}, nil
}

func (rw *RecordWriter) Write(r *model.Record) {
	if rw.err != nil {
		return
	}
	if rw.n > 0 {
		rw.w.WriteString(",")
	}
	rw.w.WriteString("\n    ")
	rw.err = rw.enc.Encode(r) // Encode adds a newline; harmless inside the array
	rw.n++
}

// Close ends the list and puts the file in place; an encoding or write
// error fails it and leaves no file.
func (rw *RecordWriter) Close() error {
	if rw.n > 0 {
		rw.w.WriteString("  ")
	}
	rw.w.WriteString("]\n}\n")
	if err := errors.Join(rw.err, rw.w.Flush()); err != nil {
		rw.f.Fail(err)
	}
	return rw.f.Commit()
}

// Abort discards the file.
func (rw *RecordWriter) Abort() { rw.f.Abort() }

// ReadModuleRecords streams the records of a saved <module>.json to fn,
// without loading the whole file.
func ReadModuleRecords(path string, fn func(model.Record) error) (module string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<16))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", fmt.Errorf("%s: not a module results file", path)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return module, fmt.Errorf("%s: %w", path, err)
		}
		key, _ := t.(string)
		switch key {
		case "module":
			if err := dec.Decode(&module); err != nil {
				return module, fmt.Errorf("%s: %w", path, err)
			}
		case "records":
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return module, fmt.Errorf("%s: records is not a list", path)
			}
			for dec.More() {
				var r model.Record
				if err := dec.Decode(&r); err != nil {
					return module, fmt.Errorf("%s: %w", path, err)
				}
				if r.Module == "" {
					r.Module = module
				}
				if err := fn(r); err != nil {
					return module, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return module, fmt.Errorf("%s: %w", path, err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return module, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	return module, nil
}

// ModulePath is the path of module's <module>.json in a results folder.
func ModulePath(dir, module string) string { return filepath.Join(dir, module+".json") }

// SortDetections orders findings most severe first, then by time and module,
// so every writer and the report show the same order.
func SortDetections(ds []model.Detection) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		at, bt := a.Time, b.Time
		switch {
		case at != nil && bt != nil && !at.Equal(*bt):
			return at.Before(*bt)
		case (at == nil) != (bt == nil):
			return at != nil
		}
		if a.Module != b.Module {
			return a.Module < b.Module
		}
		return a.Reason < b.Reason
	})
}

package results

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/huella-project/huella/internal/model"
)

// CreateOutDir makes the output folder private (0700). It refuses a folder
// inside the evidence, so nothing is ever written beside the evidence.
func CreateOutDir(out string, evidencePaths ...string) error {
	absOut, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	for _, ev := range evidencePaths {
		if ev == "" {
			continue
		}
		absEv, err := filepath.Abs(ev)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(absEv); err == nil {
			absEv = real
		}
		if fi, err := os.Stat(absEv); err == nil && fi.IsDir() && within(absOut, absEv) {
			return fmt.Errorf("output folder %s is inside the evidence %s: choose a folder outside it", out, ev)
		}
	}
	if err := os.MkdirAll(absOut, 0o700); err != nil {
		return err
	}
	return os.Chmod(absOut, 0o700)
}

func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) || p == dir
}

// WriteJSON writes v indented, atomically (temporary file, then rename).
func WriteJSON(path string, v any) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<16)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err == nil {
		err = w.Flush()
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
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

// RecordWriter streams <module>.json so a module with a million rows never
// holds them all: records are encoded as they arrive.
type RecordWriter struct {
	f   *os.File
	w   *bufio.Writer
	enc *json.Encoder
	n   int
	err error
}

func NewRecordWriter(path, module string) (*RecordWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
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

func (rw *RecordWriter) Close() error {
	if rw.n > 0 {
		rw.w.WriteString("  ")
	}
	rw.w.WriteString("]\n}\n")
	err := errors.Join(rw.err, rw.w.Flush(), rw.f.Close())
	return err
}

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

// ModuleFiles lists the <module>.json files of a results folder.
func ModuleFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".json") {
			continue
		}
		switch n {
		case "info.json", "detections.json":
			continue
		}
		out = append(out, filepath.Join(dir, n))
	}
	sort.Strings(out)
	return out, nil
}

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

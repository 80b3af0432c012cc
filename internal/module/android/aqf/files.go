package aqf

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/timestamp"
)

// File is one entry of androidqf's files.json.
type File struct {
	Path         string `json:"path"`
	Size         int64  `json:"size"`
	Mode         string `json:"mode,omitempty"`
	UserID       int64  `json:"user_id"`
	UserName     string `json:"user_name,omitempty"`
	GroupID      int64  `json:"group_id"`
	GroupName    string `json:"group_name,omitempty"`
	ChangedTime  int64  `json:"changed_time,omitempty"`
	ModifiedTime int64  `json:"modified_time,omitempty"`
	AccessTime   int64  `json:"access_time,omitempty"`
	Error        string `json:"error,omitempty"`
	Context      string `json:"context,omitempty"`
	SHA1         string `json:"sha1,omitempty"`
	SHA256       string `json:"sha256,omitempty"`
	SHA512       string `json:"sha512,omitempty"`
	MD5          string `json:"md5,omitempty"`
}

// maxFiles bounds files.json; a full listing of a phone is a few hundred
// thousand entries.
const maxFiles = 20_000_000

// maxEntryBytes bounds one files.json entry: a path, hashes and a
// context are a few hundred bytes. The JSON decoder holds a whole entry in
// memory, so a crafted 2 GB "path" must stop here.
const maxEntryBytes = 4 << 20

// entryLimit fails a read once one entry has used up its bytes; Next
// gives the following entry a fresh allowance.
type entryLimit struct {
	r         io.Reader
	max, left int64
}

func (e *entryLimit) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, fmt.Errorf("an entry longer than %d bytes", e.max)
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	return n, err
}

func (e *entryLimit) next() { e.left = e.max }

// ReadFiles streams files.json, which androidqf writes either as one JSON
// list or as one object per line, calling fn for each entry. A damaged
// entry, or one over maxEntryBytes, stops the stream with an error saying
// where.
func ReadFiles(r io.Reader, fn func(*File) error) (int, error) {
	return readFiles(r, maxEntryBytes, fn)
}

// readFiles is ReadFiles with the entry limit given (tests use a small one).
func readFiles(r io.Reader, maxEntry int64, fn func(*File) error) (int, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	lim := &entryLimit{r: br, max: maxEntry, left: maxEntry}
	dec := json.NewDecoder(lim)
	first, err := peekNonSpace(br)
	if err != nil {
		return 0, err
	}
	list := first == '['
	if list {
		if _, err := dec.Token(); err != nil {
			return 0, err
		}
	}
	n := 0
	for {
		lim.next()
		if list && !dec.More() {
			// More is also false on a read error: only "]" means done.
			if _, err := dec.Token(); err != nil {
				return n, fmt.Errorf("list cut after %d entries: %w", n, err)
			}
			return n, nil
		}
		var f File
		if err := dec.Decode(&f); err != nil {
			if err == io.EOF && !list {
				return n, nil
			}
			return n, fmt.Errorf("entry %d: %w", n+1, err)
		}
		if n++; n > maxFiles {
			return n, fmt.Errorf("more than %d entries; stopped", maxFiles)
		}
		if err := fn(&f); err != nil {
			return n, err
		}
	}
}

func peekNonSpace(br *bufio.Reader) (byte, error) {
	if bom, _ := br.Peek(3); string(bom) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	for {
		b, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, nil
			}
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return b, br.UnreadByte()
		}
	}
}

func runFiles(ctx context.Context, env *module.Env) error {
	f, name, err := open(env, "files.json")
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := ReadFiles(f, func(e *File) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := &model.Record{Source: name, Summary: fileSummary(e), Data: e}
		stampFile(r, e)
		r.Add(model.KindFilePath, e.Path, "path")
		// One content hash is enough for matching; the strongest present.
		switch {
		case e.SHA256 != "":
			r.Add(model.KindSHA256, strings.ToLower(e.SHA256), "sha256")
		case e.SHA1 != "":
			r.Add(model.KindSHA1, strings.ToLower(e.SHA1), "sha1")
		case e.MD5 != "":
			r.Add(model.KindMD5, strings.ToLower(e.MD5), "md5")
		}
		env.Emit(r)
		detect(env, android.TmpFile(e.Path, e.Mode), r)
		return nil
	})
	if err != nil {
		if n == 0 {
			return fmt.Errorf("%s: %w", name, err)
		}
		env.Warn("%s: read %d entries, then: %v", name, n, err)
	}
	return nil
}

func fileSummary(e *File) string {
	s := e.Path
	if e.Context != "" {
		s += " (" + e.Context + ")"
	}
	return s
}

// stampFile adds one stamp per distinct time, naming every event that
// happened then, so a file whose times agree gives one timeline line.
func stampFile(r *model.Record, e *File) {
	type ev struct {
		t    int64
		what string
	}
	var evs []ev
	for _, x := range []ev{{e.ModifiedTime, "modified"}, {e.AccessTime, "accessed"}, {e.ChangedTime, "changed"}} {
		if x.t <= 0 {
			continue
		}
		merged := false
		for i := range evs {
			if evs[i].t == x.t {
				evs[i].what += "+" + x.what
				merged = true
			}
		}
		if !merged {
			evs = append(evs, x)
		}
	}
	for _, x := range evs {
		t, err := timestamp.UnixSeconds(x.t)
		r.StampChecked(t, err, "file_"+x.what)
	}
}

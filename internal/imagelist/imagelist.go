// Package imagelist reads the file list of an iOS full-file-system image in
// Cellebrite's UFED layout, where filesystem1/ is / and filesystem2/ is
// /private/var: a CSV whose first column is the entry's name and whose
// second, when present, its modification time in Unix seconds. The real
// image's list under ../shared/realdata has this form; the precision tests
// and the synthetic dumps of internal/samplegen both read it through here.
package imagelist

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// Entry is one file of the list.
type Entry struct {
	Path     string    // absolute device path, e.g. /private/var/mobile/Library/SMS/sms.db
	Modified time.Time // zero when the list gives none
}

// Read calls fn with each file of the CSV list r, in list order, skipping
// the header and the entries of the acquisition tool itself (extra/,
// metadata*), which are under neither file system; fn returns false to
// stop.
func Read(r io.Reader, fn func(Entry) bool) error {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<16))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for header := true; ; header = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if header || len(rec) == 0 {
			continue
		}
		p, ok := DevicePath(rec[0])
		if !ok {
			continue
		}
		e := Entry{Path: p}
		if len(rec) > 1 && rec[1] != "" {
			if s, err := strconv.ParseInt(rec[1], 10, 64); err == nil {
				e.Modified = time.Unix(s, 0).UTC()
			}
		}
		if !fn(e) {
			return nil
		}
	}
}

// DevicePath maps a name of the list to the device path: filesystem1/ is
// /, filesystem2/ is /private/var.
func DevicePath(p string) (string, bool) {
	switch {
	case strings.HasPrefix(p, "filesystem1/"):
		return "/" + strings.TrimPrefix(p, "filesystem1/"), true
	case strings.HasPrefix(p, "filesystem2/"):
		return "/private/var/" + strings.TrimPrefix(p, "filesystem2/"), true
	}
	return "", false
}

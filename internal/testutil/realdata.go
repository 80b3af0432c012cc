package testutil

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ImagePath is one file of a real phone's file system, as a device path.
type ImagePath struct {
	Path     string    // absolute device path, e.g. /private/var/mobile/Library/SMS/sms.db
	Modified time.Time // zero when the list gives none
}

// RealImagePaths reads ../shared/realdata/ffs-paths: the complete file list
// of a public iOS 15 full-file-system image (see its SOURCES.md), in the
// Cellebrite layout where filesystem1/ is / and filesystem2/ is
// /private/var. Entries of the acquisition tool itself (extra/, metadata*)
// are left out. The list names files only; folders are the paths' parents.
func RealImagePaths(t testing.TB) []ImagePath {
	t.Helper()
	zp := Shared(t, "realdata/ffs-paths/josh-hickman-ios15.csv.zip")
	zr, err := zip.OpenReader(zp)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out []ImagePath
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".csv") || strings.HasPrefix(path.Base(f.Name), "._") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out, err = readImageCSV(rc, out)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	if len(out) == 0 {
		t.Fatal("no paths in the real image's file list")
	}
	return out
}

func readImageCSV(r io.Reader, out []ImagePath) ([]ImagePath, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<16))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for header := true; ; header = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if header || len(rec) == 0 {
			continue
		}
		p, ok := DevicePath(rec[0])
		if !ok {
			continue
		}
		ip := ImagePath{Path: p}
		if len(rec) > 1 && rec[1] != "" {
			if s, err := strconv.ParseInt(rec[1], 10, 64); err == nil {
				ip.Modified = time.Unix(s, 0).UTC()
			}
		}
		out = append(out, ip)
	}
}

// DevicePath maps a path of the image list's Cellebrite layout to the device
// path: filesystem1/ is /, filesystem2/ is /private/var.
func DevicePath(p string) (string, bool) {
	switch {
	case strings.HasPrefix(p, "filesystem1/"):
		return "/" + strings.TrimPrefix(p, "filesystem1/"), true
	case strings.HasPrefix(p, "filesystem2/"):
		return "/private/var/" + strings.TrimPrefix(p, "filesystem2/"), true
	}
	return "", false
}

// WithFolders returns the paths and every folder above them, once each,
// as a file tree walk lists them.
func WithFolders(paths []ImagePath) []ImagePath {
	seen := make(map[string]bool, len(paths)*2)
	out := make([]ImagePath, 0, len(paths)*2)
	for _, p := range paths {
		if !seen[p.Path] {
			seen[p.Path] = true
			out = append(out, p)
		}
		for d := path.Dir(p.Path); d != "/" && d != "." && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			out = append(out, ImagePath{Path: d})
		}
	}
	return out
}

// Lines reads the non-empty, non-comment lines of a shared text file (one
// domain per line, for instance).
func Lines(t testing.TB, rel string) []string {
	t.Helper()
	f, err := os.Open(Shared(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

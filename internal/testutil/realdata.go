package testutil

import (
	"archive/zip"
	"bufio"
	"io"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/imagelist"
)

// ImagePath is one file of a real phone's file system, as a device path.
type ImagePath = imagelist.Entry

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
	err := imagelist.Read(r, func(e imagelist.Entry) bool {
		out = append(out, e)
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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

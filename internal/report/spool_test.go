package report

import (
	"io"
	"os"
	"testing"
)

// The spools' one temporary file: in the folder given, or in a private
// folder of its own; what was written reads back from the start, and close
// leaves nothing behind.
func TestSpoolFile(t *testing.T) {
	for _, dir := range []string{t.TempDir(), ""} {
		s := spoolFile{dir: dir}
		s.create("report-test-*")
		if s.err != nil {
			t.Fatal(s.err)
		}
		if (s.own != "") != (dir == "") {
			t.Errorf("dir %q: private folder %q", dir, s.own)
		}
		name, own := s.f.Name(), s.own
		if _, err := s.w.WriteString("spooled"); err != nil {
			t.Fatal(err)
		}
		r, err := s.rewind()
		if err != nil {
			t.Fatal(err)
		}
		if b, err := io.ReadAll(r); err != nil || string(b) != "spooled" {
			t.Errorf("dir %q: read back %q, %v", dir, b, err)
		}
		s.close()
		if _, err := os.Stat(name); !os.IsNotExist(err) {
			t.Errorf("dir %q: file left: %v", dir, err)
		}
		if own != "" {
			if _, err := os.Stat(own); !os.IsNotExist(err) {
				t.Errorf("private folder left: %v", err)
			}
		}
	}
	bad := spoolFile{dir: "/nonexistent/huella"}
	bad.create("x-*")
	if bad.err == nil || bad.f != nil {
		t.Errorf("create in a missing folder: err %v", bad.err)
	}
}

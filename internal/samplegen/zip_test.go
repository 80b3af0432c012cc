package samplegen

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// zipOf writes the files in order, deflated and dated reportSaved, as the
// phone exports the samples imitate.
func TestZipOf(t *testing.T) {
	tests := [][]zipFile{
		nil,
		{{"a.txt", []byte("alpha")}},
		{{"b/c.json", []byte(`{"x":1}`)}, {"empty", nil}, {"a.txt", bytes.Repeat([]byte("z"), 1<<16)}},
	}
	for _, files := range tests {
		b, err := zipOf(files)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != len(files) {
			t.Fatalf("%d entries, want %d", len(zr.File), len(files))
		}
		for i, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if f.Name != files[i].name || !bytes.Equal(data, files[i].data) || f.Method != zip.Deflate || !f.Modified.Equal(reportSaved) {
				t.Errorf("entry %d: %s (%d bytes, method %d, %v), want %s (%d bytes) deflated at %v",
					i, f.Name, len(data), f.Method, f.Modified, files[i].name, len(files[i].data), reportSaved)
			}
		}
	}
}

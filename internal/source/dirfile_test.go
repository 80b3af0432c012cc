package source

import (
	"errors"
	"io"
	"io/fs"
	"testing"
	"testing/fstest"
)

// DirFile pages through its entries as fs.ReadDirFile promises, whether
// they are given or listed on first use, and cannot be read as a file.
func TestDirFile(t *testing.T) {
	mem := fstest.MapFS{"a": {}, "b": {}, "c": {}}
	ents, err := mem.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	names := func(es []fs.DirEntry) (out string) {
		for _, e := range es {
			out += e.Name()
		}
		return out
	}
	tests := []struct {
		name  string
		steps []int  // successive ReadDir arguments
		want  string // the names each step gives, "|" between steps; "EOF" for io.EOF
	}{
		{"all at once", []int{-1, -1}, "abc|"},
		{"two by two", []int{2, 2, 2}, "ab|c|EOF"},
		{"more than there are", []int{10, 1}, "abc|EOF"},
		{"some, then the rest", []int{1, 0, 1}, "a|bc|EOF"},
	}
	for _, tt := range tests {
		for _, listed := range []bool{false, true} {
			d := &DirFile{Path: "x/y", Entries: ents}
			calls := 0
			if listed {
				d = &DirFile{Path: "x/y", List: func() []fs.DirEntry { calls++; return ents }}
			}
			var got string
			for i, n := range tt.steps {
				if i > 0 {
					got += "|"
				}
				es, err := d.ReadDir(n)
				switch {
				case errors.Is(err, io.EOF):
					got += "EOF"
				case err != nil:
					t.Fatal(err)
				default:
					got += names(es)
				}
			}
			if got != tt.want || (listed && calls != 1) {
				t.Errorf("%s (listed %t): %s, want %s (%d listings)", tt.name, listed, got, tt.want, calls)
			}
		}
	}
	var pe *fs.PathError
	if _, err := (&DirFile{Path: "x/y"}).Read(make([]byte, 1)); !errors.As(err, &pe) || pe.Path != "x/y" {
		t.Errorf("Read: %v", err)
	}
}

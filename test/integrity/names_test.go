package integrity

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPackageNamesUnique: two packages of one name (there were two dumpsys
// and two browser packages) make every file that needs both rename one on
// import, and make "where is dumpsys parsed?" a two-guess question. Test-only
// folders count too; commands (package main) are the exception.
func TestPackageNamesUnique(t *testing.T) {
	root := repoRoot(t)
	fset := token.NewFileSet()
	dirsOf := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.PackageClauseOnly)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(f.Name.Name, "_test")
		dir, _ := filepath.Rel(root, filepath.Dir(p))
		if name != "main" && !slices.Contains(dirsOf[name], dir) {
			dirsOf[name] = append(dirsOf[name], dir)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirsOf) < 20 {
		t.Fatalf("found %d package names: the walk missed the tree", len(dirsOf))
	}
	for name, dirs := range dirsOf {
		if len(dirs) > 1 {
			t.Errorf("package name %q is used by %v: give each package its own name", name, dirs)
		}
	}
}

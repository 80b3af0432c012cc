package integrity

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the module root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	return r
}

// eachGoFile parses every non-test Go file of the repository and calls fn
// with the file, its slash path relative to the root and its import names.
func eachGoFile(t *testing.T, fn func(rel string, f *ast.File, imports map[string]string)) {
	t.Helper()
	root := repoRoot(t)
	fset := token.NewFileSet()
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
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		imports := map[string]string{} // local name -> import path
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			name := path[strings.LastIndex(path, "/")+1:]
			if im.Name != nil {
				name = im.Name.Name
			}
			imports[name] = path
		}
		rel, _ := filepath.Rel(root, p)
		fn(filepath.ToSlash(rel), f, imports)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// calls reports every pkg.Name(...) selector call in f whose package is
// imported from importPath.
func calls(f *ast.File, imports map[string]string, importPath string, names ...string) []string {
	var hits []string
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if ok && imports[id.Name] == importPath && (len(want) == 0 || want[sel.Sel.Name]) {
			hits = append(hits, id.Name+"."+sel.Sel.Name)
		}
		return true
	})
	return hits
}

// TestOnlySqlitexOpensDatabases: every evidence database goes through
// sqlitex, which never writes beside the evidence. A direct sql.Open
// elsewhere would bypass the copy-with-WAL and immutable rules.
func TestOnlySqlitexOpensDatabases(t *testing.T) {
	// The others create databases, never read evidence: synthetic sample
	// generators and test builders, and the case store, which is huella's
	// own database (SQLite or PostgreSQL) and its test server's schemas.
	allowed := map[string]bool{
		"internal/sqlitex":                        true,
		"internal/samplegen":                      true,
		"internal/module/moduletest":              true,
		"internal/source/iosbackup/iosbackuptest": true,
		"internal/casestore":                      true,
		"internal/testutil":                       true,
	}
	checked := 0
	eachGoFile(t, func(rel string, f *ast.File, imports map[string]string) {
		checked++
		if allowed[filepath.ToSlash(filepath.Dir(rel))] {
			return
		}
		for _, h := range calls(f, imports, "database/sql", "Open", "OpenDB") {
			t.Errorf("%s calls %s: open evidence databases with sqlitex.Open or env.OpenDB", rel, h)
		}
	})
	if checked < 50 {
		t.Fatalf("only %d Go files seen: the walk is broken", checked)
	}
}

// TestOnlyPlistxDecodesPlists: howett.net/plist alone expands shared
// references and recurses without limit (a 1 KB billion-laughs plist
// exhausts memory); plistx checks depth and expanded size first.
func TestOnlyPlistxDecodesPlists(t *testing.T) {
	eachGoFile(t, func(rel string, f *ast.File, imports map[string]string) {
		if filepath.ToSlash(filepath.Dir(rel)) == "internal/plistx" {
			return
		}
		for _, h := range calls(f, imports, "howett.net/plist", "Unmarshal", "NewDecoder") {
			t.Errorf("%s calls %s: decode evidence plists with plistx.Decode", rel, h)
		}
	})
}

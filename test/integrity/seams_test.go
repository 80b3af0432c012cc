package integrity

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// seamsChecked must be among the packages the check walks: the ones whose
// stand-ins (a module or reader that blocks forever, the person typing a
// password, a shorter wait, small memory bounds) used to be swapped in as
// package variables, now passed as configuration.
var seamsChecked = []string{"internal/cli", "internal/casestore", "internal/report", "internal/indicators"}

// TestTestsDoNotAssignPackageVars, over every package of internal/ and
// cmd/: a test that swaps a package variable
// (cli's openFn, modulesFor, askPassword, forceAfter were) changes it for
// every other test of the package running at the same time, leaves it
// changed when it forgets to restore it, and hides what a run depends on.
// The run takes its dependencies as configuration (cli's deps, passed to
// runWith and mainWith); this fails on any _test.go file that assigns a
// top-level variable declared in the package's other files.
func TestTestsDoNotAssignPackageVars(t *testing.T) {
	root := repoRoot(t)
	var dirs []string
	for _, top := range []string{"internal", "cmd"} {
		filepath.WalkDir(filepath.Join(root, top), func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() != "testdata" {
				rel, _ := filepath.Rel(root, p)
				dirs = append(dirs, filepath.ToSlash(rel))
			}
			return err
		})
	}
	for _, want := range seamsChecked {
		if !slices.Contains(dirs, want) {
			t.Fatalf("%s is not among the folders walked: the walk missed the tree", want)
		}
	}
	for _, dir := range dirs {
		vars, tests := packageVarsAndTests(t, filepath.Join(root, filepath.FromSlash(dir)))
		if slices.Contains(seamsChecked, dir) && (len(vars) == 0 || len(tests) == 0) {
			t.Fatalf("%s: %d package variables, %d test files: the parse missed the package", dir, len(vars), len(tests))
		}
		for name, f := range tests {
			for _, hit := range packageVarAssignments(f, vars) {
				t.Errorf("%s/%s assigns the package variable %s: pass the stand-in to the run (as cli's deps) instead", dir, name, hit)
			}
		}
	}
}

// TestPackageVarAssignmentsFound: the check above sees assignments through
// fields, indexes and increments, and leaves locals of the same name alone.
func TestPackageVarAssignmentsFound(t *testing.T) {
	vars := map[string]bool{"openFn": true, "limits": true, "count": true}
	cases := []struct {
		name, body string
		want       []string
	}{
		{"plain", `openFn = nil`, []string{"openFn"}},
		{"restore in cleanup", `t.Cleanup(func() { openFn = old })`, []string{"openFn"}},
		{"field", `limits.max = 3`, []string{"limits"}},
		{"index", `limits.dirs["x"] = true`, []string{"limits"}},
		{"increment", `count++`, []string{"count"}},
		{"op-assign", `count += 2`, []string{"count"}},
		{"range", `for count = range 3 {}`, []string{"count"}},
		{"pointer", `*(&count) = 1`, []string{"count"}},
		{"shadowed by :=", `openFn := 1; openFn = 2; _ = openFn`, nil},
		{"shadowed by var", `var count int; count++`, nil},
		{"shadowed by a parameter", `func(limits map[string]int) { limits["a"] = 1 }(nil)`, nil},
		{"read only", `x := openFn; _ = x; _ = limits.max`, nil},
		{"other name", `other = 1`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "package p\nfunc TestX(t *testing.T) {\n" + c.body + "\n}\n"
			f, err := parser.ParseFile(token.NewFileSet(), "x_test.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := packageVarAssignments(f, vars); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// packageVarsAndTests parses the Go files of one package folder: the names
// of the top-level variables its non-test files declare, and its test files
// of the same package (an external _test package cannot assign them).
func packageVarsAndTests(t *testing.T, dir string) (map[string]bool, map[string]*ast.File) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	vars, tests := map[string]bool{}, map[string]*ast.File{}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		// Object resolution stays on: it tells a test's local of the same
		// name from the package variable, which the parser leaves
		// unresolved in a file that does not declare it.
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(e.Name(), "_test.go") {
			if !strings.HasSuffix(f.Name.Name, "_test") {
				tests[e.Name()] = f
			}
			continue
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, s := range g.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						if n.Name != "_" { // var _ = ... declares nothing to assign
							vars[n.Name] = true
						}
					}
				}
			}
		}
	}
	return vars, tests
}

// packageVarAssignments names the package variables f assigns (=, op=,
// ++/--, a range that assigns), through any field, index or dereference.
func packageVarAssignments(f *ast.File, vars map[string]bool) []string {
	var hits []string
	check := func(lhs ast.Expr) {
		if id := rootIdent(lhs); id != nil && id.Obj == nil && vars[id.Name] {
			hits = append(hits, id.Name)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			if s.Tok != token.DEFINE {
				for _, l := range s.Lhs {
					check(l)
				}
			}
		case *ast.IncDecStmt:
			check(s.X)
		case *ast.RangeStmt:
			if s.Tok == token.ASSIGN {
				for _, l := range []ast.Expr{s.Key, s.Value} {
					if l != nil {
						check(l)
					}
				}
			}
		}
		return true
	})
	return hits
}

// rootIdent is the variable an assignment target starts from: limits in
// limits.dirs["x"], count in *(&count).
func rootIdent(e ast.Expr) *ast.Ident {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x
		case *ast.SelectorExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.UnaryExpr:
			e = x.X
		default:
			return nil
		}
	}
}

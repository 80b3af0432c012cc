package cli

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

// Every command is listed explicitly: no init registers one, each command
// constructor (a method of app named ...Cmd) is called by the root or by
// its parent command, and the root holds the commands 'huella --help' shows.
func TestRootListsEveryCommand(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	defined, called := map[string]bool{}, map[string]bool{}
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, p, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			if fd.Name.Name == "init" {
				t.Errorf("%s: func init: list commands in rootCmd", p)
			}
			if fd.Recv != nil && strings.HasSuffix(fd.Name.Name, "Cmd") && fd.Name.Name != "rootCmd" {
				defined[fd.Name.Name] = true
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && strings.HasSuffix(sel.Sel.Name, "Cmd") {
				called[sel.Sel.Name] = true
			}
			return true
		})
	}
	for name := range defined {
		if !called[name] {
			t.Errorf("%s is defined but no command lists it", name)
		}
	}
	var got []string
	for _, c := range (&app{}).rootCmd().Commands() {
		got = append(got, c.Name())
	}
	want := []string{"case", "check", "check-iocs", "check-url", "decrypt-backup", "demo", "export", "extract-key", "hunt", "iocs", "modules", "report", "version"}
	if !slices.Equal(got, want) {
		t.Errorf("root commands %v, want %v", got, want)
	}
}

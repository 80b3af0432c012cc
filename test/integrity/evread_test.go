package integrity

import (
	"go/ast"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wholeReadAllowed lists the packages that may read a file or stream whole
// with fs.ReadFile, os.ReadFile or io.ReadAll: none of them reads evidence.
// Everything else reads evidence bytes through internal/source/evfile,
// which refuses what is not a regular file inside the evidence, checks the
// size for the kind of file before allocating, and reads through a limit.
var wholeReadAllowed = map[string]string{
	"internal/source/evfile":                  "the bounded reader itself",
	"internal/feeds":                          "feed files and server responses, size-checked before reading (own caps)",
	"internal/indicators":                     "STIX and MISP files given with --iocs, capped at indicators.MaxFileSize",
	"internal/casestore":                      "the HMAC key file, size-checked (4 KiB at most) before reading",
	"internal/cli":                            "password and key files, pasted URLs (capped)",
	"internal/module/moduletest":              "test helper: copies fixtures",
	"internal/source/iosbackup/iosbackuptest": "test helper: builds encrypted backups",
	"internal/samplegen":                      "writes synthetic samples",
	"internal/testutil":                       "test helper: reads the schemas and saved results",
	"bench/precision":                         "benchmark tool: reads the real-data lists and feeds of ../shared",
	"scripts/mutate":                          "developer tool: reads the mutation list and source files of this repository",
}

// TestEvidenceBytesOnlyThroughTheBoundedReader: fs.ReadFile trusts the size
// an archive entry declares (a 4 KB zip whose entry declares 7.5 GiB made
// huella allocate 8 GB), os.ReadFile reads a 3 GiB sparse plist whole and
// blocks forever on a named pipe, and io.ReadAll has no limit at all. None
// of them may read evidence; os.DirFS follows links out of the evidence
// folder and opens pipes blocking, so evidence folders are evfile.Dir; and
// a module or reader opens files with evfile (env.Open, env.ReadFile,
// ev.Open, evfile.Open), never with a bare FS.Open.
func TestEvidenceBytesOnlyThroughTheBoundedReader(t *testing.T) {
	checked := 0
	eachGoFile(t, func(rel string, f *ast.File, imports map[string]string) {
		checked++
		dir := filepath.ToSlash(filepath.Dir(rel))
		if _, ok := wholeReadAllowed[dir]; !ok {
			for _, h := range calls(f, imports, "io/fs", "ReadFile") {
				t.Errorf("%s calls %s: read evidence with env.ReadFile or evfile.ReadFile (bounded)", rel, h)
			}
			for _, h := range calls(f, imports, "os", "ReadFile") {
				t.Errorf("%s calls %s: read evidence with env.ReadFile or evfile.ReadFile (bounded)", rel, h)
			}
			for _, h := range calls(f, imports, "io", "ReadAll") {
				t.Errorf("%s calls %s: use evfile.ReadAll or evfile.ReadFile (bounded)", rel, h)
			}
		}
		if dir != "internal/source/evfile" {
			for _, h := range calls(f, imports, "os", "DirFS") {
				t.Errorf("%s calls %s: open evidence folders as evfile.Dir (links kept inside, pipes refused)", rel, h)
			}
		}
		if strings.HasPrefix(dir, "internal/module/") || strings.HasPrefix(dir, "internal/source/") && dir != "internal/source/evfile" {
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Open" {
					return true
				}
				if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "FS" {
					t.Errorf("%s opens a file with %s.FS.Open: use env.Open / ev.Open (bounded, refusals noted)", rel, exprString(inner.X))
				}
				return true
			})
		}
	})
	if checked < 50 {
		t.Fatalf("only %d Go files seen: the walk is broken", checked)
	}
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	}
	return "…"
}

// sqlJoin finds SQL that makes SQLite join tables or run a subquery.
var sqlJoin = regexp.MustCompile(`(?i)\bJOIN\b|\(\s*SELECT\b|\bEXISTS\s*\(|\bFROM\s+[A-Za-z_"][A-Za-z0-9_"]*(\s+[A-Za-z_][A-Za-z0-9_]*)?\s*,\s*[A-Za-z_"]`)

var sqlJoinClause = regexp.MustCompile(`\bJOIN\s+["A-Za-z_]`)

// TestModulesDoNotJoinInSQL: a crafted database without indexes, or whose
// sqlite_stat1 lies about table sizes, turns any SQLite join or correlated
// subquery quadratic (40,000 messages took two minutes). Modules and the
// backup reader query one table at a time and join in Go (sqlitex.Index).
func TestModulesDoNotJoinInSQL(t *testing.T) {
	eachGoFile(t, func(rel string, f *ast.File, _ map[string]string) {
		dir := filepath.ToSlash(filepath.Dir(rel))
		if !strings.HasPrefix(dir, "internal/module/") && !strings.HasPrefix(dir, "internal/source/") {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			// A JOIN clause may be a literal of its own; the other shapes
			// are only looked for in queries.
			m := sqlJoinClause.FindString(s)
			if m == "" && strings.Contains(strings.ToUpper(s), "SELECT") {
				m = sqlJoin.FindString(s)
			}
			if m != "" {
				t.Errorf("%s: SQL joins in SQLite (%q): read each table alone and join in Go (sqlitex.Index)", rel, m)
			}
			return true
		})
	})
}

// TestModulesReadRowsThroughEach: every module reads SQLite rows through
// the one row loop, sqlitex.Each (and Index, Group, BlobAt built on it),
// which converts loosely typed cells one way and notes values cut or left
// out for their size; a hand-rolled rows.Next loop would skip both.
func TestModulesReadRowsThroughEach(t *testing.T) {
	eachGoFile(t, func(rel string, f *ast.File, _ map[string]string) {
		if !strings.HasPrefix(filepath.ToSlash(rel), "internal/module/") {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && (sel.Sel.Name == "QueryContext" || sel.Sel.Name == "QueryRowContext") {
				t.Errorf("%s: %s: read rows with sqlitex.Each", rel, sel.Sel.Name)
			}
			return true
		})
	})
}

package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
)

// The rule ids are read from the source rather than listed here, so a rule
// added anywhere without plain-language texts fails this test instead of
// reaching a report as a generic "a rule found something".

// indicatorRule is the id every indicator match carries; its texts are
// chosen by the kind of value that matched (why.indicator.<kind>), because a
// process on the phone and a link in a message mean very different things.
const indicatorRule = "ioc"

// How a rule id was written in the source. The scan must see every form at
// least once, or it has stopped understanding the code and would pass
// vacuously.
const (
	formLiteral    = "Rule: \"literal\""
	formConst      = "const Rule... = \"id\""
	formPositional = "positional struct field rule"
)

type ruleSite struct {
	pos  string // file:line, for messages
	form string
}

var ruleConstName = regexp.MustCompile(`^[Rr]ule[A-Z_0-9]`)

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the report package")
		}
		dir = parent
	}
}

type parsedFile struct {
	dir  string
	file *ast.File
}

// sourceRuleIDs parses every non-test Go file of the module and returns the
// rule ids the code can put in a Detection.
func sourceRuleIDs(t *testing.T) map[string]ruleSite {
	t.Helper()
	return ruleIDsIn(t, moduleRoot(t))
}

func ruleIDsIn(t *testing.T, root string) map[string]ruleSite {
	t.Helper()
	fset := token.NewFileSet()
	var files []parsedFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, parsedFile{dir: filepath.Dir(p), file: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	ids := map[string]ruleSite{}
	add := func(id string, at token.Pos, form string) {
		if id == "" {
			return
		}
		if _, ok := ids[id]; !ok {
			pos := fset.Position(at)
			rel, _ := filepath.Rel(root, pos.Filename)
			ids[id] = ruleSite{pos: rel + ":" + strconv.Itoa(pos.Line), form: form}
		}
	}

	// First pass: string constants (to resolve Rule: someConst) and the
	// struct types that carry a rule field (to read positional literals).
	consts := map[string]map[string]string{} // dir -> name -> value
	constsByName := map[string]map[string]bool{}
	ruleField := map[string]map[string]int{} // dir -> type name -> index of its rule field
	for _, pf := range files {
		for _, decl := range pf.file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				switch s := spec.(type) {
				case *ast.ValueSpec:
					for i, n := range s.Names {
						if i >= len(s.Values) {
							break
						}
						v, ok := stringLit(s.Values[i])
						if !ok {
							continue
						}
						if gd.Tok == token.CONST {
							if consts[pf.dir] == nil {
								consts[pf.dir] = map[string]string{}
							}
							consts[pf.dir][n.Name] = v
							if constsByName[n.Name] == nil {
								constsByName[n.Name] = map[string]bool{}
							}
							constsByName[n.Name][v] = true
						}
						if ruleConstName.MatchString(n.Name) {
							add(v, s.Values[i].Pos(), formConst)
						}
					}
				case *ast.TypeSpec:
					if st, ok := s.Type.(*ast.StructType); ok {
						if idx := ruleFieldIndex(st); idx >= 0 {
							if ruleField[pf.dir] == nil {
								ruleField[pf.dir] = map[string]int{}
							}
							ruleField[pf.dir][s.Name.Name] = idx
						}
					}
				}
			}
		}
	}

	resolve := func(dir string, e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.Ident:
			v, ok := consts[dir][x.Name]
			return v, ok
		case *ast.SelectorExpr:
			if vals := constsByName[x.Sel.Name]; len(vals) == 1 {
				for v := range vals {
					return v, true
				}
			}
		}
		return stringLit(e)
	}
	// elemRuleIndex says where the rule field sits in the elements of a
	// map or slice literal whose element type has one.
	elemRuleIndex := func(dir string, typ ast.Expr) int {
		switch x := typ.(type) {
		case *ast.MapType:
			typ = x.Value
		case *ast.ArrayType:
			typ = x.Elt
		default:
			return -1
		}
		switch x := typ.(type) {
		case *ast.StructType:
			return ruleFieldIndex(x)
		case *ast.Ident:
			if idx, ok := ruleField[dir][x.Name]; ok {
				return idx
			}
		}
		return -1
	}
	positional := func(lit *ast.CompositeLit, idx int) {
		if idx < 0 || idx >= len(lit.Elts) {
			return
		}
		if _, keyed := lit.Elts[0].(*ast.KeyValueExpr); keyed {
			return
		}
		if v, ok := stringLit(lit.Elts[idx]); ok {
			add(v, lit.Elts[idx].Pos(), formPositional)
		}
	}

	for _, pf := range files {
		ast.Inspect(pf.file, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Rule" || k.Name == "rule") {
					// Values passed through (f.Rule, h.rule) are ids
					// defined elsewhere and found there.
					if v, ok := resolve(pf.dir, kv.Value); ok {
						form := formConst
						if _, isLit := kv.Value.(*ast.BasicLit); isLit {
							form = formLiteral
						}
						add(v, kv.Value.Pos(), form)
					}
				}
			}
			if id, ok := lit.Type.(*ast.Ident); ok {
				if idx, ok := ruleField[pf.dir][id.Name]; ok {
					positional(lit, idx)
				}
			}
			if idx := elemRuleIndex(pf.dir, lit.Type); idx >= 0 {
				for _, el := range lit.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						el = kv.Value
					}
					if inner, ok := el.(*ast.CompositeLit); ok && inner.Type == nil {
						positional(inner, idx)
					}
				}
			}
			return true
		})
	}
	return ids
}

// ruleFieldIndex is the position of a string field named rule or Rule, or -1.
func ruleFieldIndex(st *ast.StructType) int {
	i := 0
	for _, f := range st.Fields.List {
		names := f.Names
		if len(names) == 0 {
			i++ // embedded field
			continue
		}
		for _, n := range names {
			if t, ok := f.Type.(*ast.Ident); ok && t.Name == "string" && (n.Name == "rule" || n.Name == "Rule") {
				return i
			}
			i++
		}
	}
	return -1
}

func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// observableKinds lists the values of model's Kind constants, read from its
// source so a new kind needs its own indicator texts.
func observableKinds(t *testing.T) []model.Kind {
	t.Helper()
	src := filepath.Join(moduleRoot(t), "internal", "model", "model.go")
	f, err := parser.ParseFile(token.NewFileSet(), src, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Kind
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for _, v := range vs.Values {
				if s, ok := stringLit(v); ok {
					out = append(out, model.Kind(s))
				}
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("found only %d observable kinds in %s; the scan is broken", len(out), src)
	}
	return out
}

func rawCatalogues(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, l := range Languages() {
		m, err := readCatalogue(l)
		if err != nil {
			t.Fatal(err)
		}
		out[l] = m
	}
	return out
}

// rawList reads key.1, key.2... from one language only: LoadCatalogue fills
// gaps with English, which would hide a missing translation.
func rawList(m map[string]string, key string) []string {
	var out []string
	for i := 1; ; i++ {
		s, ok := m[key+"."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, s)
	}
}

func TestEveryRuleExplained(t *testing.T) {
	ids := sourceRuleIDs(t)
	forms := map[string]bool{}
	var sorted []string
	for id, s := range ids {
		forms[s.form] = true
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, f := range []string{formLiteral, formConst, formPositional} {
		if !forms[f] {
			t.Fatalf("the source scan found no rule id written as %s (found %d ids: %v); it no longer understands the code", f, len(ids), sorted)
		}
	}
	if _, ok := ids[indicatorRule]; !ok {
		t.Fatalf("the source scan did not find the indicator rule %q; found %v", indicatorRule, sorted)
	}
	if len(ids) < 30 {
		t.Fatalf("found only %d rule ids; the scan is broken: %v", len(ids), sorted)
	}

	cats := rawCatalogues(t)
	for _, lang := range Languages() {
		m := cats[lang]
		for _, id := range sorted {
			if id == indicatorRule {
				continue
			}
			at := ids[id].pos
			if strings.TrimSpace(m["why.rule."+id]) == "" {
				t.Errorf("%s: rule %q (%s) has no why.rule.%s text", lang, id, at, id)
			}
			benign := rawList(m, "benign.rule."+id)
			if len(benign) == 0 || len(benign) > 3 {
				t.Errorf("%s: rule %q (%s) has %d benign.rule.%s.N texts, want 1 to 3", lang, id, at, len(benign), id)
			}
			for _, b := range benign {
				if strings.TrimSpace(b) == "" {
					t.Errorf("%s: rule %q has an empty benign text", lang, id)
				}
			}
		}
		for _, k := range observableKinds(t) {
			g := observableGroup(k)
			if strings.TrimSpace(m["why.indicator."+g]) == "" {
				t.Errorf("%s: observable kind %q has no why.indicator.%s text", lang, k, g)
			}
			if len(rawList(m, "benign.indicator."+g)) == 0 {
				t.Errorf("%s: observable kind %q has no benign.indicator.%s.1 text", lang, k, g)
			}
		}
	}

	// A text for a rule that no longer exists is dead weight and usually a
	// renamed id whose new name is now unexplained.
	for k := range cats[DefaultLang] {
		for _, prefix := range []string{"why.rule.", "benign.rule."} {
			if !strings.HasPrefix(k, prefix) {
				continue
			}
			id := strings.TrimPrefix(k, prefix)
			if prefix == "benign.rule." {
				id = id[:max(0, strings.LastIndexByte(id, '.'))]
			}
			if _, ok := ids[id]; !ok {
				t.Errorf("%s: %s explains rule %q, which no code emits", DefaultLang, k, id)
			}
		}
	}
}

// TestRuleTextsReachFindings checks the texts are the ones a finding shows,
// so a key typo or a lookup change in explain cannot silently fall back to
// the generic wording.
func TestRuleTextsReachFindings(t *testing.T) {
	ids := sourceRuleIDs(t)
	for _, lang := range Languages() {
		cat, err := LoadCatalogue(lang)
		if err != nil {
			t.Fatal(err)
		}
		for id := range ids {
			if id == indicatorRule {
				continue
			}
			kind := model.ByHeuristic
			if strings.HasPrefix(id, "correlation.") {
				kind = model.ByCorrelation
			}
			_, why, benign := explain(cat, model.Detection{Kind: kind, Rule: id}, "")
			if want := cat.T("why.rule." + id); why != want {
				t.Errorf("%s %s: why = %q, want %q", lang, id, why, want)
			}
			want := cat.List("benign.rule." + id)
			if len(benign) < len(want) || strings.Join(benign[:len(want)], "\n") != strings.Join(want, "\n") {
				t.Errorf("%s %s: benign = %q, want to start with %q", lang, id, benign, want)
			}
			if strings.ContainsAny(why+strings.Join(benign, ""), "{}") {
				t.Errorf("%s %s: unfilled placeholder in %q %q", lang, id, why, benign)
			}
		}
		for _, k := range observableKinds(t) {
			det := model.Detection{Kind: model.ByIndicator, Rule: indicatorRule,
				Observable: &model.Observable{Kind: k, Value: "x"},
				Indicator:  &model.IndicatorRef{Campaign: "Pegasus", File: "pegasus.stix2"}}
			_, why, benign := explain(cat, det, campaignLabel(cat, "Pegasus"))
			g := observableGroup(k)
			want := cat.T("why.indicator."+g, "feed", "pegasus.stix2", "campaign", campaignLabel(cat, "Pegasus"))
			if why != want {
				t.Errorf("%s %s: why = %q, want %q", lang, k, why, want)
			}
			if wb := cat.List("benign.indicator." + g); len(wb) == 0 || len(benign) == 0 || benign[0] != wb[0] {
				t.Errorf("%s %s: benign = %q, want to start with %q", lang, k, benign, wb)
			}
			if strings.ContainsAny(why, "{}") {
				t.Errorf("%s %s: unfilled placeholder in %q", lang, k, why)
			}
		}
	}
}

// TestRuleScan runs the scanner on a small generated module holding every
// way the code writes a rule id, and the places it must not look.
func TestRuleScan(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/m\n",
		"a/a.go": `package a
const (
	RuleByName = "a.const"
	otherName  = "a.resolved_ident"
	notARule   = "a.plain_const"
)
type D struct{ Rule string; Reason string }
type row struct{ sev int; rule string; why string }
var named = []row{{1, "a.named_positional", "w"}}
var anon = map[string]struct {
	sev  int
	rule string
}{"k": {2, "a.anon_positional"}}
func f(x D) []D {
	return []D{{Rule: "a.literal"}, {Rule: otherName}, {Rule: x.Rule}, {Reason: "a.reason_not_rule"}}
}
`,
		"b/b.go": `package b
import "example.com/m/a"
type E struct{ Rule string }
const idInB = "b.selector"
var _ = E{Rule: a.RuleByName}
`,
		"b/b_test.go":     "package b\nvar _ = E{Rule: \"b.in_test\"}\n",
		"b/testdata/x.go": "package x\nconst RuleX = \"b.in_testdata\"\n",
		"c/.hidden/h.go":  "package h\nconst RuleH = \"c.hidden\"\n",
		"c/c.go":          "package c\nconst RuleInC = \"c.const\"\n",
		"c/notgo.txt":     "Rule: \"c.text\"\n",
		"d/d.go":          "package d\nimport \"example.com/m/a\"\nvar _ = a.D{Rule: \"d.\" + \"concat\"}\n",
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ids := ruleIDsIn(t, root)
	want := map[string]string{
		"a.const":            formConst,
		"a.resolved_ident":   formConst,
		"a.named_positional": formPositional,
		"a.anon_positional":  formPositional,
		"a.literal":          formLiteral,
		"c.const":            formConst,
	}
	var got []string
	for id := range ids {
		got = append(got, id)
	}
	sort.Strings(got)
	for id, form := range want {
		s, ok := ids[id]
		if !ok {
			t.Errorf("missing %q; found %v", id, got)
			continue
		}
		if s.form != form {
			t.Errorf("%q found as %s, want %s", id, s.form, form)
		}
		if !strings.HasSuffix(strings.SplitN(s.pos, ":", 2)[0], ".go") {
			t.Errorf("%q position %q does not name a Go file", id, s.pos)
		}
	}
	for _, id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected id %q at %s", id, ids[id].pos)
		}
	}
}

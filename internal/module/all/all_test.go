package all_test

import (
	"errors"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/all"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

var moduleName = regexp.MustCompile(`^(ios|android)\.[a-z0-9_]+$`)

// Every module is a complete Def: a unique dotted name, a sentence, the
// evidence kinds it reads, the paths it looks at (valid patterns) and a Run.
func TestEveryDefIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range all.Modules() {
		switch {
		case !moduleName.MatchString(d.Name):
			t.Errorf("%q: not a dotted platform.artifact name", d.Name)
		case seen[d.Name]:
			t.Errorf("%s: listed twice", d.Name)
		case d.Description == "" || !strings.HasSuffix(d.Description, "."):
			t.Errorf("%s: description %q is not a sentence", d.Name, d.Description)
		case len(d.Kinds) == 0 || len(d.Paths) == 0 || d.Run == nil:
			t.Errorf("%s: kinds %v, paths %v, run set %v", d.Name, d.Kinds, d.Paths, d.Run != nil)
		}
		seen[d.Name] = true
		for _, k := range d.Kinds {
			if !slices.Contains(source.Kinds, k) {
				t.Errorf("%s: unknown kind %q", d.Name, k)
			}
		}
		for _, p := range d.Paths {
			if _, err := path.Match(strings.ReplaceAll(p, "**", "*"), ""); err != nil || strings.HasPrefix(p, "/") || strings.Contains(p, "//") {
				t.Errorf("%s: path %q is not a logical path or glob", d.Name, p)
			}
		}
	}
}

// The paths a Def declares are where it looks: an empty evidence tree is
// ErrAbsent for every module and kind, and a file at any declared path (a
// glob filled in) is found, for at least one of the module's kinds.
func TestDeclaredPathsAreWhereModulesLook(t *testing.T) {
	for _, d := range all.Modules() {
		for _, k := range d.Kinds {
			if _, err := moduletest.Run(t, d, moduletest.MapEvidence(t, k, nil)); !errors.Is(err, module.ErrAbsent) {
				t.Errorf("%s on empty %s evidence: %v, want ErrAbsent", d.Name, k, err)
			}
		}
		for _, p := range d.Paths {
			file := fill(p)
			found := false
			for _, k := range d.Kinds {
				s, err := moduletest.Run(t, d, moduletest.MapEvidence(t, k, map[string]string{file: "x"}))
				if !errors.Is(err, module.ErrAbsent) || slices.Contains(s.Artifacts, file) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: declares %q but finds nothing at %q", d.Name, p, file)
			}
		}
	}
}

// fill turns a glob into one path it matches.
func fill(p string) string {
	p = strings.ReplaceAll(p, "**", "x")
	p = strings.ReplaceAll(p, "*", "x")
	return p
}

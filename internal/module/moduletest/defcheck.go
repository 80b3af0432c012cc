package moduletest

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// The checks every module.Def is held to, by the test of the module list
// (internal/module/all) and by the tests of the Def constructors, which
// show that a Def left incomplete or looking elsewhere than it says fails
// them.

var moduleName = regexp.MustCompile(`^(ios|android|net)\.[a-z0-9_]+$`)

// Incomplete says what d lacks to be a module: a dotted platform.artifact
// name, a one-sentence description, known evidence kinds, paths that are
// logical paths or globs, and a Run. A Def started by module.New (or IOS,
// Sysdiagnose...) and never given a reader has neither paths nor Run. nil
// means complete.
func Incomplete(d module.Def) error {
	var errs []error
	if !moduleName.MatchString(d.Name) {
		errs = append(errs, fmt.Errorf("%q: not a dotted platform.artifact name", d.Name))
	}
	if d.Description == "" || !strings.HasSuffix(d.Description, ".") {
		errs = append(errs, fmt.Errorf("%s: description %q is not a sentence", d.Name, d.Description))
	}
	if len(d.Kinds) == 0 || len(d.Paths) == 0 || d.Run == nil {
		errs = append(errs, fmt.Errorf("%s: kinds %v, paths %v, run set %v", d.Name, d.Kinds, d.Paths, d.Run != nil))
	}
	for _, k := range d.Kinds {
		if !slices.Contains(source.Kinds, k) {
			errs = append(errs, fmt.Errorf("%s: unknown kind %q", d.Name, k))
		}
	}
	for _, p := range d.Paths {
		if _, err := path.Match(strings.ReplaceAll(p, "**", "*"), ""); err != nil || strings.HasPrefix(p, "/") || strings.Contains(p, "//") {
			errs = append(errs, fmt.Errorf("%s: path %q is not a logical path or glob", d.Name, p))
		}
	}
	return errors.Join(errs...)
}

// LooksElsewhere says where d's Run and its declared Paths disagree: on
// empty evidence of any of its kinds the Run must say the artifact is
// absent, and a file at any declared path (a glob filled in) must be found
// for at least one of its kinds (recorded as read, or not absent). nil
// means they agree.
func LooksElsewhere(t testing.TB, d module.Def) error {
	t.Helper()
	var errs []error
	for _, k := range d.Kinds {
		if _, err := Run(t, d, MapEvidence(t, k, nil)); !errors.Is(err, module.ErrAbsent) {
			errs = append(errs, fmt.Errorf("%s on empty %s evidence: %v, want ErrAbsent", d.Name, k, err))
		}
	}
	for _, p := range d.Paths {
		file := Fill(p)
		found := false
		for _, k := range d.Kinds {
			s, err := Run(t, d, MapEvidence(t, k, map[string]string{file: "x"}))
			if !errors.Is(err, module.ErrAbsent) || slices.Contains(s.Artifacts, file) {
				found = true
				break
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("%s: declares %q but finds nothing at %q", d.Name, p, file))
		}
	}
	return errors.Join(errs...)
}

// Fill turns a glob into one path it matches.
func Fill(p string) string {
	p = strings.ReplaceAll(p, "**", "x")
	p = strings.ReplaceAll(p, "*", "x")
	return p
}

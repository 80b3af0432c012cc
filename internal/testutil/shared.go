// Package testutil holds helpers shared by tests: locating ../shared (the
// research data and third-party fixtures that live beside the repository,
// never inside it) and hashing trees to prove evidence was left untouched.
package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// RepoRoot is the repository root, found from this file's location so tests
// work from any package folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Shared returns ../shared/<rel>. When it is absent the test is skipped, and
// under CI (CI=true) it fails instead, so a CI run cannot silently pass
// without the conformance data.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	base := os.Getenv("HUELLA_SHARED")
	if base == "" {
		base = filepath.Join(RepoRoot(), "..", "shared")
	}
	p := filepath.Join(base, rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("conformance data %s is missing under CI: %v", p, err)
		}
		t.Skipf("conformance data %s not present; skipping (it lives beside the repo in ../shared)", p)
	}
	return p
}

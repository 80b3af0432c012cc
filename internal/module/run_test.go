package module_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func TestEachFile(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a/x.db", "b/x.db", "c/x.db"} {
		if err := os.WriteFile(moduletest.MkdirFor(t, dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		patterns   []string
		wantSeen   []string
		wantErr    string
		wantAbsent bool
	}{
		{"none", context.Background(), []string{"z/*.db"}, nil, "X database", true},
		{"bad one does not hide the rest", context.Background(), []string{"*/x.db"}, []string{"a/x.db", "b/x.db", "c/x.db"}, "b/x.db: broken", false},
		{"cancelled", cancelled, []string{"*/x.db"}, nil, context.Canceled.Error(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := module.NewEnv(moduletest.Evidence(t, source.IOSFS, dir), "t", &moduletest.Sink{}, nil)
			var seen []string
			err := module.EachFile("X database", tc.patterns, func(_ context.Context, _ *module.Env, name string) error {
				seen = append(seen, filepath.ToSlash(name))
				if strings.HasPrefix(name, "b/") {
					return errors.New(name + ": broken")
				}
				return nil
			})(tc.ctx, env)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || errors.Is(err, module.ErrAbsent) != tc.wantAbsent {
				t.Errorf("err = %v, want %q (absent %v)", err, tc.wantErr, tc.wantAbsent)
			}
			if !slices.Equal(seen, tc.wantSeen) {
				t.Errorf("parsed %v, want %v", seen, tc.wantSeen)
			}
		})
	}
}

// FirstDB opens the first database present in the caller's order of
// preference (not sorted), closes it after read, and is ErrAbsent naming
// what when none is there; EachDB opens every one found.
func TestFirstDBAndEachDB(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b/x.db", "a/x.db"} {
		moduletest.SQLite(t, dir, n, "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('"+n+"')")
	}
	ev := moduletest.Evidence(t, source.IOSFS, dir)
	read := func(got *[]string) func(context.Context, *module.Env, *sqlitex.DB) error {
		return func(ctx context.Context, _ *module.Env, db *sqlitex.DB) error {
			return sqlitex.Each(ctx, db, "SELECT v FROM t", func(r sqlitex.Row) error {
				*got = append(*got, r.Text("v"))
				return nil
			})
		}
	}
	for _, tc := range []struct {
		name   string
		run    func(*[]string) module.Def
		want   []string
		absent bool
	}{
		{"first in the order given", func(g *[]string) module.Def {
			return module.Def{Name: "t", Run: module.FirstDB("X", []string{"c/x.db", "b/x.db", "a/x.db"}, read(g))}
		}, []string{"b/x.db"}, false},
		{"none present", func(g *[]string) module.Def {
			return module.Def{Name: "t", Run: module.FirstDB("X", []string{"c/x.db"}, read(g))}
		}, nil, true},
		{"each one found, sorted", func(g *[]string) module.Def {
			return module.Def{Name: "t", Run: module.EachDB("X", []string{"*/x.db"}, read(g))}
		}, []string{"a/x.db", "b/x.db"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			_, err := moduletest.Run(t, tc.run(&got), ev)
			if errors.Is(err, module.ErrAbsent) != tc.absent || (err != nil && !tc.absent) {
				t.Fatalf("err = %v, absent wanted: %v", err, tc.absent)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("read %v, want %v", got, tc.want)
			}
		})
	}
}

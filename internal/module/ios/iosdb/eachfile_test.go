package iosdb

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
			err := EachFile(tc.ctx, env, "X database", tc.patterns, func(_ context.Context, _ *module.Env, name string) error {
				seen = append(seen, filepath.ToSlash(name))
				if strings.HasPrefix(name, "b/") {
					return errors.New(name + ": broken")
				}
				return nil
			})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || errors.Is(err, module.ErrAbsent) != tc.wantAbsent {
				t.Errorf("err = %v, want %q (absent %v)", err, tc.wantErr, tc.wantAbsent)
			}
			if !slices.Equal(seen, tc.wantSeen) {
				t.Errorf("parsed %v, want %v", seen, tc.wantSeen)
			}
		})
	}
}

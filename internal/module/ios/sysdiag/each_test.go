package sysdiag

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// TestEach: Each and EachBytes read every copy found, go on past one that
// cannot be read (reported, not fatal), stop at read's error or a stopped
// check, and say absent when there is none.
func TestEach(t *testing.T) {
	lim := evfile.Limit{Kind: "test log", Max: 16}
	files := map[string]string{"a/x.log": "first", "b/x.log": "more than sixteen bytes", "c/x.log": "third"}
	stop := errors.New("stop")
	tests := []struct {
		name       string
		paths      []string
		cancelled  bool
		failOn     string
		want       []string
		err        error
		unreadable bool
	}{
		{"none found", []string{"z/x.log"}, false, "", nil, module.ErrAbsent, false},
		{"past an unreadable copy", []string{"a/x.log", "b/x.log", "c/x.log"}, false, "", []string{"a/x.log=first", "c/x.log=third"}, nil, true},
		{"read's error ends the run", []string{"a/x.log", "c/x.log"}, false, "a/x.log", []string{"a/x.log=first"}, stop, false},
		{"stopped check", []string{"a/x.log", "c/x.log"}, true, "", nil, context.Canceled, false},
	}
	readers := map[string]func(ctx context.Context, env *module.Env, paths []string, got func(name, content string) error) error{
		"Each": func(ctx context.Context, env *module.Env, paths []string, got func(name, content string) error) error {
			return Each(ctx, env, "x.log", paths, lim, func(name string, f io.Reader) error {
				b, err := io.ReadAll(f)
				if err != nil {
					return err
				}
				return got(name, string(b))
			})
		},
		"EachBytes": func(ctx context.Context, env *module.Env, paths []string, got func(name, content string) error) error {
			return EachBytes(ctx, env, "x.log", paths, lim, func(name string, b []byte) error { return got(name, string(b)) })
		},
	}
	for rname, read := range readers {
		for _, tt := range tests {
			t.Run(rname+"/"+tt.name, func(t *testing.T) {
				sink := &moduletest.Sink{}
				env := module.NewEnv(moduletest.MapEvidence(t, source.IOSSysdiagnose, files), "test", sink, nil)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tt.cancelled {
					cancel()
				}
				var got []string
				err := read(ctx, env, tt.paths, func(name, content string) error {
					got = append(got, name+"="+content)
					if name == tt.failOn {
						return stop
					}
					return nil
				})
				if !errors.Is(err, tt.err) || tt.err == nil && err != nil {
					t.Fatalf("err %v, want %v", err, tt.err)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("read %q, want %q", got, tt.want)
				}
				if (len(sink.Warnings) > 0) != tt.unreadable {
					t.Errorf("warnings %q", sink.Warnings)
				}
			})
		}
	}
}

package moduletest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// fake emits one record per file it finds, from several goroutines, with a
// detection and a warning each, and fails when told to.
func fake(err error) module.Def {
	return module.Def{Name: "test.fake", Kinds: []source.Kind{source.IOSFS}, Paths: []string{"**/*.txt"},
		Run: func(_ context.Context, env *module.Env) error { return emitEach(env, err) }}
}

func emitEach(env *module.Env, err error) error {
	var wg sync.WaitGroup
	for _, name := range env.Find("**/*.txt") {
		wg.Go(func() {
			r := &model.Record{Source: name}
			r.Add(model.KindDomain, name, "name")
			r.Stamp(time.Unix(1, 0), "seen")
			env.Emit(r)
			env.Detect(model.Detection{Rule: "rule." + filepath.Base(name), Record: r})
			env.Warn("%s", name)
		})
	}
	wg.Wait()
	return err
}

func TestRunDir(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		files   []string
		err     error
		records int
	}{
		{"none", nil, nil, 0},
		{"many, concurrently", []string{"a/1.txt", "b/2.txt", "c/3.txt", "d/4.txt"}, nil, 4},
		{"error passes through", []string{"a/1.txt"}, boom, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				if err := os.WriteFile(MkdirFor(t, dir, f), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, err := RunDir(t, fake(tc.err), source.IOSFS, dir)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if len(s.Records) != tc.records || len(s.Detections) != tc.records || len(s.Warnings) != tc.records {
				t.Fatalf("%d records, %d detections, %d warnings; want %d each", len(s.Records), len(s.Detections), len(s.Warnings), tc.records)
			}
			if s.Stamps() != tc.records || s.Events() != tc.records {
				t.Errorf("stamps %d, events %d, want %d", s.Stamps(), s.Events(), tc.records)
			}
			obs := s.Observables(model.KindDomain)
			slices.Sort(obs)
			if !slices.Equal(obs, tc.files) {
				t.Errorf("observables %v, want %v", obs, tc.files)
			}
			if len(s.Rules()) != tc.records {
				t.Errorf("rules %v", s.Rules())
			}
		})
	}
}

func TestCopyFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("wal bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "deep", "er", "dst")
	CopyFile(t, src, dst)
	if b, err := os.ReadFile(dst); err != nil || string(b) != "wal bytes" {
		t.Fatalf("copied %q, %v", b, err)
	}
}

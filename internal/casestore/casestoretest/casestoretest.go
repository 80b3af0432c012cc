// Package casestoretest runs a test against every case-store engine and
// builds small stored runs, for the packages that use the store.
package casestoretest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/casestore"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

// ForEach runs fn against a fresh SQLite store and, when a PostgreSQL
// server is configured (testutil.Postgres; required under CI), a fresh
// PostgreSQL schema. dsn opens the same store again.
func ForEach(t *testing.T, fn func(t *testing.T, dsn string, s *casestore.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		dsn := filepath.Join(t.TempDir(), "cases.db")
		fn(t, dsn, Open(t, dsn))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := testutil.Postgres(t)
		fn(t, dsn, Open(t, dsn))
	})
}

// Open opens a store closed at the end of the test.
func Open(t *testing.T, dsn string) *casestore.Store {
	t.Helper()
	s, err := casestore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Run is a stored check of a made-up phone whose records hold obs, one
// record per observable, module "test.<kind>".
func Run(name string, obs ...model.Observable) casestore.RunInput {
	started := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	info := results.Info{
		SchemaVersion: model.SchemaVersion, Tool: results.Tool{Name: "huella", Version: "test"},
		Command: []string{"huella", "check"}, Started: started, Finished: started.Add(time.Minute),
		Evidence: results.EvidenceInfo{Kind: source.IOSBackup, Path: "/evidence/" + name, Device: source.Device{Name: "phone " + name}},
		Inputs:   []source.InputFile{{Path: "/evidence/" + name + "/Manifest.db", Size: 1, SHA256: "00"}},
	}
	return casestore.RunInput{Case: name, ResultsDir: "/results/" + name, Info: info,
		Records: func(yield func(int, *model.Record) error) error {
			n := map[string]int{}
			for i, o := range obs {
				m := "test." + string(o.Kind)
				r := model.Record{Module: m, Source: "db", Summary: "record", Observables: []model.Observable{o},
					Times: []model.Stamp{{Time: started.Add(-time.Duration(i) * time.Minute), Desc: "seen"}}}
				if err := yield(n[m], &r); err != nil {
					return err
				}
				n[m]++
			}
			return nil
		}}
}

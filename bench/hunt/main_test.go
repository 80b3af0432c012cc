package main

import (
	"path/filepath"
	"testing"

	"github.com/huella-project/huella/internal/indicators"
)

// Each kind of planted trace is found by its own indicator, as the
// benchmark's check expects: the feed writeFeed plants and the matcher
// agree, row by row of plants.
func TestPlantsMatchTheirPatterns(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "feed.stix2")
	if err := writeFeed(feed, 1, 0, 2000, true); err != nil {
		t.Fatal(err)
	}
	set, err := indicators.Load(feed)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 20 {
		t.Fatalf("%d indicators, want 20 (two cases of each kind)", set.Len())
	}
	for j := range 20 {
		o := plantObservable(j)
		if len(set.Match(o)) == 0 {
			t.Errorf("plant %d (%s %q) is not found by %s", j, o.Kind, o.Value, plantPattern(j))
		}
	}
}

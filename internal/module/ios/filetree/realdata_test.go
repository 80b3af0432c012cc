package filetree

import (
	"fmt"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/testutil"
)

// A real, uninfected iPhone's file system (the 474,000 paths of a public
// iOS 15 image, ../shared/realdata) checked with every feed in
// ../shared/iocs gives no high or critical finding. Every file and folder
// becomes the record this module emits for it, and goes through the
// pipeline's matcher. Before the calibration, a TikTok resource folder named
// "bh" inside the app bundle (a Pegasus process name) was critical.
func TestRealImageNoHighFinding(t *testing.T) {
	set, err := indicators.Load(testutil.Shared(t, "iocs"))
	if err != nil {
		t.Fatal(err)
	}
	paths := testutil.WithFolders(testutil.RealImagePaths(t))
	if len(paths) < 474_000 {
		t.Fatalf("%d paths; the real list holds 474k files", len(paths))
	}
	bySev := map[model.Severity]int{}
	var bad []string
	trap := false
	for _, p := range paths {
		if strings.HasSuffix(p.Path, "/TikTok.app/BDPlatformSDKLocalizableResource.bundle/bh") {
			trap = true
		}
		e := &Entry{Path: p.Path, Modified: p.Modified}
		for _, d := range scan.MatchRecord(set, record(strings.TrimPrefix(p.Path, "/"), e)) {
			bySev[d.Severity]++
			if d.Severity >= model.High {
				bad = append(bad, fmt.Sprintf("%s %s: %s", d.Severity, p.Path, d.Reason))
			}
		}
	}
	if !trap {
		t.Fatal("the list lacks the TikTok folder named bh: the test would check too little")
	}
	if len(bad) > 0 {
		if len(bad) > 20 {
			bad = bad[:20]
		}
		t.Errorf("%d high or critical findings on a clean phone:\n%s", len(bad), strings.Join(bad, "\n"))
	}
	t.Logf("%d paths and folders: findings by severity %v", len(paths), bySev)
}

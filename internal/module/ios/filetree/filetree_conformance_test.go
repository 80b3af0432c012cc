package filetree

import (
	"testing"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

// MVT's test_filesystem walks its test backup folder as if it were a dump:
// 10 two-character folders plus 13 files, and a process indicator equal to
// one file's name gives exactly one alert.
func TestMVTFilesystem(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/ios_backup")
	s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 23 {
		t.Errorf("records = %d, want 23", len(s.Records))
	}
	events := 0
	for _, r := range s.Records {
		events += len(r.Times)
	}
	if events != 23 {
		t.Errorf("timeline events = %d, want 23", events)
	}
	set, err := indicators.LoadFS(bundle("[process:name='64d0019cb3d46bfc8cce545a8ba54b93e7ea9347']"), "t.stix2")
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, r := range s.Records {
		alerts += len(scan.MatchRecord(set, r))
	}
	if alerts != 1 {
		t.Errorf("alerts = %d, want 1", alerts)
	}
}

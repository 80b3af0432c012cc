package pairrecords

import (
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestModule(t *testing.T) {
	dir := t.TempDir()
	moduletest.Plist(t, dir, "private/var/root/Library/Lockdown/pair_records/ABCDEF01-2345-4678-9ABC-DEF012345678.plist",
		map[string]any{"HostID": "ABCDEF01-2345-4678-9ABC-DEF012345678", "SystemBUID": "11111111-2222-4333-8444-555555555555"})
	s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if len(s.Records) != 1 || s.Stamps() != 1 || len(s.Detections) != 1 || s.Detections[0].Params["host"] != "ABCDEF01-2345-4678-9ABC-DEF012345678" {
		t.Fatalf("%+v %v", s.Records, s.Rules())
	}
}

package tombstone

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/huella-project/huella/internal/testutil"
)

func TestConformanceTombstones(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/android_data")
	f, err := os.Open(filepath.Join(dir, "tombstone_process.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	txt, err := ParseText("tombstone_process.txt", f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "tombstone_process.pb"))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := ParseProto("tombstone_process.pb", b)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range []*Tombstone{txt, pb} {
		if tb.PID != 25541 || tb.UID != 1046 || tb.ProcessName != "mtk.ape.decoder" || tb.WallClock != "2023-04-12 12:32:40.518290" ||
			len(tb.CommandLine) != 1 || tb.CommandLine[0] != "/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek" {
			t.Errorf("%s: %+v", tb.File, tb)
		}
	}
	if len(pb.Causes) != 1 || pb.Causes[0] != "null pointer dereference" {
		t.Errorf("causes %v", pb.Causes)
	}
	if n := len(Pair([]*Tombstone{txt, pb})); n != 1 {
		t.Errorf("pairing gave %d crashes, want 1", n)
	}

	var got []*Tombstone
	for _, name := range []string{"tombstone_00", "tombstone_01"} {
		f, err := os.Open(filepath.Join(dir, "bugreport/FS/data/tombstones", name))
		if err != nil {
			t.Fatal(err)
		}
		tb, err := ParseText(name, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tb)
	}
	if got[0].AbortMessage != "Check failed: payload.size() <= bytes_left (payload.size()=99, bytes_left=51) " || got[0].UID != 2000 || got[0].ProcessName != "UsbFfs-worker" {
		t.Errorf("tombstone_00: %+v", got[0])
	}
	if got[1].PID != 3559 || got[1].UID != 1000 || got[1].Signal.Name != "SIGSEGV" {
		t.Errorf("tombstone_01: %+v", got[1])
	}
}

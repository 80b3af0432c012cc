package locationd

import (
	"errors"
	"os"
	"testing"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func clientsPlist(t testing.TB) []byte {
	t.Helper()
	b, err := plist.Marshal(map[string]any{
		"com.apple.Maps:": map[string]any{"BundleId": "com.apple.Maps", "LocationTimeStopped": 654598606.5, "Authorization": 2},
		"com.apple.locationd.bundle-/System/Library/LocationBundles/IonosphereHarvest.bundle": map[string]any{
			"BundlePath": "/System/Library/LocationBundles/IonosphereHarvest.bundle", "Executable": "/usr/libexec/ionosphered",
			"Registered": "/usr/libexec/ionosphered", "ConsumptionPeriodBegin": 600000000.0},
		"junk": "not a dict",
	}, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestClients(t *testing.T) {
	for _, kind := range []source.Kind{source.IOSBackup, source.IOSFS} {
		dir := t.TempDir()
		p := Paths[0]
		if kind == source.IOSFS {
			p = Paths[2]
		}
		if err := os.WriteFile(moduletest.MkdirFor(t, dir, p), clientsPlist(t), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := moduletest.RunDir(t, Def(), kind, dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Records) != 2 {
			t.Fatalf("records = %d, want 2", len(s.Records))
		}
		maps := s.Records[0]
		if c := maps.Data.(*Client); c.Key != "com.apple.Maps" || c.Authorized != 2 || len(maps.Times) != 1 || maps.Times[0].Time.Year() != 2021 {
			t.Errorf("maps = %+v", c)
		}
		if len(maps.Observables) != 1 || maps.Observables[0].Kind != model.KindAppID {
			t.Errorf("maps observables = %v", maps.Observables)
		}
		got := map[string]bool{}
		for _, o := range s.Records[1].Observables {
			got[string(o.Kind)+":"+o.Value] = true
		}
		for _, w := range []string{"file_path:/System/Library/LocationBundles/IonosphereHarvest.bundle", "process:IonosphereHarvest",
			"file_path:/usr/libexec/ionosphered", "process:ionosphered"} {
			if !got[w] {
				t.Errorf("system client lacks %s (has %v)", w, got)
			}
		}
	}
}

func TestClientsErrors(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("absent: %v", err)
	}
	if _, err := Decode([]byte("<<not a plist")); err == nil {
		t.Error("garbage: no error")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(clientsPlist(f))
	f.Add([]byte("bplist00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Decode(b)
		if err != nil && out != nil {
			t.Fatal("output with an error")
		}
	})
}

// TestFarDateKeptRaw: a time field that is no date is kept on the record as
// stored, not dropped.
func TestFarDateKeptRaw(t *testing.T) {
	b, err := plist.Marshal(map[string]any{"com.example.app": map[string]any{"LocationTimeStopped": 9.5e9, "VisitTimeStopped": 654598606.5}}, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decode(b)
	if err != nil || len(out) != 1 {
		t.Fatalf("%v, %v", out, err)
	}
	r := record("clients.plist", &out[0])
	if len(r.Times) != 1 || r.Times[0].Desc != "VisitTimeStopped" {
		t.Errorf("times %+v", r.Times)
	}
	if len(r.RawTimes) != 1 || r.RawTimes[0].Desc != "LocationTimeStopped" || r.RawTimes[0].Raw != "9.5e+09" {
		t.Errorf("raw times %+v, want LocationTimeStopped kept as 9.5e+09", r.RawTimes)
	}
}

package transparency

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

const sample = `{"registration": [], "stateMachine": {"accountFirstSeen": "2023-04-11 09:38:27 +0000",
 "devices": {"d2": {"serial": "SYNTH0002", "model": "MacBookPro18,1", "osVersion": "15.1", "name": "Unknown Mac"},
             "d1": {"serial": "SYNTH0001", "model": "iPhone15,2", "osVersion": "18.1", "name": "Synthetic iPhone"}}}}`

func TestModule(t *testing.T) {
	s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"transparency.log": sample}))
	if len(s.Records) != 3 || s.Stamps() != 1 || len(s.Detections) != 0 {
		t.Fatalf("%d records", len(s.Records))
	}
	if d := s.Records[1].Data.(Device); d.Name != "Synthetic iPhone" || d.Serial != "SYNTH0001" {
		t.Errorf("%+v", d)
	}
	s = moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"transparency.log": ""}))
	if len(s.Records) != 0 {
		t.Errorf("empty log: %d records", len(s.Records))
	}
}

// TestImpossibleFirstSeenKeptRaw: an account first-seen date in year 2999
// or in no date form is kept as written on the account record, which is
// still emitted.
func TestImpossibleFirstSeenKeptRaw(t *testing.T) {
	for _, raw := range []string{"2999-04-11 09:38:27 +0000", "11/04/2023"} {
		t.Run(raw, func(t *testing.T) {
			log := strings.Replace(sample, "2023-04-11 09:38:27 +0000", raw, 1)
			s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"transparency.log": log}))
			if len(s.Records) != 3 {
				t.Fatalf("%d records", len(s.Records))
			}
			moduletest.KeepsRaw(t, s.Records[0], map[string]string{"account_first_seen": raw})
			if l := s.Records[0].Data.(*Log); !l.FirstSeen.IsZero() {
				t.Errorf("first seen %v", l.FirstSeen)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(b)
		if err == nil && len(l.Devices) > maxDevices {
			t.Fatal("too many devices")
		}
	})
}

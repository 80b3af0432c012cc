package mobileactivation

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

const sample = `Thu Nov 19 07:00:00 2026 [80] <notice> (0x1) MA: main: ____________________ Mobile Activation Startup _____________________
Thu Nov 19 07:00:00 2026 [80] <notice> (0x1) MA: main: build_version: 22B83
Thu Nov 19 07:00:01 2026 [80] <notice> (0x1) MA: perform_data_migration: Upgrading from 22A3354 to 22B83
Thu Nov 19 07:00:02 2026 [80] <notice> (0x1) MA: -[DeviceIdentity handleActivation]: Activation state: Activated
Thu Nov 19 07:00:03 2026 [80] <notice> (0x1) MA: -[DeviceIdentity handleActivation]: Activation state: Activated
`

func TestModule(t *testing.T) {
	ev := moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"logs/MobileActivation/mobileactivationd.log.0": sample})
	ev.Device.TimeZone = "UTC"
	s := moduletest.MustRun(t, Def(), ev)
	var kinds []string
	for _, r := range s.Records {
		d := r.Data.(*Event)
		kinds = append(kinds, d.Kind)
		if d.Kind == "upgrade" && (d.From != "22A3354" || d.To != "22B83") {
			t.Errorf("%+v", d)
		}
	}
	if strings.Join(kinds, ",") != "start,upgrade,state" || len(s.Detections) != 0 {
		t.Errorf("%v %v", kinds, s.Rules())
	}
}

// Any bytes: every event read is a start, an upgrade naming both builds or
// a known activation state, and its text is bounded.
func FuzzClassify(f *testing.F) {
	f.Add([]byte(sample))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = applelog.Parse(bytes.NewReader(b), time.UTC, func(e applelog.Entry) {
			ev, ok := Classify(e, "log")
			if !ok {
				return
			}
			switch {
			case len(ev.Text) > 300+len("…"):
				t.Fatalf("text of %d bytes", len(ev.Text))
			case ev.Kind == "upgrade" && (ev.From == "" || ev.To == ""):
				t.Fatalf("upgrade %+v", ev)
			case ev.Kind == "state" && ev.State == "":
				t.Fatalf("state %+v", ev)
			case ev.Kind != "start" && ev.Kind != "upgrade" && ev.Kind != "state":
				t.Fatalf("kind %q", ev.Kind)
			}
		})
	})
}

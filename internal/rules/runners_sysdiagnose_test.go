package rules_test

import (
	"testing"
	"time"

	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/detect"
	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

// Runners of the sysdiagnose and custody-window rules, kept apart from the
// registry test's own list.
func init() {
	runners["ios_pairing"] = func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.PairedComputer(str(s, "event"), str(s, "host"), str(s, "time"), "lockdownd.log"))
	}
	runners["ios_install"] = func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.InstallOutsideStore(str(s, "app"), str(s, "type"), str(s, "client"), str(s, "distributor"), str(s, "time")))
	}
	runners["ios_netext"] = func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.NetworkExtension(str(s, "kind"), str(s, "name"), str(s, "app")))
	}
	runners["custody"] = runCustody
}

// runCustody streams the sample's events (times in ISO 8601) through the
// custody rule of the sample's window.
func runCustody(t *testing.T, s rules.Sample) []finding {
	w, err := custody.Parse(str(s, "window"))
	if err != nil {
		t.Fatal(err)
	}
	r := detect.NewCustody(w)
	list, _ := s["events"].([]any)
	for _, item := range list {
		e, _ := item.(map[string]any)
		at, err := time.Parse(time.RFC3339, str(e, "at"))
		if err != nil {
			t.Fatal(err)
		}
		ev := model.Event{Time: at.UTC(), Module: str(e, "module"), Desc: str(e, "desc"), Summary: str(e, "summary")}
		r.Observe(&ev)
	}
	return fromDetections(r.Findings())
}

package detect

import (
	"context"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/timeline"
)

var base = time.Date(2023, 6, 1, 3, 0, 0, 0, time.UTC)

func at(min float64) time.Time { return base.Add(time.Duration(min * float64(time.Minute))) }

func run(t *testing.T, evs []model.Event) []model.Detection {
	t.Helper()
	tl := timeline.New(t.TempDir(), 0)
	tl.Add(evs...)
	ds, err := Run(context.Background(), tl, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func ruleCounts(ds []model.Detection) map[string]int {
	m := map[string]int{}
	for _, d := range ds {
		m[d.Rule]++
	}
	return m
}

func smsFolder(min float64, desc, path string) model.Event {
	return model.Event{Time: at(min), Module: "ios.manifest", Desc: desc, Source: "MediaDomain/" + path, Summary: path}
}

func TestTriangle(t *testing.T) {
	net := model.Event{Time: at(2), Module: "ios.datausage", Desc: "first_seen", Summary: "BackupAgent", Processes: []string{"BackupAgent"}}
	imageio := model.Event{Time: at(3), Module: "ios.manifest", Desc: "file_modified", Source: "RootDomain/Library/Preferences/com.apple.ImageIO.plist"}
	loc := model.Event{Time: at(4), Module: "ios.locationd_clients", Desc: "location_stopped", Summary: "com.apple.locationd.bundle-/System/Library/LocationBundles/IonosphereHarvest.bundle"}
	cases := []struct {
		name string
		evs  []model.Event
		want int
	}{
		{"net and file within 5 minutes", []model.Event{net, imageio}, 1},
		{"net and location", []model.Event{net, loc}, 1},
		{"sms folder M and C, with net", []model.Event{
			smsFolder(1, "file_modified", "Library/SMS/Attachments/ab"),
			smsFolder(1, "file_status_changed", "Library/SMS/Attachments/ab"), net}, 1},
		{"sms folder M only does not count", []model.Event{
			smsFolder(1, "file_modified", "Library/SMS/Attachments/ab"), net}, 0},
		{"an ordinary attachment cancels the window", []model.Event{
			net, imageio, smsFolder(3.5, "file_modified", "Library/SMS/Attachments/ab/cd/IMG_0001.jpeg")}, 0},
		{"one class only", []model.Event{net, {Time: at(3), Module: "ios.netusage", Desc: "first_seen", Processes: []string{"nehelper"}}}, 0},
		{"two classes but 6 minutes apart", []model.Event{net, {Time: at(8.5), Module: "ios.manifest", Desc: "file_modified", Source: imageio.Source}}, 0},
		{"two classes exactly 5 minutes apart", []model.Event{net, {Time: at(7), Module: "ios.manifest", Desc: "file_modified", Source: imageio.Source}}, 1},
		{"two classes 5½ minutes apart", []model.Event{net, {Time: at(7.5), Module: "ios.manifest", Desc: "file_modified", Source: imageio.Source}}, 0},
		{"a burst is one finding", []model.Event{net, imageio, loc}, 1},
		{"unrelated events are ignored", []model.Event{{Time: at(1), Module: "ios.sms", Desc: "sms_received", Summary: "hola"}, net}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := run(t, c.evs)
			if got := ruleCounts(ds)["correlation.triangle.window"]; got != c.want {
				t.Fatalf("got %d findings, want %d: %+v", got, c.want, ds)
			}
			if c.want > 0 && len(ds[0].Related) < 2 {
				t.Errorf("finding must list the events it joined: %+v", ds[0])
			}
		})
	}
}

// TestTriangleWindowCap: triangle_check's window holds at most 10 events,
// so two classes 11 events apart are not joined even within 5 minutes.
func TestTriangleWindowCap(t *testing.T) {
	net := model.Event{Time: at(0), Module: "ios.datausage", Desc: "first_seen", Summary: "BackupAgent", Processes: []string{"BackupAgent"}}
	imageio := func(min float64) model.Event {
		return model.Event{Time: at(min), Module: "ios.manifest", Desc: "file_modified", Source: "RootDomain/Library/Preferences/com.apple.ImageIO.plist"}
	}
	// SMS-folder modifications without a status change are window events
	// of no class: they fill the window without raising anything.
	filler := func(n int) []model.Event {
		var evs []model.Event
		for i := range n {
			evs = append(evs, smsFolder(0.1+float64(i)*0.1, "file_modified", "Library/SMS/Attachments/ab"))
		}
		return evs
	}
	for _, c := range []struct {
		name    string
		fillers int
		want    int
	}{
		{"classes 10 events apart share a window", 8, 1}, // net, 8 fillers, imageio: 10 events
		{"classes 11 events apart do not", 10, 0},        // net, 10 fillers, imageio: 12 events
		{"nor do classes 20 events apart", 19, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs := append([]model.Event{net}, filler(c.fillers)...)
			evs = append(evs, imageio(4))
			if got := ruleCounts(run(t, evs))["correlation.triangle.window"]; got != c.want {
				t.Fatalf("got %d findings, want %d", got, c.want)
			}
		})
	}
}

func TestLinkChain(t *testing.T) {
	msg := model.Event{Time: at(0), Module: "ios.sms", Desc: "sms_received", Summary: "Your father died, details: https://lure.example/3589003s/", Hosts: []string{"lure.example"}}
	visit := model.Event{Time: at(1), Module: "ios.safari_history", Desc: "visit", Summary: "https://lure.example/3589003s/", Hosts: []string{"lure.example"}}
	newProc := model.Event{Time: at(3), Module: "ios.datausage", Desc: "first_seen", Summary: "bh", Processes: []string{"bh"}}
	crash := model.Event{Time: at(4), Module: "ios.crash_reports", Desc: "crash", Summary: "MobileSafari crashed"}
	otherVisit := model.Event{Time: at(1), Module: "ios.safari_history", Desc: "visit", Hosts: []string{"news.example"}}
	late := newProc
	late.Time = at(30)
	cases := []struct {
		name        string
		evs         []model.Event
		chain, open int
	}{
		{"message, visit, new process", []model.Event{msg, visit, newProc}, 1, 1},
		{"message, visit, crash", []model.Event{msg, visit, crash}, 1, 1},
		{"message and visit only", []model.Event{msg, visit}, 0, 1},
		{"visit to another host", []model.Event{msg, otherVisit, newProc}, 0, 0},
		{"process long after", []model.Event{msg, visit, late}, 0, 1},
		{"www sub-domain counts as the same site", []model.Event{msg, {Time: at(1), Module: "ios.safari_history", Desc: "visit", Hosts: []string{"www.lure.example"}}, newProc}, 1, 1},
		// The window is 10 minutes from the message.
		{"visit 10 minutes after the message", []model.Event{msg, atMin(visit, 10)}, 0, 1},
		{"visit 15 minutes after the message", []model.Event{msg, atMin(visit, 15)}, 0, 0},
		{"visit 25 minutes after the message", []model.Event{msg, atMin(visit, 25)}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := run(t, c.evs)
			r := ruleCounts(ds)
			if r["correlation.link.chain"] != c.chain || r["correlation.link.opened"] != c.open {
				t.Fatalf("got %v, want chain %d opened %d", r, c.chain, c.open)
			}
			// The whole chain is high; a link that was opened, informational.
			for _, d := range ds {
				want := map[string]model.Severity{"correlation.link.chain": model.High, "correlation.link.opened": model.Informational}[d.Rule]
				if d.Severity != want {
					t.Errorf("%s: severity %v, want %v", d.Rule, d.Severity, want)
				}
			}
		})
	}
}

func atMin(e model.Event, min float64) model.Event {
	e.Time = at(min)
	return e
}

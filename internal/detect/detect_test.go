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
	tl := timeline.New(t.TempDir())
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
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ruleCounts(run(t, c.evs))
			if r["correlation.link.chain"] != c.chain || r["correlation.link.opened"] != c.open {
				t.Fatalf("got %v, want chain %d opened %d", r, c.chain, c.open)
			}
		})
	}
}

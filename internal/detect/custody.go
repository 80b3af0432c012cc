package detect

import (
	"strconv"
	"time"

	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

// The custody rules turn what means hands-on access, inside the window the
// analyst gave (--custody), into findings: a computer trusted (iOS pairing,
// a backup made), USB debugging used or an app installed over it (Android),
// a configuration profile or certificate installed, any new app. NoviSpy
// was installed over adb during police interviews (Amnesty, 2024); forensic
// extraction tools pair with the phone. Everything else in the window is
// listed by the report, not judged.
var (
	ruleCustodyPairing    = rules.Must("correlation.custody.pairing")
	ruleCustodyADB        = rules.Must("correlation.custody.adb")
	ruleCustodyADBInstall = rules.Must("correlation.custody.adb_install")
	ruleCustodyProfile    = rules.Must("correlation.custody.profile")
	ruleCustodyApp        = rules.Must("correlation.custody.app_install")
)

// adbInstallGap: an app installed this soon after USB debugging was used
// (intrusion logs record both, not the installer) came over adb.
const adbInstallGap = 10 * time.Minute

// maxRelated bounds the events one custody finding lists.
const maxRelated = 20

// Custody is the correlation rule of one custody window. It also keeps the
// window's summary (Summary) for info.json and the console.
type Custody struct {
	tr      *custody.Tracker
	groups  map[*rules.Rule]*custodyGroup
	lastADB time.Time
}

type custodyGroup struct {
	n        int
	first    time.Time
	events   []model.Event
	contexts map[string]bool
}

// NewCustody returns the rule for window w.
func NewCustody(w custody.Window) *Custody {
	return &Custody{tr: custody.NewTracker(w), groups: map[*rules.Rule]*custodyGroup{}}
}

// Observe implements Rule.
func (c *Custody) Observe(e *model.Event) {
	k := c.tr.Observe(e.Time, e.Module, e.Desc, e.Summary, e.Source)
	if k == custody.ADB {
		c.lastADB = e.Time
	}
	var r *rules.Rule
	var ctx string
	switch k {
	case custody.Pairing:
		r = ruleCustodyPairing
	case custody.ADB:
		r = ruleCustodyADB
	case custody.ADBInstall:
		r = ruleCustodyADBInstall
	case custody.Profile:
		r = ruleCustodyProfile
	case custody.Certificate:
		r, ctx = ruleCustodyProfile, "certificate"
	case custody.AppInstall:
		r = ruleCustodyApp
		switch {
		case e.Desc == "app_installed_from_computer":
			ctx = "from_computer"
		case !c.lastADB.IsZero() && e.Time.Sub(c.lastADB) <= adbInstallGap:
			r = ruleCustodyADBInstall
		}
	default:
		return
	}
	g := c.groups[r]
	if g == nil {
		g = &custodyGroup{first: e.Time, contexts: map[string]bool{}}
		c.groups[r] = g
	}
	g.n++
	if ctx != "" {
		g.contexts[ctx] = true
	}
	if len(g.events) < maxRelated {
		g.events = append(g.events, compact(e))
	}
}

// Findings implements Rule: one finding per rule with events in the window.
func (c *Custody) Findings() []model.Detection {
	var out []model.Detection
	for _, r := range []*rules.Rule{ruleCustodyPairing, ruleCustodyADB, ruleCustodyADBInstall, ruleCustodyProfile, ruleCustodyApp} {
		g := c.groups[r]
		if g == nil {
			continue
		}
		var ctx []string
		for k := range g.contexts {
			ctx = append(ctx, k)
		}
		f := CustodyFinding(r.ID, c.tr.W, g.n, g.first, ctx...)
		d := f.Detection(nil)
		at := g.first.UTC()
		d.Module, d.Time, d.Related = "correlation", &at, g.events
		out = append(out, d)
	}
	return out
}

// Summary is what the window held; call it after the pass.
func (c *Custody) Summary() custody.Summary { return c.tr.Summary() }

// CustodyFinding is the finding of a custody rule. The events it counts
// are its related events, whose summaries the report translates.
func CustodyFinding(rule string, w custody.Window, n int, first time.Time, ctx ...string) rules.Finding {
	return rules.Must(rule).New(rules.Params{
		"window": w.Text(),
		"count":  strconv.Itoa(n),
		"first":  first.UTC().Format("2006-01-02 15:04:05 UTC"),
	}, ctx...)
}

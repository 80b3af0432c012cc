package detect

import (
	"strconv"
	"time"

	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

// adbInstallGap: an app installed this soon after USB debugging was used
// (intrusion logs record both, not the installer) came over adb.
const adbInstallGap = 10 * time.Minute

// maxRelated bounds the events one custody finding lists.
const maxRelated = 20

// Custody is the correlation rule of one custody window. The custody rules
// (correlation.custody.*) turn what means hands-on access, inside the window
// the analyst gave (--custody), into findings: a computer trusted (iOS
// pairing, a backup made), USB debugging used or an app installed over it
// (Android), a configuration profile or certificate installed, any new app.
// NoviSpy was installed over adb during police interviews (Amnesty, 2024);
// forensic extraction tools pair with the phone. Everything else in the
// window is listed by the report, not judged. Custody also keeps the
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
		r = rules.CorrelationCustodyPairing
	case custody.ADB:
		r = rules.CorrelationCustodyADB
	case custody.ADBInstall:
		r = rules.CorrelationCustodyADBInstall
	case custody.Profile:
		r = rules.CorrelationCustodyProfile
	case custody.Certificate:
		r, ctx = rules.CorrelationCustodyProfile, "certificate"
	case custody.AppInstall:
		r = rules.CorrelationCustodyAppInstall
		switch {
		case e.Desc == "app_installed_from_computer":
			ctx = "from_computer"
		case !c.lastADB.IsZero() && e.Time.Sub(c.lastADB) <= adbInstallGap:
			r = rules.CorrelationCustodyADBInstall
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
	for _, r := range []*rules.Rule{rules.CorrelationCustodyPairing, rules.CorrelationCustodyADB, rules.CorrelationCustodyADBInstall, rules.CorrelationCustodyProfile, rules.CorrelationCustodyAppInstall} {
		g := c.groups[r]
		if g == nil {
			continue
		}
		var ctx []string
		for k := range g.contexts {
			ctx = append(ctx, k)
		}
		f := custodyFinding(r, c.tr.W, g.n, g.first, ctx...)
		d := f.Detection(nil)
		at := g.first.UTC()
		d.Module, d.Time, d.Related = "correlation", &at, g.events
		out = append(out, d)
	}
	return out
}

// Summary is what the window held; call it after the pass.
func (c *Custody) Summary() custody.Summary { return c.tr.Summary() }

// custodyFinding is the finding of custody rule r. The events it counts
// are its related events, whose summaries the report translates.
func custodyFinding(r *rules.Rule, w custody.Window, n int, first time.Time, ctx ...string) rules.Finding {
	return r.New(rules.Params{
		"window": w.Text(),
		"count":  strconv.Itoa(n),
		"first":  first.UTC().Format("2006-01-02 15:04:05 UTC"),
	}, ctx...)
}

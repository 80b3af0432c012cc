package detect

import (
	"sort"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

// The triangle rule follows Kaspersky's triangle_check: over the events of
// four classes, slide a window of at most 10 events spanning at most 5
// minutes, and raise a suspicion when at least two classes occur together.
// An ordinary attachment (a file deeper inside SMS/Attachments) in the window
// cancels it, and the sms class counts only when the attachment folder shows
// both a modification and a status change.

const (
	triWindow    = 5 * time.Minute
	triMaxEvents = 10
)

type triClass uint8

const (
	clsNone triClass = iota
	clsSMS
	clsFile
	clsNet
	clsLocation
	clsCancel
)

// classNames are the ids of the classes in findings; their words are the
// registry terms "triangle.<id>".
var classNames = map[triClass]string{clsSMS: "sms", clsFile: "file", clsNet: "net", clsLocation: "location"}
var triPlists = []string{"com.apple.ImageIO.plist", "com.apple.locationd.StatusBarIconManager.plist", "com.apple.imservice.ids.FaceTime.plist"}

// triProcesses are the "implicit" processes triangle_check watches, plus
// BackupAgent (the Triangulation implant's name; iOS itself uses BackupAgent2).
var triProcesses = map[string]bool{"BackupAgent": true, "nehelper": true, "com.apple.WebKit.WebContent": true,
	"powerd/com.apple.datausage.diagnostics": true, "lockdownd/com.apple.datausage.security": true}

var triBundles = []string{"IonosphereHarvest.bundle", "WRMLinkSelection.bundle"}

type triEvent struct {
	ev      model.Event
	cls     triClass
	mod, ch bool // SMS folder: a modification / a status change
	folder  string
}

// maxTriEvents bounds memory on hostile evidence; only the four classes
// are kept, which on a real phone are a few thousand events at most.
const maxTriEvents = 1_000_000

type triangle struct {
	evs []triEvent
}

func newTriangle() *triangle { return &triangle{} }

// anyContains looks in the event's source path and summary without joining
// them: classify runs on every event of the timeline.
func anyContains(e *model.Event, sub string) bool {
	return strings.Contains(e.Source, sub) || strings.Contains(e.Summary, sub)
}

const attachments = "Library/SMS/Attachments/"

func classify(e *model.Event) (triEvent, bool) {
	_, rest, ok := strings.Cut(e.Source, attachments)
	if !ok {
		if _, rest, ok = strings.Cut(e.Summary, attachments); !ok {
			return classifyOther(e)
		}
	}
	te := triEvent{ev: compact(e)}
	desc := strings.ToLower(e.Desc)
	if j := strings.IndexAny(rest, "\n \t"); j >= 0 {
		rest = rest[:j]
	}
	rest = strings.Trim(rest, "/")
	if n := strings.Count(rest, "/"); n <= 1 && rest != "" {
		te.cls, te.folder = clsSMS, rest
		te.mod = strings.Contains(desc, "modif")
		te.ch = strings.Contains(desc, "chang") || strings.Contains(desc, "status")
		return te, true
	}
	te.cls = clsCancel
	return te, true
}

func classifyOther(e *model.Event) (triEvent, bool) {
	cls := clsNone
	for _, p := range triPlists {
		if anyContains(e, p) {
			cls = clsFile
			break
		}
	}
	if cls == clsNone && (strings.Contains(e.Module, "usage") || strings.Contains(e.Module, "analytics")) {
		for _, p := range e.Processes {
			if triProcesses[p] {
				cls = clsNet
				break
			}
		}
	}
	if cls == clsNone && strings.Contains(e.Module, "locationd") && strings.Contains(strings.ToLower(e.Desc), "stop") {
		for _, b := range triBundles {
			if anyContains(e, b) {
				cls = clsLocation
				break
			}
		}
	}
	if cls == clsNone {
		return triEvent{}, false
	}
	return triEvent{ev: compact(e), cls: cls}, true
}

func (t *triangle) Observe(e *model.Event) {
	if te, ok := classify(e); ok && len(t.evs) < maxTriEvents {
		t.evs = append(t.evs, te)
	}
}

// windowClasses returns the classes a window shows, or nil when an ordinary
// attachment cancels it.
func windowClasses(win []triEvent) map[triClass]bool {
	classes := map[triClass]bool{}
	smsMod, smsCh := map[string]bool{}, map[string]bool{}
	for _, w := range win {
		switch w.cls {
		case clsCancel:
			return nil
		case clsSMS:
			if w.mod {
				smsMod[w.folder] = true
			}
			if w.ch {
				smsCh[w.folder] = true
			}
		default:
			classes[w.cls] = true
		}
	}
	for f := range smsMod {
		if smsCh[f] {
			classes[clsSMS] = true
		}
	}
	return classes
}

// Findings slides the window from every event, as triangle_check does, and
// merges overlapping suspicious windows into one finding per burst.
func (t *triangle) Findings() []model.Detection {
	var out []model.Detection
	var cur []triEvent
	var curEnd time.Time
	var curCls map[triClass]bool
	flush := func() {
		if cur == nil {
			return
		}
		at := cur[0].ev.Time
		d := rules.CorrelationTriangleWindow.New(triParams(cur, curCls)).Detection(nil)
		d.Module, d.Time, d.Related = "correlation", &at, mergeEvents(nil, cur)
		out = append(out, d)
		cur, curCls = nil, nil
	}
	for i := range t.evs {
		j := i
		for j < len(t.evs) && j-i < triMaxEvents && t.evs[j].ev.Time.Sub(t.evs[i].ev.Time) <= triWindow {
			j++
		}
		win := t.evs[i:j]
		cls := windowClasses(win)
		if len(cls) < 2 {
			continue
		}
		if cur != nil && win[0].ev.Time.After(curEnd) {
			flush()
		}
		if curCls == nil {
			curCls = map[triClass]bool{}
		}
		for c := range cls {
			curCls[c] = true
		}
		cur = append(cur, win...)
		if e := win[len(win)-1].ev.Time; e.After(curEnd) || cur == nil {
			curEnd = e
		}
	}
	flush()
	return out
}

func mergeEvents(have []model.Event, win []triEvent) []model.Event {
	seen := map[string]bool{}
	for _, e := range have {
		seen[e.Time.String()+e.Module+e.Desc+e.Source+e.Summary] = true
	}
	for _, w := range win {
		k := w.ev.Time.String() + w.ev.Module + w.ev.Desc + w.ev.Source + w.ev.Summary
		if !seen[k] {
			seen[k] = true
			have = append(have, w.ev)
		}
	}
	sort.SliceStable(have, func(i, j int) bool { return have[i].Time.Before(have[j].Time) })
	return have
}

func triParams(win []triEvent, cls map[triClass]bool) rules.Params {
	var names []string
	for c := range cls {
		names = append(names, classNames[c])
	}
	sort.Strings(names)
	span := win[len(win)-1].ev.Time.Sub(win[0].ev.Time).Round(time.Second)
	return rules.Params{"span": span.String(), "classes": strings.Join(names, ",")}
}

package custody

import (
	"sort"
	"strings"
	"time"
)

// Event is one timeline event in the window.
type Event struct {
	Time    time.Time `json:"time"`
	Module  string    `json:"module"`
	Desc    string    `json:"desc"`
	Summary string    `json:"summary"`
	Source  string    `json:"source,omitempty"`
	Kind    Kind      `json:"kind,omitempty"`
}

// Coverage says how one module's dated events sit against the window.
const (
	Covers      = "covers"       // events inside the window, or both before and after it
	EndsBefore  = "ends_before"  // every event before the window: its record stops earlier
	StartsAfter = "starts_after" // every event after the window: older entries were rotated away
)

// Source is one module's dated events against the window.
type Source struct {
	Module   string    `json:"module"`
	Coverage string    `json:"coverage"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	InWindow int       `json:"in_window"`
}

// Burst is a run of crashes close together in the window: exploits crash
// the process they attack, often several times while they retry.
type Burst struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Crashes int       `json:"crashes"`
}

// Summary is what the window holds: info.json keeps it, the console and
// the report show it.
type Summary struct {
	Window  Window       `json:"window"`
	Events  int          `json:"events"`          // timeline events in the window
	Kinds   map[Kind]int `json:"kinds,omitempty"` // events in the window by kind (hands-on and others)
	Sources []Source     `json:"sources"`         // every module with dated events, against the window
	Bursts  []Burst      `json:"crash_bursts,omitempty"`
	Kept    int          `json:"kept"` // events kept for the report (the first MaxKept)
}

// HandsOn counts the events of the kinds that mean someone handled the phone.
func (s *Summary) HandsOn() int {
	n := 0
	for k, v := range s.Kinds {
		if k.HandsOn() {
			n += v
		}
	}
	return n
}

// Covering lists the modules whose events cover the window, and the others.
func (s *Summary) Covering() (covers, not []Source) {
	for _, src := range s.Sources {
		if src.Coverage == Covers {
			covers = append(covers, src)
		} else {
			not = append(not, src)
		}
	}
	return covers, not
}

// MaxKept bounds the events of the window kept in memory and shown; the
// count goes on, and the timeline files hold them all.
const MaxKept = 2000

// Burst thresholds.
const (
	burstGap   = 10 * time.Minute
	burstCount = 3
)

// Tracker watches the timeline in time order (one pass) for one window.
type Tracker struct {
	W      Window
	Events []Event // kept events of the window, in time order
	sum    Summary
	spans  map[string]*Source
	crash  []time.Time // crash times of the current run
}

// NewTracker starts watching for w.
func NewTracker(w Window) *Tracker {
	return &Tracker{W: w, spans: map[string]*Source{}, sum: Summary{Window: w, Kinds: map[Kind]int{}}}
}

// Observe takes one timeline event. Findings (their events are named
// "finding:<rule>") are the findings' own business: left out.
func (t *Tracker) Observe(at time.Time, module, desc, summary, source string) Kind {
	if strings.HasPrefix(desc, "finding:") || at.IsZero() {
		return Other
	}
	sp := t.spans[module]
	if sp == nil {
		sp = &Source{Module: module, First: at, Last: at}
		t.spans[module] = sp
	}
	if at.Before(sp.First) {
		sp.First = at
	}
	if at.After(sp.Last) {
		sp.Last = at
	}
	if !t.W.Contains(at) {
		return Other
	}
	sp.InWindow++
	t.sum.Events++
	k := Classify(module, desc, summary)
	if k != Other {
		t.sum.Kinds[k]++
	}
	if k == Crash {
		t.crashAt(at)
	}
	if len(t.Events) < MaxKept {
		t.Events = append(t.Events, Event{Time: at.UTC(), Module: module, Desc: desc, Summary: summary, Source: source, Kind: k})
	}
	return k
}

func (t *Tracker) crashAt(at time.Time) {
	if n := len(t.crash); n > 0 && at.Sub(t.crash[n-1]) > burstGap {
		t.closeBurst()
	}
	t.crash = append(t.crash, at)
}

func (t *Tracker) closeBurst() {
	if len(t.crash) >= burstCount {
		t.sum.Bursts = append(t.sum.Bursts, Burst{From: t.crash[0].UTC(), To: t.crash[len(t.crash)-1].UTC(), Crashes: len(t.crash)})
	}
	t.crash = t.crash[:0]
}

// Summary ends the pass and returns what the window holds.
func (t *Tracker) Summary() Summary {
	t.closeBurst()
	s := t.sum
	s.Kept = len(t.Events)
	s.Sources = make([]Source, 0, len(t.spans))
	for _, sp := range t.spans {
		src := *sp
		switch {
		case src.InWindow > 0 || (src.First.Before(t.W.From) && src.Last.After(t.W.To)):
			src.Coverage = Covers
		case src.Last.Before(t.W.From):
			src.Coverage = EndsBefore
		default:
			src.Coverage = StartsAfter
		}
		src.First, src.Last = src.First.UTC(), src.Last.UTC()
		s.Sources = append(s.Sources, src)
	}
	sort.Slice(s.Sources, func(i, j int) bool { return s.Sources[i].Module < s.Sources[j].Module })
	if len(s.Kinds) == 0 {
		s.Kinds = nil
	}
	return s
}

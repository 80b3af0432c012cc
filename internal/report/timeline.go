package report

import (
	"sync"

	"github.com/huella-project/huella/internal/model"
)

// Timeline is the report's timeline built during a check's one merge pass
// (it implements scan.TimelineSink): the pipeline hands over every event
// it already holds, in time order, so the report neither reads
// timeline.jsonl back nor decodes a line of JSON, and its string columns
// spill to the private folder past a memory bound (spool.go). Build one
// per check, pass it to scan.Options.Timeline, then WriteFrom.
type Timeline struct {
	mu           sync.Mutex
	c            *collector
	info         TimelineInfo
	cat          *Catalogue
	untranslated [][2]string // module, summary shown as written (a few)
	done         bool
}

// NewTimeline starts a report timeline in lang; its spills go to tmpDir
// (the run's private folder; "" makes one of its own).
func NewTimeline(lang, tmpDir string) (*Timeline, error) { return newTimeline(lang, tmpDir, limits{}) }

func newTimeline(lang, tmpDir string, lim limits) (*Timeline, error) {
	cat, err := LoadCatalogue(lang)
	if err != nil {
		return nil, err
	}
	t := &Timeline{cat: cat}
	t.c = newCollector(&t.info, cat, nil, tmpDir, lim)
	return t, nil
}

// Begin takes the findings on the timeline, so that their events are
// rendered from the rules registry in the reader's language.
func (t *Timeline) Begin(dets []model.Detection) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cat.Lang != DefaultLang {
		t.c.text = eventTexts(t.cat, dets, func(module, summary string) {
			if len(t.untranslated) < 100 {
				t.untranslated = append(t.untranslated, [2]string{module, summary})
			}
		})
	}
}

// Events adds a batch of events (in time order). It never fails the
// pipeline: a spill that cannot be written is reported when the page is
// built.
func (t *Timeline) Events(evs []model.Event) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range evs {
		e := &evs[i]
		var sev int8
		if e.Severity != nil {
			sev = int8(*e.Severity) + 1
		}
		t.c.add(e.Time.Unix(), e.Module, e.Desc, e.Summary, e.Source, sev)
	}
	return nil
}

// finish hands over the columns and the counts (into info).
func (t *Timeline) finish(info *TimelineInfo) (*Events, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ev, err := t.c.finish()
	*info = t.info
	t.done = true
	return ev, err
}

// Close removes what the timeline spilled, when the page was not built
// (an interrupted or failed check); after WriteFrom there is nothing left.
func (t *Timeline) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.c.texts.close()
	t.c.srcs.close()
}

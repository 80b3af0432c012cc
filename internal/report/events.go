package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
)

// Limits that keep a report of a huge or hostile timeline usable: the page
// stays loadable, and the cut is announced in the verdict. A report may be
// given a lower cap (Options.MaxEvents); nothing changes these.
const (
	DefaultMaxEvents = 2_000_000
	maxSummaryBytes  = 400
)

// timelineLine is the part of a timeline.jsonl line the report needs (the
// Timesketch fields written by internal/timeline).
type timelineLine struct {
	Message       string `json:"message"`
	Datetime      string `json:"datetime"`
	TimestampDesc string `json:"timestamp_desc"`
	Module        string `json:"module"`
	Source        string `json:"source"`
	Severity      string `json:"severity"`
}

type dict struct {
	idx  map[string]int32
	list []string
}

func newDict() *dict { return &dict{idx: map[string]int32{}} }

func (d *dict) id(s string) int32 {
	if i, ok := d.idx[s]; ok {
		return i
	}
	i := int32(len(d.list))
	d.idx[s] = i
	d.list = append(d.list, s)
	return i
}

// collector builds the page's columns one event at a time. Both ways to
// the report feed it: the check's own merge pass (Timeline, no decoding:
// the pipeline already holds each event) and timeline.jsonl read back by
// 'huella report' (readEvents).
type collector struct {
	ev           *Events
	info         *TimelineInfo
	cat          *Catalogue
	mods, descs  *dict
	texts, srcs  *spoolDict
	text         func(module, desc, summary string) string
	translated   map[[2]string]string
	names        map[string]string // event identifier -> its name for the reader
	first, last  int64
	lim          limits // events embedded at most (the rest are counted), memory bounds
	tmpDir       string
	spoolFailure error
}

func newCollector(info *TimelineInfo, cat *Catalogue, text func(module, desc, summary string) string, tmpDir string, lim limits) *collector {
	lim = lim.withDefaults()
	c := &collector{
		ev:   &Events{Modules: []string{}, Descs: []string{}, Texts: []string{}, Sources: []string{}},
		info: info, cat: cat, mods: newDict(), descs: newDict(),
		texts: newSpoolDict(tmpDir, "texts", lim), srcs: newSpoolDict(tmpDir, "sources", lim),
		translated: map[[2]string]string{}, names: map[string]string{}, tmpDir: tmpDir, lim: lim,
	}
	// In another language, summaries are translated once per distinct
	// (module, summary) and event names are labelled.
	if cat != nil && cat.Lang != DefaultLang {
		c.text = text
	}
	return c
}

// add takes one event: its time (Unix seconds), module, event identifier,
// summary, source and severity (0 none, 1 informational ... 5 critical).
func (c *collector) add(u int64, module, desc, summary, source string, sev int8) {
	info := c.info
	info.Total++
	if info.Total == 1 || u < c.first {
		c.first = u
	}
	if info.Total == 1 || u > c.last {
		c.last = u
	}
	ev := c.ev
	if ev.rows() >= c.lim.events {
		info.Truncated = true
		return
	}
	m := c.mods.id(module)
	msg := summary
	if c.text != nil {
		k := [2]string{module + "\x00" + desc, summary}
		tr, ok := c.translated[k]
		if !ok {
			tr = c.text(module, desc, summary)
			if len(c.translated) < 1<<20 {
				c.translated[k] = tr
			}
		}
		msg = tr
	}
	// Event names are words in every language ("message received", not
	// sms_received).
	if c.cat != nil {
		name, ok := c.names[desc]
		if !ok {
			name = eventName(c.cat, desc)
			if len(c.names) < 1<<16 {
				c.names[desc] = name
			}
		}
		desc = name
	}
	r := row{t: u, m: m, s: sev, d: c.descs.id(desc), x: c.texts.id(clip(msg, maxSummaryBytes)), r: c.srcs.id(source)}
	if len(ev.T) < c.lim.memRows {
		ev.T, ev.M, ev.S, ev.D, ev.X, ev.R = append(ev.T, r.t), append(ev.M, r.m), append(ev.S, r.s), append(ev.D, r.d), append(ev.X, r.x), append(ev.R, r.r)
		return
	}
	if ev.more == nil {
		ev.more = &rowSpool{spoolFile: spoolFile{dir: c.tmpDir}}
	}
	ev.more.add(r)
}

// finish hands over the columns.
func (c *collector) finish() (*Events, error) {
	ev, info := c.ev, c.info
	ev.Modules, ev.Descs = c.mods.list, c.descs.list
	ev.Texts, ev.texts = c.texts.mem, c.texts
	ev.Sources, ev.sources = c.srcs.mem, c.srcs
	var rowsErr error
	if ev.more != nil {
		rowsErr = ev.more.err
	}
	if err := errors.Join(c.texts.err, c.srcs.err, rowsErr); err != nil {
		ev.close()
		return nil, fmt.Errorf("report timeline: %w", err)
	}
	if c.cat != nil {
		for i, id := range ev.Modules {
			ev.Modules[i] = ModuleName(c.cat, id)
		}
	}
	info.Embedded = ev.rows()
	ev.first, ev.last = c.first, c.last
	if info.Total > 0 {
		info.First = fmtUTC(time.Unix(c.first, 0))
		info.Last = fmtUTC(time.Unix(c.last, 0))
	}
	return ev, nil
}

// readEvents streams timeline.jsonl into columns. Lines that do not parse
// are counted, not fatal: one damaged line must not hide the rest. It is
// what 'huella report DIR' uses; a check hands the report its events
// without writing and decoding them again (Timeline).
func readEvents(path string, info *TimelineInfo, cat *Catalogue, text func(module, desc, summary string) string) (*Events, error) {
	return readEventsIn(path, info, cat, text, "", limits{})
}

func readEventsIn(path string, info *TimelineInfo, cat *Catalogue, text func(module, desc, summary string) string, tmpDir string, lim limits) (*Events, error) {
	c := newCollector(info, cat, text, tmpDir, lim)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		info.Missing = true
		return c.finish()
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	for {
		line, err := results.TimelineLine(r)
		if len(line) > 0 {
			var tl timelineLine
			t, perr := time.Time{}, json.Unmarshal(line, &tl)
			if perr == nil {
				t, perr = time.Parse(time.RFC3339Nano, tl.Datetime)
			}
			if perr != nil {
				info.Skipped++
			} else {
				c.add(t.Unix(), tl.Module, tl.TimestampDesc, tl.Message, tl.Source, severityIndex(tl.Severity))
			}
		}
		if err == io.EOF {
			break
		}
		if errors.Is(err, results.ErrLineTooLong) {
			info.Skipped++
			continue
		}
		if err != nil {
			c.texts.close()
			c.srcs.close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return c.finish()
}

// eventName is an event's name for the reader: the catalogue's words, or
// an identifier the catalogue does not know with its underscores read as
// spaces, so that it wraps between words like any label.
func eventName(cat *Catalogue, desc string) string {
	if strings.HasPrefix(desc, "finding:") {
		return cat.T("desc.finding")
	}
	if l := descLabel(cat, desc); l != "" {
		return l
	}
	return strings.ReplaceAll(desc, "_", " ")
}

// severityIndex maps a severity word to the page's 0..5 scale (0: none).
func severityIndex(s string) int8 {
	if s == "" {
		return 0
	}
	v, ok := model.ParseSeverity(s)
	if !ok {
		return 0
	}
	return int8(v) + 1
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

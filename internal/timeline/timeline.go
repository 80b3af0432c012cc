// Package timeline collects dated events from every module and writes them
// sorted by time, as CSV and as Timesketch-ready JSON lines.
//
// A phone can yield millions of events, so the collector keeps at most
// ChunkSize events in memory: full chunks are sorted and spilled to the
// private temporary folder, and the writers merge the sorted chunks.
package timeline

import (
	"bufio"
	"container/heap"
	"encoding/csv"
	"encoding/gob"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/huella-project/huella/internal/model"
)

// ChunkSize bounds the events held in memory before a spill.
var ChunkSize = 200_000

type Collector struct {
	mu     sync.Mutex
	dir    string
	buf    []model.Event
	chunks []string
	n      int
	err    error
}

// New returns a collector spilling into dir (a private temporary folder).
func New(dir string) *Collector { return &Collector{dir: dir} }

func (c *Collector) Add(evs ...model.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range evs {
		if e.Time.IsZero() {
			continue
		}
		c.buf = append(c.buf, e)
		c.n++
		if len(c.buf) >= ChunkSize {
			c.spill()
		}
	}
}

// Len is the number of events collected.
func (c *Collector) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func less(a, b *model.Event) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	if a.Module != b.Module {
		return a.Module < b.Module
	}
	if a.Desc != b.Desc {
		return a.Desc < b.Desc
	}
	return a.Summary < b.Summary
}

func sortEvents(evs []model.Event) {
	sort.SliceStable(evs, func(i, j int) bool { return less(&evs[i], &evs[j]) })
}

func (c *Collector) spill() {
	if c.err != nil {
		return
	}
	sortEvents(c.buf)
	f, err := os.CreateTemp(c.dir, "timeline-*.gob")
	if err != nil {
		c.err = err
		return
	}
	w := bufio.NewWriterSize(f, 1<<16)
	enc := gob.NewEncoder(w)
	for i := range c.buf {
		if err := enc.Encode(&c.buf[i]); err != nil {
			c.err = err
			break
		}
	}
	c.err = errors.Join(c.err, w.Flush(), f.Close())
	c.chunks = append(c.chunks, f.Name())
	c.buf = c.buf[:0]
}

// Each calls fn for every event in time order. It may be called more than once.
func (c *Collector) Each(fn func(*model.Event) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	sortEvents(c.buf)
	h := &mergeHeap{}
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, name := range c.chunks {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		files = append(files, f)
		s := &stream{dec: gob.NewDecoder(bufio.NewReaderSize(f, 1<<16))}
		if err := s.next(); err != nil {
			if errors.Is(err, io.EOF) {
				continue
			}
			return err
		}
		heap.Push(h, s)
	}
	if len(c.buf) > 0 {
		s := &stream{mem: c.buf}
		s.next()
		heap.Push(h, s)
	}
	for h.Len() > 0 {
		s := (*h)[0]
		if err := fn(&s.cur); err != nil {
			return err
		}
		if err := s.next(); err != nil {
			if !errors.Is(err, io.EOF) {
				return err
			}
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
	}
	return nil
}

// Close removes the spilled chunks.
func (c *Collector) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, n := range c.chunks {
		errs = append(errs, os.Remove(n))
	}
	c.chunks = nil
	return errors.Join(errs...)
}

type stream struct {
	dec *gob.Decoder
	mem []model.Event
	i   int
	cur model.Event
}

func (s *stream) next() error {
	if s.dec != nil {
		s.cur = model.Event{}
		return s.dec.Decode(&s.cur)
	}
	if s.i >= len(s.mem) {
		return io.EOF
	}
	s.cur = s.mem[s.i]
	s.i++
	return nil
}

type mergeHeap []*stream

func (h mergeHeap) Len() int           { return len(h) }
func (h mergeHeap) Less(i, j int) bool { return less(&h[i].cur, &h[j].cur) }
func (h mergeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)        { *h = append(*h, x.(*stream)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// CSVHeader is the first line of timeline.csv.
var CSVHeader = []string{"datetime_utc", "datetime_local", "module", "event", "summary", "source", "severity"}

// WriteCSV writes the events; loc adds device-local times when known.
func WriteCSV(w io.Writer, c *Collector, loc *time.Location) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := make([]string, len(CSVHeader))
	err := c.Each(func(e *model.Event) error {
		row[0] = e.Time.UTC().Format(time.RFC3339Nano)
		row[1] = localTime(e.Time, loc)
		row[2], row[3], row[4], row[5] = e.Module, e.Desc, csvSafe(e.Summary), csvSafe(e.Source)
		row[6] = ""
		if e.Severity != nil {
			row[6] = e.Severity.String()
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// csvSafe defuses spreadsheet formula injection: evidence text such as an
// SMS starting with "=" would otherwise run as a formula when an analyst
// opens the CSV.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

func localTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		return ""
	}
	return t.In(loc).Format(time.RFC3339Nano)
}

// sketchEvent is one Timesketch line: message, datetime and timestamp_desc
// are the fields Timesketch requires; the rest become attributes.
type sketchEvent struct {
	Message       string `json:"message"`
	Datetime      string `json:"datetime"`
	TimestampDesc string `json:"timestamp_desc"`
	Module        string `json:"module"`
	Source        string `json:"source,omitempty"`
	Severity      string `json:"severity,omitempty"`
	DatetimeLocal string `json:"datetime_local,omitempty"`
}

// WriteJSONL writes Timesketch-importable JSON lines.
func WriteJSONL(w io.Writer, c *Collector, loc *time.Location) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := c.Each(func(e *model.Event) error {
		se := sketchEvent{
			Message:       e.Summary,
			Datetime:      e.Time.UTC().Format(time.RFC3339Nano),
			TimestampDesc: e.Desc,
			Module:        e.Module,
			Source:        e.Source,
			DatetimeLocal: localTime(e.Time, loc),
		}
		if e.Severity != nil {
			se.Severity = e.Severity.String()
		}
		return enc.Encode(&se)
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

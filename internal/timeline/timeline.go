// Package timeline collects dated events from every module and writes them
// sorted by time, as CSV and as Timesketch-ready JSON lines.
//
// A phone can yield millions of events, so the collector keeps at most a
// chunk of events (DefaultChunk) in memory: full chunks are sorted and spilled to the
// private temporary folder in a compact binary form, and one k-way merge
// pass feeds every consumer at once (the CSV and JSONL writers on their own
// goroutines, the correlation rules on the merging one).
package timeline

import (
	"bufio"
	"container/heap"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/huella-project/huella/internal/model"
)

// DefaultChunk bounds the events held in memory before a spill. Two chunks
// can be in memory at once (one filling, one spilling), about 350 bytes an
// event for a file-system dump's long paths: 50,000 keeps them near 35 MB.
const DefaultChunk = 50_000

// MaxSummary bounds a timeline line's text; the full record stays in
// <module>.json. A message of several megabytes must not be copied into
// every timeline file.
const MaxSummary = 1024

type Collector struct {
	mu       sync.Mutex
	dir      string
	chunk    int // events held in memory before a spill
	buf      []model.Event
	chunks   []string
	n        int
	err      error
	spilling sync.WaitGroup // the chunk being written in the background
	spillErr error
}

// New returns a collector spilling into dir (a private temporary folder)
// every chunk events (0: DefaultChunk; tests spill every few).
func New(dir string, chunk int) *Collector {
	if chunk <= 0 {
		chunk = DefaultChunk
	}
	return &Collector{dir: dir, chunk: chunk}
}

func (c *Collector) Add(evs ...model.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range evs {
		if e.Time.IsZero() {
			continue
		}
		// UTC here, as the spill format returns it: an event reads the same
		// whether its chunk stayed in memory or went to disk.
		e.Time = e.Time.UTC()
		if len(e.Summary) > MaxSummary {
			e.Summary = strings.ToValidUTF8(e.Summary[:MaxSummary], "") + "…"
		}
		c.buf = append(c.buf, e)
		c.n++
		if len(c.buf) >= c.chunk {
			c.spillAsync()
		}
	}
}

// Len is the number of events collected.
func (c *Collector) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func compare(a, b *model.Event) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if c := strings.Compare(a.Module, b.Module); c != 0 {
		return c
	}
	if c := strings.Compare(a.Desc, b.Desc); c != 0 {
		return c
	}
	return strings.Compare(a.Summary, b.Summary)
}

func sortEvents(evs []model.Event) {
	slices.SortStableFunc(evs, func(a, b model.Event) int { return compare(&a, &b) })
}

// spillAsync hands the full buffer to a background writer and lets modules
// go on adding: sorting and encoding a chunk under the lock stalled every
// module. At most one chunk is in flight, so memory stays at two chunks.
func (c *Collector) spillAsync() {
	c.spilling.Wait()
	if c.spillErr != nil && c.err == nil {
		c.err = c.spillErr
	}
	if c.err != nil {
		c.buf = c.buf[:0]
		return
	}
	f, err := os.CreateTemp(c.dir, "timeline-*.bin")
	if err != nil {
		c.err = err
		return
	}
	c.chunks = append(c.chunks, f.Name())
	full := c.buf
	c.buf = make([]model.Event, 0, c.chunk)
	c.spilling.Add(1)
	go func() {
		defer c.spilling.Done()
		c.spillErr = writeChunk(f, full)
	}()
}

func writeChunk(f *os.File, evs []model.Event) error {
	sortEvents(evs)
	w := bufio.NewWriterSize(f, 1<<16)
	var scratch []byte
	var err error
	for i := range evs {
		scratch = appendEvent(scratch[:0], &evs[i])
		if _, err = w.Write(scratch); err != nil {
			break
		}
	}
	return errors.Join(err, w.Flush(), f.Close())
}

// settle waits for a background spill; callers hold c.mu.
func (c *Collector) settle() {
	c.spilling.Wait()
	if c.spillErr != nil && c.err == nil {
		c.err = c.spillErr
	}
}

// Each calls fn for every event in time order. It may be called more than
// once; the event passed is only valid during the call.
func (c *Collector) Each(fn func(*model.Event) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
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
		s := &stream{r: bufio.NewReaderSize(f, 1<<16)}
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
	c.settle()
	var errs []error
	for _, n := range c.chunks {
		errs = append(errs, os.Remove(n))
	}
	c.chunks = nil
	return errors.Join(errs...)
}

type stream struct {
	r   *bufio.Reader
	mem []model.Event
	i   int
	cur model.Event
}

func (s *stream) next() error {
	if s.r != nil {
		return readEvent(s.r, &s.cur)
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
func (h mergeHeap) Less(i, j int) bool { return compare(&h[i].cur, &h[j].cur) < 0 }
func (h mergeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)        { *h = append(*h, x.(*stream)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Writers says where one merge pass sends the events. Any field may be nil.
type Writers struct {
	CSV     io.Writer
	JSONL   io.Writer
	Loc     *time.Location     // device zone for the local-time columns
	Observe func(*model.Event) // called in time order on the merging goroutine
	// Batches is another consumer on its own goroutine, like the writers:
	// it gets the events in time order, a batch at a time (the report's
	// columns are built so, beside the files, from the same pass).
	Batches func([]model.Event) error
}

const batchSize = 2048

// Write runs one merge pass over the timeline and feeds every consumer. The
// writers encode on their own goroutines, so on two cores the merge, the
// correlation rules and the encoding overlap.
func (c *Collector) Write(w Writers) error {
	type sinkFn func([]model.Event) error
	var sinks []sinkFn
	var closers []func() error
	if w.CSV != nil {
		cw := newCSVWriter(w.CSV, w.Loc)
		sinks = append(sinks, cw.write)
		closers = append(closers, cw.flush)
	}
	if w.JSONL != nil {
		jw := newJSONLWriter(w.JSONL, w.Loc)
		sinks = append(sinks, jw.write)
		closers = append(closers, jw.flush)
	}
	if w.Batches != nil {
		sinks = append(sinks, w.Batches)
		closers = append(closers, func() error { return nil })
	}
	chans := make([]chan []model.Event, len(sinks))
	errs := make([]error, len(sinks))
	var wg sync.WaitGroup
	for i := range sinks {
		chans[i] = make(chan []model.Event, 4)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range chans[i] {
				if errs[i] == nil {
					errs[i] = sinks[i](b)
				}
			}
			if errs[i] == nil {
				errs[i] = closers[i]()
			}
		}()
	}
	batch := make([]model.Event, 0, batchSize)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		for _, ch := range chans {
			ch <- batch
		}
		batch = make([]model.Event, 0, batchSize)
	}
	err := c.Each(func(e *model.Event) error {
		if w.Observe != nil {
			w.Observe(e)
		}
		if len(chans) > 0 {
			batch = append(batch, *e)
			if len(batch) == batchSize {
				flush()
			}
		}
		return nil
	})
	flush()
	for _, ch := range chans {
		close(ch)
	}
	wg.Wait()
	return errors.Join(append([]error{err}, errs...)...)
}

// WriteCSV writes the events as CSV; loc adds device-local times when known.
func WriteCSV(w io.Writer, c *Collector, loc *time.Location) error {
	return c.Write(Writers{CSV: w, Loc: loc})
}

// WriteJSONL writes Timesketch-importable JSON lines.
func WriteJSONL(w io.Writer, c *Collector, loc *time.Location) error {
	return c.Write(Writers{JSONL: w, Loc: loc})
}

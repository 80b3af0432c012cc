// Package scan is the pipeline: it runs the modules that apply to the
// evidence on a bounded worker pool, matches every record's observables with
// the one compiled indicator matcher, streams records to <module>.json,
// collects the timeline, and writes detections and the timeline files.
package scan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/huella-project/huella/internal/atomicfile"
	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/detect"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/timeline"
)

// Matcher is the compiled indicator set (internal/indicators.Set).
type Matcher interface {
	Match(o model.Observable) []model.IndicatorRef
}

// Correlator returns fresh correlation rules (internal/detect.Rules); they
// observe the timeline during the same merge pass that writes it.
type Correlator func() []detect.Rule

// Progress is told what the pipeline does; the CLI shows it on a terminal.
type Progress interface {
	ModuleStarted(name string)
	Records(name string, n int) // called every few thousand records
	ModuleDone(info results.ModuleInfo)
}

type Options struct {
	Evidence      *source.Evidence
	Modules       []module.Def // already filtered to the evidence kind
	Skipped       []module.Def // deselected by the user; listed in coverage
	Matcher       Matcher      // nil: no indicators loaded
	OutDir        string
	Workers       int           // 0: GOMAXPROCS
	ModuleTimeout time.Duration // 0: none
	Log           *slog.Logger
	Progress      Progress
	Correlate     Correlator
	// Carry are findings kept from an earlier run (check-iocs keeps the
	// heuristic findings, which do not depend on indicators).
	Carry []model.Detection
	// TimelineChunk is how many timeline events are held in memory before
	// a spill to the private temporary folder (0: timeline.DefaultChunk).
	TimelineChunk int
	// StopGrace is how long an interrupted run waits for running modules to
	// return before it leaves them behind (0: DefaultStopGrace).
	StopGrace time.Duration
	// Parts, when set, are the evidences of one phone checked together (a
	// backup and a capture of its traffic), each with the modules that
	// read it; Evidence, Modules and Skipped are then not used. Module
	// names must be unique across parts: they name the results files.
	Parts []Part
	// Timeline, when set, gets every timeline event from the one merge
	// pass that writes timeline.csv and timeline.jsonl (the report builds
	// its columns so, instead of decoding timeline.jsonl again).
	Timeline TimelineSink
}

// Part is one evidence of a check of several, with its modules.
type Part struct {
	Evidence *source.Evidence
	Modules  []module.Def
	Skipped  []module.Def
}

// TimelineSink consumes the timeline during the merge pass.
type TimelineSink interface {
	// Begin is called once before the pass with the findings so far (the
	// heuristic ones are events of the timeline too).
	Begin(dets []model.Detection)
	// Events gets the events in time order, a batch at a time, on a
	// goroutine of its own.
	Events(evs []model.Event) error
}

// job is one module to run on one evidence.
type job struct {
	ev *source.Evidence
	m  module.Def
}

// DefaultStopGrace bounds how long Ctrl-C waits for a module that does not
// return: past it, the run ends without it (its records so far are kept),
// so cleanup and the interrupted info.json never wait on blocked code.
const DefaultStopGrace = 1500 * time.Millisecond

// Result is what a run produced; info.json is assembled from it by the caller.
type Result struct {
	Modules    []results.ModuleInfo
	Detections []model.Detection
	Events     int
	// Interrupted is set when ctx was cancelled before every module ended.
	// Modules then say which ran; the timeline and correlation rules are
	// skipped (they would only delay the stop), detections so far are kept.
	Interrupted bool
}

// Run executes the pipeline and writes <module>.json, detections.json,
// timeline.csv and timeline.jsonl into OutDir. When ctx is cancelled it
// stops starting modules, waits at most StopGrace for the running ones,
// writes what it has and returns with Result.Interrupted set (and no error).
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	grace := o.StopGrace
	if grace <= 0 {
		grace = DefaultStopGrace
	}
	parts := o.Parts
	if len(parts) == 0 {
		parts = []Part{{Evidence: o.Evidence, Modules: o.Modules, Skipped: o.Skipped}}
	}
	var jobs []job
	var skippedMods []module.Def
	for _, p := range parts {
		for _, m := range p.Modules {
			jobs = append(jobs, job{ev: p.Evidence, m: m})
		}
		skippedMods = append(skippedMods, p.Skipped...)
	}
	primary := parts[0].Evidence
	loc := primary.Device.Location()
	for _, p := range parts {
		if loc == nil {
			loc = p.Evidence.Device.Location()
		}
	}
	out, err := atomicfile.OpenDir(o.OutDir)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	tmp := primary.TempDir
	if tmp == "" {
		d, err := os.MkdirTemp("", "huella-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		tmp = d
	}
	tl := timeline.New(tmp, o.TimelineChunk)
	defer tl.Close()
	s := &sink{opts: &o, out: out, tl: tl, states: map[string]*modState{}}

	type done struct {
		i    int
		info results.ModuleInfo
	}
	// Buffered for every module, so a module that returns after the run
	// left it behind never blocks on sending its result.
	doneCh := make(chan done, len(jobs))
	next := make(chan int)
	for w := 0; w < workers; w++ {
		go func() {
			for i := range next {
				doneCh <- done{i, s.runModule(ctx, jobs[i].ev, jobs[i].m)}
			}
		}()
	}
	dispatched := make([]bool, len(jobs))
dispatch:
	for i := range jobs {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
			dispatched[i] = true
		case <-ctx.Done():
			break dispatch
		}
	}
	close(next)
	infos := make([]results.ModuleInfo, len(jobs))
	finished := make([]bool, len(jobs))
	pending := 0
	for _, d := range dispatched {
		if d {
			pending++
		}
	}
	ctxDone := ctx.Done()
	var giveUp <-chan time.Time
collect:
	for pending > 0 {
		select {
		case d := <-doneCh:
			infos[d.i], finished[d.i] = d.info, true
			pending--
		case <-ctxDone:
			ctxDone = nil
			giveUp = time.After(grace)
		case <-giveUp:
			break collect
		}
	}
	interrupted := ctx.Err() != nil
	if interrupted {
		s.abandon()
		for i, j := range jobs {
			m := j.m
			if finished[i] {
				continue
			}
			infos[i] = results.ModuleInfo{Name: m.Name, Description: m.Description, Status: results.StatusInterrupted, Error: "not started: the check was interrupted"}
			if dispatched[i] {
				infos[i].Error = fmt.Sprintf("still running %s after the interruption: left behind, its records so far are kept", grace)
				s.fill(&infos[i])
			}
		}
	}
	for _, m := range skippedMods {
		infos = append(infos, results.ModuleInfo{Name: m.Name, Description: m.Description, Status: results.StatusSkipped})
	}
	sort.SliceStable(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })

	s.mu.Lock()
	dets := append(slices.Clip(s.detections), o.Carry...)
	s.mu.Unlock()
	agreeLures(dets)
	events := 0
	if !interrupted {
		// Heuristic findings carry their own time: they go on the timeline too,
		// so the report shows what surrounds them. Correlation findings are
		// computed during the pass below; they point at events already on it.
		for i := range dets {
			d := &dets[i]
			if d.Time == nil || d.Kind == model.ByIndicator {
				continue
			}
			sev := d.Severity
			tl.Add(model.Event{Time: *d.Time, Module: d.Module, Desc: "finding:" + d.Rule, Summary: d.Reason, Severity: &sev})
		}
		var rules []detect.Rule
		if o.Correlate != nil {
			rules = o.Correlate()
		}
		observe := func(e *model.Event) {
			for _, r := range rules {
				r.Observe(e)
			}
		}
		var batches func([]model.Event) error
		if o.Timeline != nil {
			o.Timeline.Begin(dets)
			batches = o.Timeline.Events
		}
		if err := writeTimeline(out, tl, loc, observe, batches); err != nil {
			return nil, err
		}
		for _, r := range rules {
			cd := r.Findings()
			for i := range cd {
				if cd[i].Kind == "" {
					cd[i].Kind = model.ByCorrelation
				}
			}
			dets = append(dets, cd...)
		}
		events = tl.Len()
	}
	results.SortDetections(dets)
	if dets == nil {
		dets = []model.Detection{}
	}
	byMod := map[string]int{}
	for _, d := range dets {
		byMod[d.Module]++
	}
	for i := range infos {
		infos[i].Detections = byMod[infos[i].Name]
	}

	if err := out.WriteJSON("detections.json", results.Detections{SchemaVersion: model.SchemaVersion, Detections: dets}); err != nil {
		return nil, err
	}
	return &Result{Modules: infos, Detections: dets, Events: events, Interrupted: interrupted}, nil
}

// writeTimeline writes timeline.csv and timeline.jsonl in one merge pass
// that also feeds the correlation rules.
func writeTimeline(out *atomicfile.Dir, tl *timeline.Collector, loc *time.Location, observe func(*model.Event), batches func([]model.Event) error) error {
	fc, err := out.Create("timeline.csv")
	if err != nil {
		return err
	}
	defer fc.Abort()
	fj, err := out.Create("timeline.jsonl")
	if err != nil {
		return err
	}
	defer fj.Abort()
	if err := tl.Write(timeline.Writers{CSV: fc, JSONL: fj, Loc: loc, Observe: observe, Batches: batches}); err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	if err := fc.Commit(); err != nil {
		return err
	}
	if tl.Len() == 0 {
		// No event: an empty JSON-lines file is the right answer here.
		fj.Abort()
		return writeEmpty(out, "timeline.jsonl")
	}
	return fj.Commit()
}

// writeEmpty puts an empty file in place (the one case where empty is the
// content, not a failure).
func writeEmpty(out *atomicfile.Dir, name string) error {
	f, err := out.CreateLog(name)
	if err != nil {
		return err
	}
	return f.Close()
}

type modState struct {
	mu        sync.Mutex
	w         *results.RecordWriter
	closed    bool
	records   int
	warnings  []string
	gaps      []coverage.Gap
	rawTimes  int           // dates kept raw (outside 1970–2100)
	firstRaw  model.RawTime // the first of them, for the warning
	artifacts map[string]bool
}

// closeWriter puts <module>.json in place once, whoever gets there first:
// the module's own goroutine, or an interrupted run leaving it behind.
func (st *modState) closeWriter() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed || st.w == nil {
		return nil
	}
	st.closed = true
	return st.w.Close()
}

type sink struct {
	opts       *Options
	out        *atomicfile.Dir
	tl         *timeline.Collector
	mu         sync.Mutex
	states     map[string]*modState
	detections []model.Detection
	// gate lets an interrupted run stop taking output from modules it
	// leaves behind: Record and Detection hold it shared, abandon takes it
	// whole and sets closed, so nothing reaches the timeline, the
	// detections or a results file after the run has moved on.
	gate   sync.RWMutex
	closed bool
}

// abandon stops all further output and closes every module's file.
func (s *sink) abandon() {
	s.gate.Lock()
	s.closed = true
	s.gate.Unlock()
	s.mu.Lock()
	states := make([]*modState, 0, len(s.states))
	for _, st := range s.states {
		states = append(states, st)
	}
	s.mu.Unlock()
	for _, st := range states {
		st.closeWriter()
	}
}

// fill copies what a module produced so far into its coverage entry.
func (s *sink) fill(info *results.ModuleInfo) {
	st := s.state(info.Name)
	st.mu.Lock()
	info.Records = st.records
	info.Warnings = append([]string(nil), st.warnings...)
	if st.rawTimes > 0 {
		// One warning per module, not one per row: a crafted table can
		// hold millions of impossible dates.
		info.Warnings = append(info.Warnings, fmt.Sprintf("%d date(s) are no plausible date and were kept as stored values (raw_times in %s), not placed on the timeline; first: %s, %s",
			st.rawTimes, fileName(info.Name), st.firstRaw.Desc, st.firstRaw.Why))
	}
	info.Gaps = append([]coverage.Gap(nil), st.gaps...)
	for a := range st.artifacts {
		info.Artifacts = append(info.Artifacts, a)
	}
	st.mu.Unlock()
	sort.Strings(info.Artifacts)
}

func (s *sink) state(name string) *modState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.states[name]
	if st == nil {
		st = &modState{artifacts: map[string]bool{}}
		s.states[name] = st
	}
	return st
}

// maxWarnings keeps a hostile file from filling info.json with one warning per row.
const maxWarnings = 50

// stopGrace is how long a module whose time ran out has to return by
// itself before it is left behind.
const stopGrace = 500 * time.Millisecond

func (s *sink) runModule(ctx context.Context, ev *source.Evidence, m module.Def) (info results.ModuleInfo) {
	name := m.Name
	info = results.ModuleInfo{Name: name, Description: m.Description}
	start := time.Now()
	st := s.state(name)
	w, err := results.NewRecordWriter(s.out, fileName(name), name)
	if err != nil {
		info.Status, info.Error = results.StatusFailed, err.Error()
		return info
	}
	st.mu.Lock()
	st.w = w
	st.mu.Unlock()
	if s.opts.Progress != nil {
		s.opts.Progress.ModuleStarted(name)
	}
	mctx := ctx
	if s.opts.ModuleTimeout > 0 {
		var cancel context.CancelFunc
		mctx, cancel = context.WithTimeout(ctx, s.opts.ModuleTimeout)
		defer cancel()
	}
	env := module.NewEnv(ev, name, s, s.opts.Log).WithContext(mctx)
	// The module runs in its own goroutine so that its time limit holds even
	// when it blocks where no context reaches (inside one step of a SQLite
	// query, a read the system does not interrupt). Go cannot stop a
	// goroutine: one that overruns by more than stopGrace is left behind,
	// its later output dropped, and the run goes on; it ends with the
	// process.
	done := make(chan error, 1)
	go func() {
		var err error
		defer func() {
			// A crafted file must never take the whole run down: a panic in
			// one module is that module's failure, reported with where it
			// happened.
			if r := recover(); r != nil {
				s.opts.Log.Error("module panicked", "module", name, "panic", r, "stack", string(debug.Stack()))
				err = fmt.Errorf("internal error while parsing (please report): %v", r)
			}
			done <- err
		}()
		err = m.Run(mctx, env)
	}()
	var runErr error
	select {
	case runErr = <-done:
	case <-mctx.Done():
		select {
		case runErr = <-done:
		case <-time.After(stopGrace):
			runErr = fmt.Errorf("%w; the module did not stop and was left behind (its records so far are kept)", context.Cause(mctx))
			s.opts.Log.Error("module left behind at its time limit", "module", name)
		}
	}
	// From here on nothing the module sends is taken (see Record).
	if cerr := st.closeWriter(); cerr != nil && runErr == nil {
		runErr = cerr
	}
	s.fill(&info)
	switch {
	case runErr != nil && errors.Is(runErr, module.ErrAbsent):
		info.Status = results.StatusAbsent
		info.Error = strings.TrimPrefix(runErr.Error(), module.ErrAbsent.Error()+": ")
		switch {
		case info.Records > 0:
			info.Status = results.StatusParsed
		case len(info.Gaps) > 0:
			// Not found, but part of where it would be could not be read
			// (an unreadable folder): not "absent".
			info.Status = results.StatusUnreadable
		}
	case runErr != nil && evfile.OnlyEmpty(runErr):
		// Every file it found was empty (0 bytes): nothing read, nothing
		// failed; each file is a part not checked (coverage.Empty).
		info.Status = results.StatusEmpty
		if info.Records > 0 {
			info.Status = results.StatusParsed
		}
		info.Warnings = append(info.Warnings, runErr.Error())
		if !hasGapCause(info.Gaps, coverage.Empty) {
			info.Gaps = append(info.Gaps, coverage.Gap{Part: name, Cause: coverage.Empty, Detail: runErr.Error()})
		}
	case runErr != nil && ctx.Err() != nil:
		// The run was interrupted: the module stopped because it was told
		// to, not because of its input.
		info.Status, info.Error = results.StatusInterrupted, "stopped by the interruption"
	case runErr != nil:
		info.Status, info.Error = results.StatusFailed, runErr.Error()
		if errors.Is(runErr, context.DeadlineExceeded) {
			info.Error = fmt.Sprintf("stopped after %s (module time limit): %v", s.opts.ModuleTimeout, runErr)
			info.Gaps = append(info.Gaps, coverage.Gap{Part: name, Cause: coverage.TimedOut, Detail: fmt.Sprintf("after %s, with %d records read", s.opts.ModuleTimeout, info.Records)})
		}
	case info.Records == 0 && len(info.Gaps) > 0 && allCause(info.Gaps, coverage.Empty):
		// It found its files and they were all empty: said by the gaps.
		info.Status = results.StatusEmpty
	case info.Records == 0 && (len(info.Gaps) > 0 || len(info.Artifacts) > 0 && len(info.Warnings) > 0):
		// It found its files and read nothing from them: not "empty".
		info.Status = results.StatusUnreadable
	case info.Records == 0:
		info.Status = results.StatusEmpty
	default:
		info.Status = results.StatusParsed
	}
	info.DurationMS = time.Since(start).Milliseconds()
	if info.Status == results.StatusAbsent {
		// No output file for a module that had nothing to read, so the
		// results folder lists only what was actually parsed.
		s.out.Remove(fileName(name))
	}
	if s.opts.Progress != nil && !s.isClosed() {
		s.opts.Progress.ModuleDone(info)
	}
	return info
}

func (s *sink) isClosed() bool {
	s.gate.RLock()
	defer s.gate.RUnlock()
	return s.closed
}

// fileName maps a module name to its results file.
func fileName(module string) string { return module + ".json" }

func (s *sink) Record(name string, r *model.Record) {
	s.gate.RLock()
	defer s.gate.RUnlock()
	if s.closed {
		return
	}
	st := s.state(name)
	var worst *model.Severity
	var dets []model.Detection
	if s.opts.Matcher != nil {
		dets = MatchRecord(s.opts.Matcher, r)
		for i := range dets {
			if worst == nil || dets[i].Severity > *worst {
				sv := dets[i].Severity
				worst = &sv
			}
		}
	}
	evs := r.Events()
	for i := range evs {
		evs[i].Severity = worst
	}
	st.mu.Lock()
	if st.closed {
		// The module was left behind at its time limit (or has returned):
		// what it still sends is dropped, timeline and findings included.
		st.mu.Unlock()
		return
	}
	if len(r.RawTimes) > 0 {
		if st.rawTimes == 0 {
			st.firstRaw = r.RawTimes[0]
		}
		st.rawTimes += len(r.RawTimes)
	}
	s.tl.Add(evs...)
	st.w.Write(r)
	st.records++
	n := st.records
	if len(dets) > 0 {
		s.mu.Lock()
		s.detections = append(s.detections, dets...)
		s.mu.Unlock()
	}
	st.mu.Unlock()
	if s.opts.Progress != nil && n%5000 == 0 {
		s.opts.Progress.Records(name, n)
	}
}

func (s *sink) Detection(name string, d model.Detection) {
	s.gate.RLock()
	defer s.gate.RUnlock()
	if s.closed {
		return
	}
	st := s.state(name)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed && st.w != nil {
		return // left behind at its time limit
	}
	s.mu.Lock()
	s.detections = append(s.detections, d)
	s.mu.Unlock()
}

func (s *sink) Warn(name, msg string) {
	st := s.state(name)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.warnings = appendCapped(st.warnings, msg, "further warnings omitted")
}

// Gap records a part the module could not check (module.GapSink).
func (s *sink) Gap(name string, g coverage.Gap) {
	st := s.state(name)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.gaps = appendCapped(st.gaps, g, coverage.Gap{Part: name, Cause: coverage.NotChecked, Detail: "further gaps omitted"})
}

// appendCapped appends v while list holds fewer than maxWarnings entries,
// then once the entry that says the rest were omitted, then nothing.
func appendCapped[T any](list []T, v, omitted T) []T {
	switch {
	case len(list) < maxWarnings:
		return append(list, v)
	case len(list) == maxWarnings:
		return append(list, omitted)
	}
	return list
}

func (s *sink) Artifact(name, artifact string) {
	st := s.state(name)
	st.mu.Lock()
	st.artifacts[artifact] = true
	st.mu.Unlock()
}

func hasGapCause(gs []coverage.Gap, c coverage.Cause) bool {
	for _, g := range gs {
		if g.Cause == c {
			return true
		}
	}
	return false
}

func allCause(gs []coverage.Gap, c coverage.Cause) bool {
	for _, g := range gs {
		if g.Cause != c {
			return false
		}
	}
	return true
}

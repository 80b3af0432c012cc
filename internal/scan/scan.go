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
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/huella-project/huella/internal/detect"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
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
	Modules       []module.Module // already filtered to the evidence kind
	Skipped       []module.Module // deselected by the user; listed in coverage
	Matcher       Matcher         // nil: no indicators loaded
	OutDir        string
	Workers       int           // 0: GOMAXPROCS
	ModuleTimeout time.Duration // 0: none
	Log           *slog.Logger
	Progress      Progress
	Correlate     Correlator
	// Carry are findings kept from an earlier run (check-iocs keeps the
	// heuristic findings, which do not depend on indicators).
	Carry []model.Detection
}

// Result is what a run produced; info.json is assembled from it by the caller.
type Result struct {
	Modules    []results.ModuleInfo
	Detections []model.Detection
	Events     int
}

// Run executes the pipeline and writes <module>.json, detections.json,
// timeline.csv and timeline.jsonl into OutDir.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	tmp := o.Evidence.TempDir
	if tmp == "" {
		d, err := os.MkdirTemp("", "huella-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		tmp = d
	}
	tl := timeline.New(tmp)
	defer tl.Close()
	s := &sink{opts: &o, tl: tl, states: map[string]*modState{}}

	infos := make([]results.ModuleInfo, len(o.Modules))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				infos[i] = s.runModule(ctx, o.Modules[i])
			}
		}()
	}
	for i := range o.Modules {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, m := range o.Skipped {
		infos = append(infos, results.ModuleInfo{Name: m.Name(), Description: m.Description(), Status: results.StatusSkipped})
	}
	sort.SliceStable(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })

	dets := append(s.detections, o.Carry...)
	agreeLures(dets)
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
	if err := writeTimeline(o.OutDir, tl, o.Evidence.Device.Location(), observe); err != nil {
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
	results.SortDetections(dets)
	if dets == nil {
		dets = []model.Detection{}
	}
	for i := range infos {
		infos[i].Detections = 0
	}
	byMod := map[string]int{}
	for _, d := range dets {
		byMod[d.Module]++
	}
	for i := range infos {
		infos[i].Detections = byMod[infos[i].Name]
	}

	if err := results.WriteJSON(filepath.Join(o.OutDir, "detections.json"),
		results.Detections{SchemaVersion: model.SchemaVersion, Detections: dets}); err != nil {
		return nil, err
	}
	return &Result{Modules: infos, Detections: dets, Events: tl.Len()}, ctx.Err()
}

// writeTimeline writes timeline.csv and timeline.jsonl in one merge pass
// that also feeds the correlation rules.
func writeTimeline(out string, tl *timeline.Collector, loc *time.Location, observe func(*model.Event)) error {
	open := func(name string) (*os.File, error) {
		return os.OpenFile(filepath.Join(out, name), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	}
	fc, err := open("timeline.csv")
	if err != nil {
		return err
	}
	defer fc.Close()
	fj, err := open("timeline.jsonl")
	if err != nil {
		return err
	}
	defer fj.Close()
	if err := tl.Write(timeline.Writers{CSV: fc, JSONL: fj, Loc: loc, Observe: observe}); err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	return errors.Join(fc.Close(), fj.Close())
}

type modState struct {
	mu        sync.Mutex
	w         *results.RecordWriter
	records   int
	warnings  []string
	artifacts map[string]bool
}

type sink struct {
	opts       *Options
	tl         *timeline.Collector
	mu         sync.Mutex
	states     map[string]*modState
	detections []model.Detection
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

func (s *sink) runModule(ctx context.Context, m module.Module) (info results.ModuleInfo) {
	name := m.Name()
	info = results.ModuleInfo{Name: name, Description: m.Description()}
	start := time.Now()
	st := s.state(name)
	w, err := results.NewRecordWriter(filepath.Join(s.opts.OutDir, fileName(name)), name)
	if err != nil {
		info.Status, info.Error = results.StatusFailed, err.Error()
		return info
	}
	st.w = w
	if s.opts.Progress != nil {
		s.opts.Progress.ModuleStarted(name)
	}
	mctx := ctx
	if s.opts.ModuleTimeout > 0 {
		var cancel context.CancelFunc
		mctx, cancel = context.WithTimeout(ctx, s.opts.ModuleTimeout)
		defer cancel()
	}
	env := module.NewEnv(s.opts.Evidence, name, s, s.opts.Log)
	runErr := func() (err error) {
		// A crafted file must never take the whole run down: a panic in one
		// module is that module's failure, reported with where it happened.
		defer func() {
			if r := recover(); r != nil {
				s.opts.Log.Error("module panicked", "module", name, "panic", r, "stack", string(debug.Stack()))
				err = fmt.Errorf("internal error while parsing (please report): %v", r)
			}
		}()
		return m.Run(mctx, env)
	}()
	if cerr := w.Close(); cerr != nil && runErr == nil {
		runErr = cerr
	}
	st.mu.Lock()
	info.Records = st.records
	info.Warnings = st.warnings
	for a := range st.artifacts {
		info.Artifacts = append(info.Artifacts, a)
	}
	st.mu.Unlock()
	sort.Strings(info.Artifacts)
	switch {
	case runErr != nil && errors.Is(runErr, module.ErrAbsent):
		info.Status = results.StatusAbsent
		info.Error = strings.TrimPrefix(runErr.Error(), module.ErrAbsent.Error()+": ")
		if info.Records > 0 {
			info.Status = results.StatusParsed
		}
	case runErr != nil:
		info.Status, info.Error = results.StatusFailed, runErr.Error()
		if errors.Is(runErr, context.DeadlineExceeded) && ctx.Err() == nil {
			info.Error = fmt.Sprintf("stopped after %s (module time limit): %v", s.opts.ModuleTimeout, runErr)
		}
	case info.Records == 0:
		info.Status = results.StatusEmpty
	default:
		info.Status = results.StatusParsed
	}
	info.DurationMS = time.Since(start).Milliseconds()
	if info.Status == results.StatusAbsent || (info.Status == results.StatusEmpty && len(info.Artifacts) == 0 && info.Records == 0) {
		// No output file for a module that had nothing to read, so the
		// results folder lists only what was actually parsed.
		if info.Status == results.StatusAbsent {
			os.Remove(filepath.Join(s.opts.OutDir, fileName(name)))
		}
	}
	if s.opts.Progress != nil {
		s.opts.Progress.ModuleDone(info)
	}
	return info
}

// fileName maps a module name to its results file.
func fileName(module string) string { return module + ".json" }

func (s *sink) Record(name string, r *model.Record) {
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
	s.tl.Add(evs...)
	st.mu.Lock()
	st.w.Write(r)
	st.records++
	n := st.records
	st.mu.Unlock()
	if len(dets) > 0 {
		s.mu.Lock()
		s.detections = append(s.detections, dets...)
		s.mu.Unlock()
	}
	if s.opts.Progress != nil && n%5000 == 0 {
		s.opts.Progress.Records(name, n)
	}
}

func (s *sink) Detection(name string, d model.Detection) {
	s.mu.Lock()
	s.detections = append(s.detections, d)
	s.mu.Unlock()
}

func (s *sink) Warn(name, msg string) {
	st := s.state(name)
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case len(st.warnings) < maxWarnings:
		st.warnings = append(st.warnings, msg)
	case len(st.warnings) == maxWarnings:
		st.warnings = append(st.warnings, "further warnings omitted")
	}
}

func (s *sink) Artifact(name, artifact string) {
	st := s.state(name)
	st.mu.Lock()
	st.artifacts[artifact] = true
	st.mu.Unlock()
}

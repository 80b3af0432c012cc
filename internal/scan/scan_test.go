package scan

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/timestamp"
)

func fakeModule(name string, run func(ctx context.Context, env *module.Env) error) module.Def {
	return module.Def{Name: name, Description: "test module " + name, Kinds: []source.Kind{source.IOSBackup}, Run: run}
}

// exactMatcher matches domains exactly; enough to test the pipeline's wiring.
type exactMatcher map[string]model.IndicatorRef

func (m exactMatcher) Match(o model.Observable) []model.IndicatorRef {
	if ref, ok := m[o.Value]; ok {
		return []model.IndicatorRef{ref}
	}
	return nil
}

var t0 = time.Date(2016, 6, 1, 12, 0, 0, 0, time.UTC)

func emitN(n int, domain func(i int) string) func(context.Context, *module.Env) error {
	return func(ctx context.Context, env *module.Env) error {
		env.Find("HomeDomain/Library/SMS/sms.db")
		for i := 0; i < n; i++ {
			r := &model.Record{Summary: "message " + domain(i), Source: "HomeDomain/Library/SMS/sms.db"}
			r.Stamp(t0.Add(time.Duration(n-i)*time.Minute), "sms_received")
			r.Add(model.KindDomain, domain(i), "text")
			env.Emit(r)
		}
		return nil
	}
}

func TestRunCoverageDetectionsAndPartialFailure(t *testing.T) {
	out := t.TempDir()
	ev := &source.Evidence{Kind: source.IOSBackup, FS: fstest.MapFS{"HomeDomain/Library/SMS/sms.db": {Data: []byte("x")}}, TempDir: t.TempDir()}
	mods := []module.Def{
		fakeModule("t.ok", emitN(3, func(i int) string { return []string{"a.example", "evil.example", "b.example"}[i] })),
		fakeModule("t.absent", func(context.Context, *module.Env) error { return module.Absent("sms.db") }),
		fakeModule("t.fails", func(ctx context.Context, env *module.Env) error {
			env.Emit(&model.Record{Summary: "kept"})
			return errors.New("row 2: malformed")
		}),
		fakeModule("t.panics", func(context.Context, *module.Env) error { panic("crafted input") }),
		fakeModule("t.empty", func(ctx context.Context, env *module.Env) error {
			env.Warn("table missing a column")
			return nil
		}),
		fakeModule("t.heuristic", func(ctx context.Context, env *module.Env) error {
			r := &model.Record{Summary: "odd"}
			r.Stamp(t0, "seen")
			env.Emit(r)
			env.Detect(model.Detection{Rule: "odd", Severity: model.Medium, Reason: "odd thing", Record: r})
			return nil
		}),
	}
	m := exactMatcher{"evil.example": {Type: "domain-name:value", Value: "evil.example", Campaign: "Pegasus", File: "p.stix2", ID: "indicator--1"}}
	res, err := Run(context.Background(), Options{Evidence: ev, Modules: mods, Matcher: m, OutDir: out, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]results.ModuleInfo{}
	for _, mi := range res.Modules {
		status[mi.Name] = mi
	}
	want := map[string]string{"t.ok": "parsed", "t.absent": "absent", "t.fails": "failed", "t.panics": "failed", "t.empty": "empty", "t.heuristic": "parsed"}
	for name, st := range want {
		if status[name].Status != st {
			t.Errorf("%s: status %q, want %q (%+v)", name, status[name].Status, st, status[name])
		}
	}
	if status["t.fails"].Records != 1 {
		t.Errorf("records read before a failure must be kept, got %d", status["t.fails"].Records)
	}
	if !strings.Contains(status["t.panics"].Error, "crafted input") {
		t.Errorf("panic not reported: %q", status["t.panics"].Error)
	}
	if len(status["t.empty"].Warnings) != 1 {
		t.Errorf("warning lost: %+v", status["t.empty"])
	}
	if got := status["t.ok"].Artifacts; len(got) != 1 {
		t.Errorf("artifacts: %v", got)
	}
	if len(res.Detections) != 2 {
		t.Fatalf("detections: %+v", res.Detections)
	}
	if d := res.Detections[0]; d.Kind != model.ByIndicator || d.Indicator.Campaign != "Pegasus" || d.Severity != model.High || d.Module != "t.ok" {
		t.Errorf("first detection should be the indicator match: %+v", d)
	}
	if _, err := os.Stat(filepath.Join(out, "t.absent.json")); !os.IsNotExist(err) {
		t.Errorf("an absent module should leave no file")
	}
	var recs []model.Record
	if _, err := results.ReadModuleRecords(filepath.Join(out, "t.ok.json"), func(r model.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1].Observables[0].Value != "evil.example" || recs[1].Module != "t.ok" {
		t.Errorf("records round trip: %+v", recs)
	}
	var dj results.Detections
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &dj); err != nil || len(dj.Detections) != 2 || dj.SchemaVersion != model.SchemaVersion {
		t.Errorf("detections.json: %v %+v", err, dj)
	}
	f, _ := os.Open(filepath.Join(out, "timeline.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// 3 + 1 record events + 1 heuristic finding event, plus the header.
	if len(rows) != 6 {
		t.Fatalf("timeline rows: %d %v", len(rows), rows)
	}
	for i := 2; i < len(rows); i++ {
		if rows[i][0] < rows[i-1][0] {
			t.Errorf("timeline not sorted at %d: %v", i, rows)
		}
	}
	sev := 0
	for _, r := range rows[1:] {
		if r[6] == "high" && strings.Contains(r[4], "evil.example") {
			sev++
		}
	}
	if sev != 1 {
		t.Errorf("the matched record's event should carry its severity: %v", rows)
	}
}

func TestTimelineSpillMergesInOrder(t *testing.T) {
	out := t.TempDir()
	ev := &source.Evidence{Kind: source.IOSBackup, FS: fstest.MapFS{}, TempDir: t.TempDir()}
	mods := []module.Def{
		fakeModule("t.a", emitN(50, func(i int) string { return "a" })),
		fakeModule("t.b", emitN(33, func(i int) string { return "b" })),
	}
	res, err := Run(context.Background(), Options{Evidence: ev, Modules: mods, OutDir: out, TimelineChunk: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 83 {
		t.Fatalf("events %d", res.Events)
	}
	b, _ := os.ReadFile(filepath.Join(out, "timeline.jsonl"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 83 {
		t.Fatalf("jsonl lines %d", len(lines))
	}
	prev := ""
	for _, l := range lines {
		i := strings.Index(l, `"datetime":"`)
		d := l[i+12 : i+32]
		if d < prev {
			t.Fatalf("not sorted: %s after %s", d, prev)
		}
		prev = d
	}
	left, _ := filepath.Glob(filepath.Join(ev.TempDir, "timeline-*"))
	if len(left) != 0 {
		t.Errorf("spilled chunks left behind: %v", left)
	}
}

func TestModuleTimeout(t *testing.T) {
	ev := &source.Evidence{Kind: source.IOSBackup, FS: fstest.MapFS{}, TempDir: t.TempDir()}
	slow := fakeModule("t.slow", func(ctx context.Context, env *module.Env) error {
		<-ctx.Done()
		return ctx.Err()
	})
	res, err := Run(context.Background(), Options{Evidence: ev, Modules: []module.Def{slow}, OutDir: t.TempDir(), ModuleTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Modules[0].Status != results.StatusFailed || !strings.Contains(res.Modules[0].Error, "time limit") {
		t.Errorf("%+v", res.Modules[0])
	}
}

// TestInterruptLeavesBlockedModulesBehind: a cancelled run stops starting
// modules, waits at most StopGrace for a module stuck in a read that
// ignores its context, and returns what ran with every results file
// complete (valid JSON), so the interrupted info.json can be written and
// the temporary files removed whatever the stuck goroutine does.
func TestInterruptLeavesBlockedModulesBehind(t *testing.T) {
	out := t.TempDir()
	ev := &source.Evidence{Kind: source.IOSBackup, FS: fstest.MapFS{}, TempDir: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	stuck := fakeModule("t.stuck", func(_ context.Context, env *module.Env) error {
		env.Emit(&model.Record{Summary: "before the block"})
		close(started)
		<-release // a read that never returns and ignores ctx
		env.Emit(&model.Record{Summary: "after the run moved on"})
		env.Detect(model.Detection{Severity: model.Critical, Reason: "late"})
		return nil
	})
	polite := fakeModule("t.polite", func(ctx context.Context, env *module.Env) error {
		env.Emit(&model.Record{Summary: "one"})
		<-ctx.Done()
		return ctx.Err()
	})
	var mods []module.Def
	mods = append(mods, stuck, polite)
	for _, n := range []string{"t.c", "t.d", "t.e"} {
		mods = append(mods, fakeModule(n, emitN(1, func(int) string { return "x.example" })))
	}
	go func() { <-started; time.Sleep(20 * time.Millisecond); cancel() }()
	t0 := time.Now()
	res, err := Run(ctx, Options{Evidence: ev, Modules: mods, OutDir: out, Workers: 2, StopGrace: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Errorf("took %s to stop", d)
	}
	if !res.Interrupted {
		t.Fatal("not marked interrupted")
	}
	byName := map[string]results.ModuleInfo{}
	for _, m := range res.Modules {
		byName[m.Name] = m
	}
	if m := byName["t.stuck"]; m.Status != results.StatusInterrupted || m.Records != 1 || !strings.Contains(m.Error, "left behind") {
		t.Errorf("stuck module: %+v", m)
	}
	if m := byName["t.polite"]; m.Status != results.StatusInterrupted || m.Records != 1 {
		t.Errorf("module that stopped: %+v", m)
	}
	for _, n := range []string{"t.c", "t.d", "t.e"} {
		if m := byName[n]; m.Status != results.StatusInterrupted && m.Status != results.StatusParsed {
			t.Errorf("%s: %+v", n, m)
		}
	}
	if len(res.Modules) != len(mods) {
		t.Errorf("%d modules in coverage, want %d", len(res.Modules), len(mods))
	}
	// Files are complete; the stuck module's own lists its record so far.
	var mf results.ModuleFile
	if err := results.ReadJSON(filepath.Join(out, "t.stuck.json"), &mf); err != nil || len(mf.Records) != 1 {
		t.Errorf("t.stuck.json: %v %+v", err, mf)
	}
	var dets results.Detections
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &dets); err != nil {
		t.Error(err)
	}
	// Nothing the stuck module does afterwards reaches the results.
	release <- struct{}{}
	time.Sleep(50 * time.Millisecond)
	if err := results.ReadJSON(filepath.Join(out, "t.stuck.json"), &mf); err != nil || len(mf.Records) != 1 {
		t.Errorf("t.stuck.json changed after the run: %v %d records", err, len(mf.Records))
	}
	if len(res.Detections) != 0 {
		t.Errorf("late detection reached the run: %+v", res.Detections)
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestUnreadableIsNotEmpty: a module that found its files and could read
// none of them is "unreadable", with a gap per file, never "empty".
func TestUnreadableIsNotEmpty(t *testing.T) {
	ev := &source.Evidence{Kind: source.IOSBackup, FS: fstest.MapFS{"p1": {Data: []byte("x")}, "p2": {Data: []byte("y")}}, TempDir: t.TempDir()}
	mods := []module.Def{
		fakeModule("t.explicit", func(_ context.Context, env *module.Env) error {
			for _, f := range env.Find("p1", "p2") {
				env.Unreadable(f, errors.New("not a plist"))
			}
			return nil
		}),
		fakeModule("t.warned", func(_ context.Context, env *module.Env) error {
			env.Find("p1")
			env.Warn("p1: truncated")
			return nil
		}),
		fakeModule("t.empty", func(_ context.Context, env *module.Env) error {
			env.Find("p1")
			return nil
		}),
		fakeModule("t.partly", func(_ context.Context, env *module.Env) error {
			env.Find("p1", "p2")
			env.Emit(&model.Record{Summary: "p1 read"})
			env.Unreadable("p2", errors.New("bad"))
			return nil
		}),
	}
	res, err := Run(context.Background(), Options{Evidence: ev, Modules: mods, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		status string
		gaps   int
	}{
		"t.explicit": {results.StatusUnreadable, 2},
		"t.warned":   {results.StatusUnreadable, 0},
		"t.empty":    {results.StatusEmpty, 0},
		"t.partly":   {results.StatusParsed, 1},
	}
	for _, m := range res.Modules {
		if w := want[m.Name]; m.Status != w.status || len(m.Gaps) != w.gaps {
			t.Errorf("%s: status %s with %d gaps, want %s with %d", m.Name, m.Status, len(m.Gaps), w.status, w.gaps)
		}
	}
}

// TestBlockedModuleIsLeftBehindAtItsTimeLimit: a module stuck where no
// context reaches (here, a channel nobody writes to) fails at its own time
// limit and the run goes on to the next module; what it sends afterwards is
// dropped (no record, finding or timeline event, no race).
func TestBlockedModuleIsLeftBehindAtItsTimeLimit(t *testing.T) {
	ev := &source.Evidence{Kind: source.IOSBackup, FS: fstest.MapFS{}, TempDir: t.TempDir()}
	release := make(chan struct{})
	var late sync.WaitGroup
	late.Add(1)
	stuck := fakeModule("t.stuck", func(ctx context.Context, env *module.Env) error {
		defer late.Done()
		env.Emit(&model.Record{Summary: "before"})
		<-release // ignores ctx
		r := &model.Record{Summary: "after"}
		r.Stamp(t0, "late")
		env.Emit(r)
		env.Detect(model.Detection{Rule: "late", Record: r})
		return nil
	})
	fine := fakeModule("t.fine", emitN(2, func(int) string { return "x.example" }))
	start := time.Now()
	res, err := Run(context.Background(), Options{Evidence: ev, Modules: []module.Def{stuck, fine}, OutDir: t.TempDir(), ModuleTimeout: 100 * time.Millisecond, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("Run returned after %v", el)
	}
	by := map[string]results.ModuleInfo{}
	for _, m := range res.Modules {
		by[m.Name] = m
	}
	if st := by["t.stuck"]; st.Status != results.StatusFailed || !strings.Contains(st.Error, "time limit") || !strings.Contains(st.Error, "left behind") || st.Records != 1 {
		t.Errorf("stuck module: %+v", st)
	}
	if by["t.fine"].Status != results.StatusParsed {
		t.Errorf("the next module did not run: %+v", by["t.fine"])
	}
	close(release)
	late.Wait()
	if res.Events != 2 || len(res.Detections) != 0 {
		t.Errorf("late output taken: %d events, %d findings", res.Events, len(res.Detections))
	}
}

// TestImpossibleDatesWarnOnce: records whose dates could not be placed keep
// them raw in <module>.json, stay off the timeline, and the module reports
// one warning with the count, however many rows there are.
func TestImpossibleDatesWarnOnce(t *testing.T) {
	out := t.TempDir()
	ev := &source.Evidence{Kind: source.IOSBackup, FS: fstest.MapFS{}, TempDir: t.TempDir()}
	mods := []module.Def{fakeModule("t.dates", func(ctx context.Context, env *module.Env) error {
		for i := range 500 {
			r := &model.Record{Summary: "message"}
			at, err := timestamp.Apple(9.5e9 + float64(i))
			r.StampChecked(at, err, "sms_received")
			env.Emit(r)
		}
		ok := &model.Record{Summary: "fine"}
		ok.Stamp(t0, "seen")
		env.Emit(ok)
		return nil
	})}
	res, err := Run(context.Background(), Options{Evidence: ev, Modules: mods, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	w := res.Modules[0].Warnings
	if len(w) != 1 || !strings.Contains(w[0], "500 date(s)") || !strings.Contains(w[0], "9.5e+09") {
		t.Fatalf("warnings %q", w)
	}
	if res.Events != 1 {
		t.Errorf("%d timeline events, want 1", res.Events)
	}
	var raw int
	if _, err := results.ReadModuleRecords(filepath.Join(out, "t.dates.json"), func(r model.Record) error { raw += len(r.RawTimes); return nil }); err != nil {
		t.Fatal(err)
	}
	if raw != 500 {
		t.Errorf("%d raw times read back, want 500", raw)
	}
}

// A module's warnings and gaps stop at maxWarnings, then one entry says the
// rest were omitted, then nothing more is kept.
func TestAppendCapped(t *testing.T) {
	for _, tt := range []struct{ calls, wantLen int }{
		{0, 0}, {1, 1}, {maxWarnings, maxWarnings}, {maxWarnings + 1, maxWarnings + 1}, {maxWarnings + 100, maxWarnings + 1},
	} {
		var list []string
		for i := 0; i < tt.calls; i++ {
			list = appendCapped(list, "w", "omitted")
		}
		if len(list) != tt.wantLen {
			t.Errorf("%d calls: %d entries, want %d", tt.calls, len(list), tt.wantLen)
		}
		for i, v := range list {
			if want := map[bool]string{true: "omitted", false: "w"}[i == maxWarnings]; v != want {
				t.Errorf("%d calls: entry %d is %q, want %q", tt.calls, i, v, want)
			}
		}
	}
}

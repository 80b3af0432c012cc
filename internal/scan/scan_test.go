package scan

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/timeline"
	"github.com/huella-project/huella/internal/timestamp"
)

type fakeModule struct {
	name string
	run  func(ctx context.Context, env *module.Env) error
}

func (f fakeModule) Name() string                                   { return f.name }
func (f fakeModule) Description() string                            { return "test module " + f.name }
func (f fakeModule) Kinds() []source.Kind                           { return []source.Kind{source.IOSBackup} }
func (f fakeModule) Run(ctx context.Context, env *module.Env) error { return f.run(ctx, env) }

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
	mods := []module.Module{
		fakeModule{"t.ok", emitN(3, func(i int) string { return []string{"a.example", "evil.example", "b.example"}[i] })},
		fakeModule{"t.absent", func(context.Context, *module.Env) error { return module.Absent("sms.db") }},
		fakeModule{"t.fails", func(ctx context.Context, env *module.Env) error {
			env.Emit(&model.Record{Summary: "kept"})
			return errors.New("row 2: malformed")
		}},
		fakeModule{"t.panics", func(context.Context, *module.Env) error { panic("crafted input") }},
		fakeModule{"t.empty", func(ctx context.Context, env *module.Env) error {
			env.Warn("table missing a column")
			return nil
		}},
		fakeModule{"t.heuristic", func(ctx context.Context, env *module.Env) error {
			r := &model.Record{Summary: "odd"}
			r.Stamp(t0, "seen")
			env.Emit(r)
			env.Detect(model.Detection{Rule: "odd", Severity: model.Medium, Reason: "odd thing", Record: r})
			return nil
		}},
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
	old := timeline.ChunkSize
	timeline.ChunkSize = 7
	defer func() { timeline.ChunkSize = old }()
	out := t.TempDir()
	ev := &source.Evidence{Kind: source.IOSBackup, FS: fstest.MapFS{}, TempDir: t.TempDir()}
	mods := []module.Module{
		fakeModule{"t.a", emitN(50, func(i int) string { return "a" })},
		fakeModule{"t.b", emitN(33, func(i int) string { return "b" })},
	}
	res, err := Run(context.Background(), Options{Evidence: ev, Modules: mods, OutDir: out})
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
	slow := fakeModule{"t.slow", func(ctx context.Context, env *module.Env) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	res, err := Run(context.Background(), Options{Evidence: ev, Modules: []module.Module{slow}, OutDir: t.TempDir(), ModuleTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Modules[0].Status != results.StatusFailed || !strings.Contains(res.Modules[0].Error, "time limit") {
		t.Errorf("%+v", res.Modules[0])
	}
}

// TestImpossibleDatesWarnOnce: records whose dates could not be placed keep
// them raw in <module>.json, stay off the timeline, and the module reports
// one warning with the count, however many rows there are.
func TestImpossibleDatesWarnOnce(t *testing.T) {
	out := t.TempDir()
	ev := &source.Evidence{Kind: source.IOSBackup, FS: fstest.MapFS{}, TempDir: t.TempDir()}
	mods := []module.Module{fakeModule{"t.dates", func(ctx context.Context, env *module.Env) error {
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
	}}}
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

package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadEventsHostile(t *testing.T) {
	long := `{"message":"` + strings.Repeat("A", 2<<20) + `","datetime":"2024-01-01T00:00:00Z","module":"m"}`
	cases := []struct {
		name                     string
		body                     string
		total, skipped, embedded int
	}{
		{"good and bad lines", `{"message":"a","datetime":"2024-01-01T00:00:00Z","timestamp_desc":"x","module":"m"}
not json
{"message":"b","datetime":"yesterday","module":"m"}

{"message":"c","datetime":"2024-01-02T00:00:00Z","module":"n","severity":"high"}`, 2, 2, 2},
		{"over-long line is skipped, not read", long + "\n" + `{"message":"ok","datetime":"2024-01-01T00:00:00Z","module":"m"}`, 1, 1, 1},
		{"no final newline", `{"message":"a","datetime":"2024-01-01T00:00:00Z","module":"m"}`, 1, 0, 1},
		{"empty", ``, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "timeline.jsonl")
			os.WriteFile(p, []byte(c.body), 0o600)
			var info TimelineInfo
			ev, err := readEvents(p, &info, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if info.Total != c.total || info.Skipped != c.skipped || len(ev.T) != c.embedded {
				t.Errorf("total %d skipped %d embedded %d; want %d %d %d", info.Total, info.Skipped, len(ev.T), c.total, c.skipped, c.embedded)
			}
		})
	}
	t.Run("cap on embedded events is announced", func(t *testing.T) {
		sc := noneScenario()
		for i := 0; i < 3; i++ {
			sc.events = append(sc.events, sc.events[0])
		}
		d, err := BuildData(writeResults(t, sc), Options{Lang: "en", Now: fixedNow, MaxEvents: 3})
		if err != nil {
			t.Fatal(err)
		}
		// The page shows part of the timeline; the check itself read all of
		// it, so the verdict (the outcome's) stays what the console said.
		if !d.Timeline.Truncated || d.Timeline.Total != 5 || d.Timeline.Embedded != 3 || d.Verdict.Level != "none" {
			t.Errorf("timeline %+v verdict %s", d.Timeline, d.Verdict.Level)
		}
		if !containsAll(d.Verdict.Notes, "only the first 3") {
			t.Errorf("notes %q", d.Verdict.Notes)
		}
	})
	t.Run("missing timeline", func(t *testing.T) {
		var info TimelineInfo
		ev, err := readEvents(filepath.Join(t.TempDir(), "nope.jsonl"), &info, nil, nil)
		if err != nil || !info.Missing || len(ev.T) != 0 {
			t.Errorf("got %v %+v", err, info)
		}
	})
	t.Run("summaries are clipped on a rune boundary", func(t *testing.T) {
		s := strings.Repeat("é", 300)
		c := clip(s, maxSummaryBytes)
		if len(c) > maxSummaryBytes+len("…") || !strings.HasSuffix(c, "…") || strings.ContainsRune(c, '\uFFFD') {
			t.Errorf("clip gave %d bytes: %q", len(c), c[len(c)-8:])
		}
	})
}

func TestBuildDataErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := BuildData(dir, Options{}); err == nil || !strings.Contains(err.Error(), "info.json") {
		t.Errorf("missing info.json: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "info.json"), []byte(`{"schema_version":1}`), 0o600)
	os.WriteFile(filepath.Join(dir, "detections.json"), []byte(`{"detections":[{"severity":"apocalyptic"}]}`), 0o600)
	if _, err := BuildData(dir, Options{}); err == nil || !strings.Contains(err.Error(), "detections.json") {
		t.Errorf("bad detections.json: %v", err)
	}
}

// FuzzTimeline feeds arbitrary timeline.jsonl bytes through reading and
// rendering: no panic, and no raw '<' from the data inside a data element.
func FuzzTimeline(f *testing.F) {
	f.Add([]byte(`{"message":"<script>alert(1)</script>","datetime":"2024-01-01T00:00:00Z","timestamp_desc":"x","module":"m","severity":"critical"}`))
	f.Add([]byte("{\"message\":\"\u2028</script><!--\",\"datetime\":\"2024-01-01T00:00:00.123456789+02:00\",\"module\":\"\\u003c\"}\n\n{"))
	f.Add([]byte(`{"datetime":"0001-01-01T00:00:00Z"}` + "\n" + `{"datetime":"9999-12-31T23:59:59Z","severity":"x"}`))
	base := writeResults(f, noneScenario())
	info, _ := os.ReadFile(filepath.Join(base, "info.json"))
	dets, _ := os.ReadFile(filepath.Join(base, "detections.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "info.json"), info, 0o600)
		os.WriteFile(filepath.Join(dir, "detections.json"), dets, 0o600)
		os.WriteFile(filepath.Join(dir, "timeline.jsonl"), data, 0o600)
		d, err := BuildData(dir, Options{Now: fixedNow})
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Render(&out, d); err != nil {
			t.Fatal(err)
		}
		page := out.String()
		for _, part := range strings.Split(page, `class="ev-part"`)[1:] {
			body := part[strings.Index(part, ">")+1 : strings.Index(part, "</script>")]
			if strings.Contains(body, "<") {
				t.Fatalf("raw '<' inside embedded data: %q", body)
			}
		}
	})
}

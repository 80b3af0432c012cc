package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/timeline"
)

// fromPass builds the report the way check does: the events go through the
// pipeline's merge pass (a timeline.Collector feeding its Batches
// consumer), as they did when timeline.jsonl was written.
func fromPass(t *testing.T, sc scenario, dir, lang string) *Data {
	t.Helper()
	tl, err := NewTimeline(lang, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	c := timeline.New(t.TempDir(), 0)
	defer c.Close()
	c.Add(sc.events...)
	tl.Begin(sc.dets)
	if err := c.Write(timeline.Writers{Batches: tl.Events}); err != nil {
		t.Fatal(err)
	}
	d, err := BuildDataFrom(dir, Options{Lang: lang, Now: fixedNow}, tl)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func page(t *testing.T, d *Data) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The report a check builds from its own merge pass is the report 'huella
// report' builds from timeline.jsonl: the same data and the same page, in
// English and in Spanish (whose event texts are translated).
func TestTimelineFromThePassEqualsTimelineJSONL(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		for name, sc := range map[string]scenario{"findings": findingsScenario(), "none": noneScenario()} {
			t.Run(lang+"/"+name, func(t *testing.T) {
				dir := writeResults(t, sc)
				read, err := BuildData(dir, Options{Lang: lang, Now: fixedNow})
				if err != nil {
					t.Fatal(err)
				}
				passed := fromPass(t, sc, dir, lang)
				a, _ := json.Marshal(read)
				b, _ := json.Marshal(passed)
				if !bytes.Equal(a, b) {
					t.Errorf("data differ:\n%s\n%s", a, b)
				}
				if !bytes.Equal(page(t, read), page(t, passed)) {
					t.Error("pages differ")
				}
				if fmt.Sprint(read.Untranslated()) != fmt.Sprint(passed.Untranslated()) {
					t.Errorf("untranslated %q vs %q", read.Untranslated(), passed.Untranslated())
				}
			})
		}
	}
}

var partRE = regexp.MustCompile(`<script type="application/json" class="ev-part" data-k="([a-z]+)">(.*?)</script>`)

// decodeEvents reads the page's timeline back, one tuple per event, the
// way its script does (parts of a column joined, indexes into the
// dictionaries resolved).
func decodeEvents(t *testing.T, html []byte) []string {
	t.Helper()
	cols := map[string][]json.RawMessage{}
	for _, m := range partRE.FindAllSubmatch(html, -1) {
		var part []json.RawMessage
		if err := json.Unmarshal(m[2], &part); err != nil {
			t.Fatalf("part %s: %v", m[1], err)
		}
		cols[string(m[1])] = append(cols[string(m[1])], part...)
	}
	str := func(k string, i json.RawMessage) string {
		var n int
		json.Unmarshal(i, &n)
		var s string
		json.Unmarshal(cols[k][n], &s)
		return s
	}
	var out []string
	for i := range cols["t"] {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%s", cols["t"][i], str("mods", cols["m"][i]), cols["s"][i],
			str("descs", cols["d"][i]), str("texts", cols["x"][i]), str("sources", cols["r"][i])))
	}
	return out
}

// Past its memory bounds the timeline spills: strings already encoded,
// numbers as fixed rows, no reuse past the dictionary's size. The page
// still shows every event with the same time, module, severity, name,
// text and source, and the spill files are gone once it is written.
func TestTimelineSpillsAndReadsBack(t *testing.T) {
	sc := noneScenario()
	base := sc.events[0]
	for i := 0; i < 500; i++ {
		e := base
		e.Time = e.Time.Add(time.Duration(i) * time.Second)
		e.Summary = fmt.Sprintf("file /private/var/mobile/x%03d <b>&", i%137)
		e.Source = fmt.Sprintf("private/var/mobile/x%03d", i%91)
		if i%50 == 0 {
			sev := model.High
			e.Severity = &sev
		}
		sc.events = append(sc.events, e)
	}
	dir := writeResults(t, sc)
	want := decodeEvents(t, page(t, build(t, sc, "en")))
	if len(want) != len(sc.events) {
		t.Fatalf("reference page holds %d events of %d", len(want), len(sc.events))
	}
	tmp := t.TempDir()
	tl, err := newTimeline("en", tmp, limits{memRows: 7, dictBytes: 300, dictEntries: 20})
	if err != nil {
		t.Fatal(err)
	}
	c := timeline.New(t.TempDir(), 0)
	defer c.Close()
	c.Add(sc.events...)
	tl.Begin(sc.dets)
	if err := c.Write(timeline.Writers{Batches: tl.Events}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFrom(dir, Options{Lang: "en", Now: fixedNow, TempDir: tmp}, tl); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	got := decodeEvents(t, html)
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d: %s, want %s", i, got[i], want[i])
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("spill files left: %v", ents)
	}
	// The reading path spills the same way.
	d, err := BuildData(dir, Options{Lang: "en", Now: fixedNow, TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeEvents(t, page(t, d)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Error("the page read back from timeline.jsonl with spills differs")
	}
	d.Events.close()
}

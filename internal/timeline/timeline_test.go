package timeline

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/model"
)

var base = time.Date(2016, 8, 10, 9, 0, 0, 123, time.UTC)

func TestCodecRoundTrip(t *testing.T) {
	sev := model.Critical
	cases := []model.Event{
		{Time: base, Module: "ios.sms", Desc: "sms_received", Summary: "hola\nmundo", Source: "HomeDomain/Library/SMS/sms.db", Severity: &sev, Hosts: []string{"a.example", "b.example"}, Processes: []string{"bh"}},
		{Time: base.Add(-time.Hour * 24 * 365 * 40), Module: "m", Desc: "", Summary: ""},
	}
	for _, e := range cases {
		b := appendEvent(nil, &e)
		var got model.Event
		if err := readEvent(bufio.NewReader(bytes.NewReader(b)), &got); err != nil {
			t.Fatal(err)
		}
		if !got.Time.Equal(e.Time) || got.Module != e.Module || got.Summary != e.Summary || got.Source != e.Source ||
			strings.Join(got.Hosts, ",") != strings.Join(e.Hosts, ",") || strings.Join(got.Processes, ",") != strings.Join(e.Processes, ",") ||
			(e.Severity == nil) != (got.Severity == nil) || (e.Severity != nil && *e.Severity != *got.Severity) {
			t.Errorf("round trip: %+v != %+v", got, e)
		}
		// Every truncation of a record is an error, never a panic or a silent event.
		for i := 1; i < len(b); i++ {
			var x model.Event
			if err := readEvent(bufio.NewReader(bytes.NewReader(b[:i])), &x); err == nil {
				t.Fatalf("truncated at %d of %d accepted", i, len(b))
			}
		}
	}
}

func TestJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "ctl \x00\x01\x1f\x7f", "tab\tnl\ncr\r", "ñandú 日本 🙂", "bad \xff\xfe utf8", "line\u2028sep\u2029", "<script>alert(1)</script>"} {
		b := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q: invalid JSON %s: %v", s, b, err)
		}
		ref, _ := json.Marshal(s)
		var want string
		json.Unmarshal(ref, &want)
		if back != want {
			t.Errorf("%q: decoded %q, want %q", s, back, want)
		}
	}
}

func FuzzJSONString(f *testing.F) {
	f.Add("hola \"mundo\"\n")
	f.Add("\xff\u2028")
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		if !utf8.Valid(b) || !json.Valid(b) {
			t.Fatalf("invalid: %q", b)
		}
		var back string
		if err := json.Unmarshal(b, &back); err != nil || (utf8.ValidString(s) && back != s) {
			t.Fatalf("round trip %q -> %q (%v)", s, back, err)
		}
	})
}

func TestOnePassFeedsEveryConsumer(t *testing.T) {
	old := ChunkSize
	ChunkSize = 10
	defer func() { ChunkSize = old }()
	c := New(t.TempDir())
	defer c.Close()
	const n = 95
	for i := n; i > 0; i-- {
		c.Add(model.Event{Time: base.Add(time.Duration(i*7%n) * time.Second), Module: "m", Desc: "d", Summary: "=cmd|' /C calc'!A0 " + strings.Repeat("x", i)})
	}
	c.Add(model.Event{Module: "zero time is dropped"})
	var csvb, jsonb bytes.Buffer
	var seen []time.Time
	loc, _ := time.LoadLocation("America/Mexico_City")
	if err := c.Write(Writers{CSV: &csvb, JSONL: &jsonb, Loc: loc, Observe: func(e *model.Event) { seen = append(seen, e.Time) }}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("observed %d", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Before(seen[i-1]) {
			t.Fatal("observer not in time order")
		}
	}
	rows, err := csv.NewReader(&csvb).ReadAll()
	if err != nil || len(rows) != n+1 {
		t.Fatalf("csv rows %d %v", len(rows), err)
	}
	if !strings.HasPrefix(rows[1][4], "'=") {
		t.Errorf("formula not defused: %q", rows[1][4])
	}
	if !strings.HasSuffix(rows[1][1], "-06:00") && !strings.HasSuffix(rows[1][1], "-05:00") {
		t.Errorf("device-local time missing: %q", rows[1][1])
	}
	lines := strings.Split(strings.TrimSpace(jsonb.String()), "\n")
	if len(lines) != n {
		t.Fatalf("jsonl lines %d", len(lines))
	}
	for _, l := range lines {
		var m map[string]string
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["message"] == "" || m["datetime"] == "" || m["timestamp_desc"] != "d" {
			t.Fatalf("bad line %s: %v", l, err)
		}
	}
}

func TestLongSummaryIsBounded(t *testing.T) {
	c := New(t.TempDir())
	c.Add(model.Event{Time: base, Module: "m", Summary: strings.Repeat("ñ", 5000)})
	var b bytes.Buffer
	if err := WriteJSONL(&b, c, nil); err != nil {
		t.Fatal(err)
	}
	if b.Len() > MaxSummary+300 || !utf8.Valid(b.Bytes()) {
		t.Errorf("line of %d bytes", b.Len())
	}
}

func TestCorruptSpillIsAnError(t *testing.T) {
	old := ChunkSize
	ChunkSize = 2
	defer func() { ChunkSize = old }()
	dir := t.TempDir()
	c := New(dir)
	for i := 0; i < 4; i++ {
		c.Add(model.Event{Time: base.Add(time.Duration(i) * time.Second), Module: "m", Summary: "s"})
	}
	c.mu.Lock()
	c.settle() // the spill runs in the background
	c.mu.Unlock()
	files, _ := filepath.Glob(filepath.Join(dir, "timeline-*.bin"))
	if len(files) == 0 {
		t.Fatal("no spill")
	}
	b, _ := os.ReadFile(files[0])
	os.WriteFile(files[0], b[:len(b)-3], 0o600)
	if err := c.Each(func(*model.Event) error { return nil }); err == nil {
		t.Error("a truncated spill must be reported")
	}
}

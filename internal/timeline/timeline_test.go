package timeline

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
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
		// Outside UnixNano's 1678–2262: the old format returned 3554 as 1800.
		{Time: time.Date(3554, 1, 1, 0, 0, 0, 1, time.UTC), Module: "far"},
		{Time: time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), Module: "webkit zero"},
		{Time: time.Date(-5000, 6, 1, 0, 0, 0, 999_999_999, time.UTC), Module: "year -5000"},
		// The extremes time.Time can hold (Unix seconds wrap for these).
		{Time: time.Unix(math.MaxInt64, 999_999_999).UTC(), Module: "max"},
		{Time: time.Unix(math.MinInt64, 0).UTC(), Module: "min"},
	}
	for _, e := range cases {
		b := appendEvent(nil, &e)
		var got model.Event
		if err := readEvent(bufio.NewReader(bytes.NewReader(b)), &got); err != nil {
			t.Fatal(err)
		}
		if got.Time != e.Time || got.Time.Compare(e.Time) != 0 || got.Module != e.Module || got.Summary != e.Summary || got.Source != e.Source ||
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
	c := New(t.TempDir(), 10)
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
	c := New(t.TempDir(), 0)
	c.Add(model.Event{Time: base, Module: "m", Summary: strings.Repeat("ñ", 5000)})
	var b bytes.Buffer
	if err := WriteJSONL(&b, c, nil); err != nil {
		t.Fatal(err)
	}
	if b.Len() > MaxSummary+300 || !utf8.Valid(b.Bytes()) {
		t.Errorf("line of %d bytes", b.Len())
	}
}

// TestCorruptNanoseconds: a nanosecond field of 1e9 or more is corruption,
// never a time silently moved to the next second.
func TestCorruptNanoseconds(t *testing.T) {
	for _, ns := range []uint64{1e9, 1e9 + 1, 1 << 63} {
		b := binary.AppendVarint(nil, 1_470_819_600)
		b = binary.AppendUvarint(b, ns)
		b = append(b, 0)
		for range 4 {
			b = appendString(b, "x")
		}
		b = appendStrings(appendStrings(b, nil), nil)
		var e model.Event
		if err := readEvent(bufio.NewReader(bytes.NewReader(b)), &e); err == nil {
			t.Errorf("nanoseconds %d accepted as %v", ns, e.Time)
		}
	}
	// The same bytes with a valid field decode.
	b := binary.AppendUvarint(binary.AppendVarint(nil, 1_470_819_600), 999_999_999)
	b = append(b, 0)
	for range 4 {
		b = appendString(b, "x")
	}
	b = appendStrings(appendStrings(b, nil), nil)
	var e model.Event
	if err := readEvent(bufio.NewReader(bytes.NewReader(b)), &e); err != nil || e.Time.Nanosecond() != 999_999_999 {
		t.Errorf("%v %v", e.Time, err)
	}
}

func TestCorruptSpillIsAnError(t *testing.T) {
	dir := t.TempDir()
	c := New(dir, 2)
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

// collect runs the merge, spilling every chunk events (so merges read
// several chunks back from disk), and returns the events in the order it
// gave them.
func collect(tb testing.TB, chunk int, evs []model.Event) []model.Event {
	tb.Helper()
	c := New(tb.TempDir(), chunk)
	defer c.Close()
	c.Add(evs...)
	var out []model.Event
	if err := c.Each(func(e *model.Event) error { out = append(out, *e); return nil }); err != nil {
		tb.Fatal(err)
	}
	return out
}

// checkMerge: the merge returns exactly the events added (zero times are
// dropped by Add), each time unchanged, in compare order.
func checkMerge(tb testing.TB, in, out []model.Event) {
	tb.Helper()
	want := slices.DeleteFunc(slices.Clone(in), func(e model.Event) bool { return e.Time.IsZero() })
	slices.SortStableFunc(want, func(a, b model.Event) int { return compare(&a, &b) })
	if len(out) != len(want) {
		tb.Fatalf("%d events out, %d in", len(out), len(want))
	}
	for i := range out {
		if i > 0 && compare(&out[i-1], &out[i]) > 0 {
			tb.Fatalf("out of order at %d: %v after %v", i, out[i].Time, out[i-1].Time)
		}
		if out[i].Time != want[i].Time.UTC() || compare(&out[i], &want[i]) != 0 {
			tb.Fatalf("event %d: %v %q, want %v %q", i, out[i].Time, out[i].Module, want[i].Time, want[i].Module)
		}
	}
}

func TestFarTimesKeepTheirOrder(t *testing.T) {
	var evs []model.Event
	for i, at := range []time.Time{
		time.Date(3554, 1, 1, 0, 0, 0, 0, time.UTC), base, time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2262, 4, 11, 23, 47, 16, 854_775_808, time.UTC), // one past UnixNano's range
		time.Date(1677, 9, 21, 0, 12, 43, 145_224_191, time.UTC),  // one before it
		time.Unix(math.MaxInt64, 999_999_999), time.Unix(math.MinInt64, 0), time.Unix(1<<40, 5), base.Add(time.Nanosecond),
	} {
		evs = append(evs, model.Event{Time: at, Module: "m", Summary: string(rune('a' + i))})
	}
	checkMerge(t, evs, collect(t, 2, evs))
}

// FuzzSpillRoundTrip: every time a Go time can hold, and any strings,
// come back from the spill format exactly.
func FuzzSpillRoundTrip(f *testing.F) {
	f.Add(int64(0), uint32(0), byte(0), "m", "d", "s", "src", "h1,h2")
	f.Add(int64(50_000_000_000), uint32(999_999_999), byte(5), "ios.sms", "sms_received", "hola", "", "")
	f.Add(int64(math.MinInt64), uint32(1), byte(1), "", "", "", "", ",")
	f.Add(int64(math.MaxInt64), uint32(999_999_999), byte(3), "\xff", "\x00", "", "", "")
	f.Fuzz(func(t *testing.T, sec int64, ns uint32, sev byte, module, desc, summary, source, hosts string) {
		e := model.Event{Time: time.Unix(sec, int64(ns%1e9)).UTC(), Module: module, Desc: desc, Summary: summary, Source: source}
		if hosts != "" {
			e.Hosts = strings.Split(hosts, ",")
			e.Processes = e.Hosts[:len(e.Hosts)/2]
			if len(e.Processes) == 0 {
				e.Processes = nil
			}
		}
		if sev%6 > 0 {
			s := model.Severity(sev%6 - 1)
			e.Severity = &s
		}
		b := appendEvent(nil, &e)
		var got model.Event
		r := bufio.NewReader(bytes.NewReader(b))
		if err := readEvent(r, &got); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ReadByte(); err == nil {
			t.Fatal("bytes left after one event")
		}
		if got.Time != e.Time || got.Time.Unix() != e.Time.Unix() || got.Time.Nanosecond() != e.Time.Nanosecond() {
			t.Fatalf("time %v came back as %v", e.Time, got.Time)
		}
		if got.Module != e.Module || got.Desc != e.Desc || got.Summary != e.Summary || got.Source != e.Source ||
			!slices.Equal(got.Hosts, e.Hosts) || !slices.Equal(got.Processes, e.Processes) ||
			(got.Severity == nil) != (e.Severity == nil) || (e.Severity != nil && *got.Severity != *e.Severity) {
			t.Fatalf("%+v came back as %+v", e, got)
		}
	})
}

// FuzzMergeOrder: any set of times, spilled in chunks of four and merged,
// comes out complete, unchanged and in order (up to 64 events, so up to 16
// chunk files per run).
func FuzzMergeOrder(f *testing.F) {
	f.Add([]byte{})
	seed := func(secs ...int64) []byte {
		var b []byte
		for i, s := range secs {
			b = binary.BigEndian.AppendUint64(b, uint64(s))
			b = append(b, byte(i))
		}
		return b
	}
	f.Add(seed(50_000_000_000, 1_470_819_600, -5_364_662_400, 0, math.MaxInt64, math.MinInt64, 1_470_819_600))
	f.Add(seed(9_223_372_036, -9_223_372_037, 1, 1, 1, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		var evs []model.Event
		for len(data) >= 9 && len(evs) < 64 {
			sec := int64(binary.BigEndian.Uint64(data))
			k := data[8]
			data = data[9:]
			evs = append(evs, model.Event{Time: time.Unix(sec, int64(k)*3_900_000), Module: string(rune('a' + k%3)), Summary: string(rune('a' + k%5))})
		}
		checkMerge(t, evs, collect(t, 4, evs))
	})
}

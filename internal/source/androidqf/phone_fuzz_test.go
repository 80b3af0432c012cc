package androidqf

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/timestamp"
)

func TestDumpstateTime(t *testing.T) {
	mx := time.FixedZone("CST", -6*3600)
	for _, c := range []struct {
		in   string
		loc  *time.Location
		want string
	}{
		{"========================================================\n== dumpstate: 2024-02-21 10:00:00\n", time.UTC, "2024-02-21T10:00:00Z"},
		{"== dumpstate: 2024-02-21 10:00:00\n", mx, "2024-02-21T16:00:00Z"},
		{"== dumpstate: 1969-12-31 23:59:59\n", time.UTC, ""},
		{"== dumpstate: tomorrow\n", time.UTC, ""},
		{strings.Repeat("x\n", 20) + "== dumpstate: 2024-02-21 10:00:00\n", time.UTC, ""}, // past the header
		{"", time.UTC, ""},
	} {
		got, ok := DumpstateTime(strings.NewReader(c.in), c.loc)
		if s := map[bool]string{true: got.Format(time.RFC3339)}[ok]; s != c.want {
			t.Errorf("%q: %q, want %q", c.in, s, c.want)
		}
	}
}

// FuzzPhoneSniff feeds arbitrary bytes to what recognises and dates a file
// an Android phone shares on its own. Invariants: no panic; a bug report
// only when its first 4 KB hold a dumpstate header; intrusion logs only
// when the first non-blank line is a JSON object keyed by an intrusion
// event type; a dumpstate date only from a header line in the first 20,
// between 1970 and 2100, in UTC, reading back as the text it came from.
func FuzzPhoneSniff(f *testing.F) {
	f.Add([]byte("== dumpstate: 2024-02-21 10:00:00\n"))
	f.Add([]byte(`{"dns_event":{"hostname":"a.example"}}` + "\n"))
	f.Add([]byte("\n\n{\"connect_event\":{}}\n"))
	f.Add([]byte("== dumpstate: 9999-99-99 99:99:99"))
	f.Fuzz(func(t *testing.T, data []byte) {
		switch k := SniffFile(data); k {
		case "":
		case source.Bugreport:
			if !bytes.Contains(data[:min(len(data), 4096)], []byte("== dumpstate: ")) {
				t.Fatal("a bug report without a dumpstate header")
			}
		case source.IntrusionLogs:
			var first []byte
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, len(data)+1)
			for sc.Scan() {
				if first = bytes.TrimSpace(sc.Bytes()); len(first) > 0 {
					break
				}
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(first, &m) != nil {
				t.Fatalf("intrusion logs from a first line that is no JSON object: %q", first)
			}
			keyed := false
			for _, e := range IntrusionEventTypes {
				_, ok := m[e]
				keyed = keyed || ok
			}
			if !keyed {
				t.Fatalf("intrusion logs from %q", first)
			}
		default:
			t.Fatalf("kind %q", k)
		}
		zone := time.FixedZone("X", 5*3600+1800)
		got, ok := DumpstateTime(bytes.NewReader(data), zone)
		if !ok {
			return
		}
		if got.Location() != time.UTC || !timestamp.InRange(got) {
			t.Fatalf("time %v", got)
		}
		if !bytes.Contains(data, []byte("== dumpstate: ")) || !bytes.Contains(data, []byte(got.In(zone).Format("2006-01-02 15:04:05"))) {
			t.Fatalf("time %v not read from a header line of %q", got, data)
		}
	})
}

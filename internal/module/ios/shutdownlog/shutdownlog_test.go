package shutdownlog

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
)

const uuid = "123e4567-e89b-12d3-a456-426614174000"

// block writes one reboot: clients listed after each of delays waits.
func block(ts int64, delays int, clients ...string) string {
	var b strings.Builder
	for i, c := range clients {
		if i > 0 && i <= delays {
			fmt.Fprintf(&b, "After %d.50s, these clients are still here:\n", i)
		}
		fmt.Fprintf(&b, "\t\tremaining client pid: %d (%s)\n", 100+i, c)
	}
	for i := len(clients); i <= delays; i++ {
		fmt.Fprintf(&b, "After %d.50s, these clients are still here:\n", i)
	}
	fmt.Fprintf(&b, "SIGTERM: [%d] (shutdown)\n", ts)
	return b.String()
}

func TestParse(t *testing.T) {
	log := block(1700000000, 0, "/usr/libexec/first") + block(1700100000, 3, "/usr/sbin/a", "/usr/sbin/b", "/usr/sbin/c", "/usr/sbin/d") +
		"remaining client pid: 9 (/Applications/My (beta).app/My)\n"
	rbs, err := Parse(strings.NewReader(log), "shutdown.log")
	if err != nil {
		t.Fatal(err)
	}
	if len(rbs) != 3 {
		t.Fatalf("reboots = %d, want 3: %+v", len(rbs), rbs)
	}
	if !rbs[0].Time.Equal(time.Unix(1700000000, 0)) || rbs[0].Delays != 0 || len(rbs[0].Clients) != 1 || rbs[0].Clients[0].Path != "/usr/libexec/first" {
		t.Errorf("first reboot: %+v", rbs[0])
	}
	if rbs[1].Delays != 3 || len(rbs[1].Clients) != 4 || rbs[1].Clients[3].Wait != 3 || rbs[1].Waited != 3.5 {
		t.Errorf("second reboot: %+v", rbs[1])
	}
	if !rbs[2].Unterminated || rbs[2].Clients[0].Path != "/Applications/My (beta).app/My" {
		t.Errorf("cut-short block: %+v", rbs[2])
	}
}

func TestSigtermTime(t *testing.T) {
	for _, c := range []struct {
		line string
		want int64
		raw  string // an impossible date kept as written
	}{
		{"SIGTERM: [1700000000]", 1700000000, ""},
		{"SIGTERM: [1700000000.25] x", 1700000000, ""},
		{"SIGTERM: last @1700000001 more", 1700000001, ""},
		{"SIGTERM: [nonsense]", 0, ""},
		{"SIGTERM: [99]", 0, ""},
		{"SIGTERM:", 0, ""},
		{"SIGTERM: [99999999999]", 0, "99999999999"},
	} {
		got, err := sigtermTime(c.line)
		if (c.want == 0) != got.IsZero() || (c.want != 0 && got.Unix() != c.want) {
			t.Errorf("%q: got %v, want %d", c.line, got, c.want)
		}
		if raw := ""; err != nil {
			if raw = model.NewRawTime("", err).Raw; raw != c.raw {
				t.Errorf("%q: raw %q, want %q", c.line, raw, c.raw)
			}
		} else if c.raw != "" {
			t.Errorf("%q: no error, want raw %q", c.line, c.raw)
		}
	}
}

// TestImpossibleTimeKeptRaw: a reboot whose SIGTERM time is beyond 2100
// keeps it as written on the reboot's record and on its clients' records.
func TestImpossibleTimeKeptRaw(t *testing.T) {
	s := runFiles(t, source.IOSFS, map[string]string{"private/var/db/diagnostics/shutdown.log": block(99999999999, 0, "/usr/libexec/first")})
	if len(s.Records) < 2 {
		t.Fatalf("%d records", len(s.Records))
	}
	for _, r := range s.Records {
		switch r.Data.(type) {
		case *RebootRecord:
			moduletest.KeepsRaw(t, r, map[string]string{"reboot": "99999999999"})
		case *ClientRecord:
			moduletest.KeepsRaw(t, r, map[string]string{"shutdown": "99999999999"})
		}
	}
}

func TestParseLongLine(t *testing.T) {
	_, err := Parse(strings.NewReader("remaining client pid: 1 ("+strings.Repeat("a", maxLine+10)+")\n"), "x/shutdown.log")
	if err == nil || !strings.Contains(err.Error(), "x/shutdown.log") {
		t.Fatalf("want an error naming the file, got %v", err)
	}
}

func runFiles(t *testing.T, kind source.Kind, files map[string]string) *moduletest.Sink {
	t.Helper()
	dir := t.TempDir()
	for p, body := range files {
		moduletest.File(t, dir, p, []byte(body))
	}
	s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, kind, dir))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func count(s *moduletest.Sink, rule string) int {
	n := 0
	for _, d := range s.Detections {
		if d.Rule == rule {
			n++
		}
	}
	return n
}

func clients(s *moduletest.Sink) []string {
	var out []string
	for _, r := range s.Records {
		if c, ok := r.Data.(*ClientRecord); ok {
			out = append(out, c.Client.Binary)
		}
	}
	return out
}

func TestModule(t *testing.T) {
	normal := block(1700000000, 0, "/usr/libexec/first") + block(1700086400, 1, "/usr/sbin/mediaserverd") + block(1702000000, 0, "/System/Library/x")
	cases := []struct {
		name       string
		kind       source.Kind
		files      map[string]string
		staging    int
		slow       int
		short      int
		clients    int
		monthsSeen int
	}{
		{"clean dump", source.IOSFS, map[string]string{"private/var/db/diagnostics/shutdown.log": normal}, 0, 0, 0, 3, 2},
		{"pegasus and predator in sysdiagnose", source.IOSSysdiagnose, map[string]string{
			"system_logs.logarchive/Extra/shutdown.log": normal + block(1702100000, 0,
				"/private/var/db/com.apple.xpc.roleaccountd.staging/com.apple.WebKit.Networking", "/private/var/tmp/UserEventAgent", "/private/var/db/com.apple.xpc.roleaccountd.staging/com.apple.WebKit.Networking"),
		}, 2, 0, 0, 6, 2},
		{"a client in /tmp is high", source.IOSFS, map[string]string{
			"private/var/db/diagnostics/shutdown.log": normal + block(1702100000, 0, "/tmp/UserEventAgent"),
		}, 1, 0, 0, 4, 2},
		{"three delays", source.IOSSysdiagnose, map[string]string{
			"system_logs.logarchive/Extra/shutdown.log": normal + block(1702100000, 3, "/usr/sbin/a", "/usr/sbin/b", "/usr/sbin/c", "/usr/sbin/d"),
		}, 0, 1, 0, 7, 2},
		{"two delays is not enough", source.IOSSysdiagnose, map[string]string{
			"system_logs.logarchive/Extra/shutdown.log": normal + block(1702100000, 2, "/usr/sbin/a", "/usr/sbin/b", "/usr/sbin/c"),
		}, 0, 0, 0, 6, 2},
		{"empty log", source.IOSSysdiagnose, map[string]string{"system_logs.logarchive/Extra/shutdown.log": ""}, 0, 0, 1, 0, 0},
		{"iOS 26 rotated with UUIDs", source.IOSFS, map[string]string{
			"private/var/db/diagnostics/shutdown.0.log": block(1760000000, 0, "/usr/sbin/filecoordinationd/"+uuid),
			"private/var/db/diagnostics/shutdown.1.log": block(1760100000, 0, "/usr/libexec/second/"+uuid),
		}, 0, 0, 1, 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := runFiles(t, c.kind, c.files)
			if got := count(s, "ios.shutdown.staging_client"); got != c.staging {
				t.Errorf("staging detections = %d, want %d", got, c.staging)
			}
			if got := count(s, "ios.shutdown.slow_client"); got != c.slow {
				t.Errorf("slow detections = %d, want %d", got, c.slow)
			}
			if got := count(s, "ios.shutdown.short_log"); got != c.short {
				t.Errorf("short-log notes = %d, want %d", got, c.short)
			}
			if got := len(clients(s)); got != c.clients {
				t.Errorf("clients = %d, want %d", got, c.clients)
			}
			months := 0
			for _, r := range s.Records {
				if _, ok := r.Data.(*MonthRecord); ok {
					months++
				}
			}
			if months != c.monthsSeen {
				t.Errorf("month records = %d, want %d", months, c.monthsSeen)
			}
			for _, d := range s.Detections {
				if d.Severity == model.High && d.Record == nil {
					t.Errorf("high detection without record: %+v", d)
				}
			}
		})
	}
}

func TestRotatedClientsNormalised(t *testing.T) {
	s := runFiles(t, source.IOSFS, map[string]string{
		"private/var/db/diagnostics/shutdown.log":   block(1700000000, 0, "/usr/libexec/first"),
		"private/var/db/diagnostics/shutdown.0.log": block(1700000001, 0, "/usr/libexec/second/"+uuid),
	})
	got := strings.Join(clients(s), ",")
	if got != "/usr/libexec/second,/usr/libexec/first" && got != "/usr/libexec/first,/usr/libexec/second" {
		t.Errorf("clients = %s", got)
	}
}

// stixBundle is a minimal STIX 2.1 bundle with one malware and its indicators.
func stixBundle(t *testing.T, patterns ...string) fstest.MapFS {
	t.Helper()
	objs := []map[string]any{{"type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-4000-8000-000000000001", "name": "TestSpy", "is_family": false}}
	for i, p := range patterns {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", 100+i)
		objs = append(objs,
			map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "pattern": p, "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"},
			map[string]any{"type": "relationship", "spec_version": "2.1", "id": fmt.Sprintf("relationship--00000000-0000-4000-8000-%012d", 200+i),
				"relationship_type": "indicates", "source_ref": id, "target_ref": "malware--00000000-0000-4000-8000-000000000001"})
	}
	b, err := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": objs})
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{"test.stix2": {Data: b}}
}

func TestIndicatorsMatchPerComponent(t *testing.T) {
	set, err := indicators.LoadFS(stixBundle(t, "[process:name='roleaccountd']", "[file:path='/usr/sbin/filecoordinationd']"), "test.stix2")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		client string
		want   string // matched indicator value, "" for none
	}{
		{"/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd", "roleaccountd"},
		{"/private/var/db/roleaccountd/helper", "roleaccountd"},
		{"/usr/sbin/filecoordinationd/" + uuid, "/usr/sbin/filecoordinationd"},
		{"/usr/sbin/filecoordinationd", "/usr/sbin/filecoordinationd"},
		{"/usr/libexec/roleaccountdx", ""},
	}
	for _, c := range cases {
		s := runFiles(t, source.IOSSysdiagnose, map[string]string{"Extra/shutdown.log": block(1700000000, 0, c.client)})
		var got []string
		for _, r := range s.Records {
			if _, ok := r.Data.(*ClientRecord); !ok {
				continue
			}
			for _, d := range scan.MatchRecord(set, r) {
				got = append(got, d.Indicator.Value)
			}
		}
		if c.want == "" && len(got) != 0 || c.want != "" && (len(got) != 1 || got[0] != c.want) {
			t.Errorf("%s: matched %v, want %q", c.client, got, c.want)
		}
	}
}

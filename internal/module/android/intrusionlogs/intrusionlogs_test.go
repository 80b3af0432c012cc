package intrusionlogs

import (
	"archive/zip"
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

const (
	dnsLine     = `{"dns_event":{"event_time":1700000000000,"hostname":"evil.example.","package_name":"com.app","ip_addresses":["/198.51.100.1","0.0.0.0"]}}`
	connectLine = `{"connect_event":{"event_time":1700000001000,"ip_address":"host/203.0.113.9","port":443,"package_name":"com.app"}}`
	procLine    = `{"security_event":{"event_id":210005,"event_time":1700000002000000000,"app_process_start":{"process":"com.app:com.plugin.x","uid":10100,"pid":42}}}`
	futureLine  = `{"security_event":{"event_time":1700000003000000000,"future_google_event":{"field":"value"}}}`
)

func runFiles(t *testing.T, kind source.Kind, files map[string]string) *moduletest.Sink {
	t.Helper()
	return moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, kind, files))
}

func summaries(res *moduletest.Sink) []string {
	var out []string
	for _, r := range res.Records {
		out = append(out, r.Summary)
	}
	return out
}

func TestMixedEventsAndUnits(t *testing.T) {
	res := runFiles(t, source.IntrusionLogs, map[string]string{
		"a.txt": strings.Join([]string{dnsLine, connectLine, procLine, futureLine}, "\n") + "\n\n",
		// The same events exported again: dropped as duplicates.
		"b.txt": dnsLine + "\n" + connectLine + "\n",
	})
	want := []string{
		"DNS query for evil.example. by com.app [IPs: 198.51.100.1]",
		"Connection to 203.0.113.9:443 by com.app",
		"Process started: com.app:com.plugin.x (UID: 10100, PID: 42)",
		`future_google_event: {"field":"value"}`,
	}
	if got := summaries(res); !reflect.DeepEqual(got, want) {
		t.Fatalf("summaries = %q", got)
	}
	base := time.Unix(1700000000, 0).UTC()
	for i, r := range res.Records {
		if !r.Times[0].Time.Equal(base.Add(time.Duration(i) * time.Second)) {
			t.Errorf("record %d time %v: wrong unit", i, r.Times[0].Time)
		}
	}
	if got := res.Observables(model.KindIP); !reflect.DeepEqual(got, []string{"198.51.100.1", "203.0.113.9"}) {
		t.Errorf("ips = %v", got)
	}
	if got := res.Observables(model.KindDomain); !reflect.DeepEqual(got, []string{"evil.example"}) {
		t.Errorf("domains = %v", got)
	}
	if got := res.Observables(model.KindAppID); !reflect.DeepEqual(got, []string{"com.app", "com.app", "com.app", "com.plugin.x"}) {
		t.Errorf("app ids = %v", got)
	}
	if res.Records[3].Times[0].Desc != "future_google_event" {
		t.Errorf("unknown tag desc = %q", res.Records[3].Times[0].Desc)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "future_google_event") {
		t.Errorf("warnings = %q", res.Warnings)
	}
}

func TestSecurityHeuristics(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		alerts   int
		warnWord string
		summary  string
	}{
		{"event_id is metadata", `{"security_event":{"event_id":191,"event_time":1,"keyguard_dismiss_auth_attempt":{"success":true,"method_strength":0}}}`, 0, "", "Auth attempt: Success (method strength: 0)"},
		{"keyguard", `{"security_event":{"event_id":192,"event_time":1,"keyguard_dismissed":{}}}`, 0, "", "Keyguard dismissed"},
		{"CA installed", `{"security_event":{"event_time":1,"cert_authority_installed":{"success":true,"subject":"CN=Evil"}}}`, 1, "", ""},
		{"CA install failed", `{"security_event":{"event_time":1,"cert_authority_installed":{"success":0,"subject":"CN=Evil"}}}`, 0, "failed certificate authority install", ""},
		{"cert validation failure", `{"security_event":{"event_time":1,"cert_validation_failure":"bad chain"}}`, 1, "", ""},
		{"wipe failure", `{"security_event":{"event_time":1,"wipe_failure":{}}}`, 1, "", ""},
		{"PinStorage exempt", `{"security_event":{"event_time":1,"key_generated":{"success":false,"key_id":"PinStorage_crossReboot_key","uid":1001}}}`, 0, "", "Key generation failed: PinStorage_crossReboot_key (UID: 1001)"},
		{"other key failure", `{"security_event":{"event_time":1,"key_generated":{"success":0,"key_id":"another_key","uid":1001}}}`, 0, "failed key generation detected for key_id: another_key", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runFiles(t, source.IntrusionLogs, map[string]string{"x.txt": tt.line + "\n"})
			if len(res.Detections) != tt.alerts {
				t.Errorf("%d detections, want %d", len(res.Detections), tt.alerts)
			}
			for _, d := range res.Detections {
				if d.Severity != model.Medium {
					t.Errorf("severity %v", d.Severity)
				}
			}
			w := strings.Join(res.Warnings, "|")
			if (tt.warnWord == "") != (w == "") || !strings.Contains(w, tt.warnWord) {
				t.Errorf("warnings %q, want %q", res.Warnings, tt.warnWord)
			}
			if tt.summary != "" && res.Records[0].Summary != tt.summary {
				t.Errorf("summary %q", res.Records[0].Summary)
			}
		})
	}
}

func zipOf(t *testing.T, files map[string]string) string {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, _ := zw.Create(n)
		w.Write([]byte(b))
	}
	zw.Close()
	return buf.String()
}

func TestZipsAndAndroidQFScope(t *testing.T) {
	inner := zipOf(t, map[string]string{"day1/log.txt": dnsLine + "\n"})
	outer := zipOf(t, map[string]string{"inner.zip": inner, "c.txt": connectLine + "\n", "evil/../x.txt": procLine})
	res := runFiles(t, source.IntrusionLogs, map[string]string{"export.zip": outer})
	if len(res.Records) != 2 {
		t.Fatalf("records %q, warnings %q", summaries(res), res.Warnings)
	}
	res = runFiles(t, source.AndroidQF, map[string]string{"intrusion_logs/a.txt": dnsLine, "other.txt": connectLine})
	if len(res.Records) != 1 {
		t.Fatalf("androidqf: %q", summaries(res))
	}
	if _, err := moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.AndroidQF, map[string]string{"getprop.txt": "x"})); !errors.Is(err, module.ErrAbsent) {
		t.Fatal("no ErrAbsent without intrusion_logs/")
	}
}

func TestDamagedLines(t *testing.T) {
	res := runFiles(t, source.IntrusionLogs, map[string]string{"x.txt": "not json\n" + dnsLine + "\n[1,2]\n" + strings.Repeat("a", 2<<20) + "\n"})
	if len(res.Records) != 1 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "3 lines") {
		t.Fatalf("records %q, warnings %q", summaries(res), res.Warnings)
	}
}

func FuzzReader(f *testing.F) {
	f.Add(dnsLine + "\n" + procLine + "\n" + futureLine)
	f.Add(`{"security_event":{"event_time":"x","key_generated":{"success":"0"}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		rd := NewReader()
		_ = rd.Add("f", strings.NewReader(s))
		for i := range rd.Events {
			_ = sub(&rd.Events[i])
		}
	})
}

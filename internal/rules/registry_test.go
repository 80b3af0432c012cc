package rules_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/huella-project/huella/internal/detect"
	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/heuristics/links"
	"github.com/huella-project/huella/internal/heuristics/messages"
	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/ios/datausage"
	"github.com/huella-project/huella/internal/module/ios/profiles"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
	"github.com/huella-project/huella/internal/urlx"
)

// runner feeds one sample to the code that implements a family of rules
// and returns every finding it produced. Each runner calls the same
// function the pipeline calls (heuristics, modules, correlation rules, the
// indicator matcher), so a sample that passes here passes in a real check.
type runner func(t *testing.T, s rules.Sample) []finding

// finding is what a runner reports: the rule, its severity and whether a
// context dropped it (indicator matches on Apple's own binaries).
type finding struct {
	rule    string
	sev     model.Severity
	text    map[string]string
	dropped bool
}

func fromRules(fs ...rules.Finding) []finding {
	var out []finding
	for _, f := range fs {
		out = append(out, finding{rule: f.Rule, sev: f.Severity, dropped: f.Dropped(),
			text: map[string]string{"en": f.Text("en"), "es": f.Text("es")}})
	}
	return out
}

func fromPtr(fs ...*rules.Finding) []finding {
	var out []finding
	for _, f := range fs {
		if f != nil {
			out = append(out, fromRules(*f)...)
		}
	}
	return out
}

func fromDetections(ds []model.Detection) []finding {
	var out []finding
	for _, d := range ds {
		out = append(out, finding{rule: d.Rule, sev: d.Severity,
			text: map[string]string{"en": rules.DetectionText(&d, "en"), "es": rules.DetectionText(&d, "es")}})
	}
	return out
}

var runners = map[string]runner{
	"link": func(t *testing.T, s rules.Sample) []finding {
		return fromRules(links.CheckLink(str(s, "link"))...)
	},
	"message": func(t *testing.T, s rules.Sample) []finding {
		m := messages.Message{Text: str(s, "text"), Links: strs(s, "links"), IndicatorLinks: strs(s, "indicator_links")}
		if m.Links == nil {
			m.Links = urlx.ExtractLinks(m.Text) // as the message modules do
		}
		switch str(s, "sender") {
		case "stranger":
			m.Sender = messages.SenderStranger
		case "contact":
			m.Sender = messages.SenderContact
		case "me":
			m.Sender = messages.SenderMe
		case "unknowable", "":
			m.Sender = messages.SenderUnknowable
		default:
			t.Fatalf("unknown sender %q", str(s, "sender"))
		}
		return fromRules(messages.ScoreMessage(m)...)
	},
	"threat_notification": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(messages.ThreatNotification(str(s, "text"), str(s, "sender")))
	},
	"zero_click": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.ZeroClickAttachment(str(s, "file"), boolean(s, "outgoing")))
	},
	"passkit": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.PassKitFromUnknown(str(s, "mime"), str(s, "uti"), str(s, "name"), boolean(s, "outgoing"), boolean(s, "known")))
	},
	"quadream": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.QuaDreamCalendarEvent(str(s, "summary"), str(s, "description"), str(s, "uuid")))
	},
	"app_source": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.AppNotFromStore(str(s, "app"), str(s, "installer")))
	},
	"lockdown": func(t *testing.T, s rules.Sample) []finding {
		return fromRules(ios.LockdownMode(boolean(s, "enabled")))
	},
	"idstatus": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.IDStatusNulHandle(str(s, "handle")))
	},
	"process_path": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.UnusualProcess(str(s, "path"), "ps.txt"))
	},
	"shutdown_client": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.StagingClient(str(s, "path"), "shutdown.log"))
	},
	"slow_shutdown": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.SlowShutdown(num(s, "waits"), strs(s, "clients"), "shutdown.log"))
	},
	"short_log": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(ios.ShortShutdownLog(num(s, "reboots"), "shutdown.log"))
	},
	"fast_redirect": func(t *testing.T, s rules.Sample) []finding {
		at := time.Date(2023, 5, 1, 10, 0, 0, 0, time.UTC)
		idx := ios.NewRedirectIndex()
		idx.Add(ios.Visit{ID: 1, URL: str(s, "from"), Time: at, RedirectDestination: 2})
		idx.Add(ios.Visit{ID: 2, URL: str(s, "to"), Time: at.Add(time.Duration(num(s, "delay_ms")) * time.Millisecond)})
		var out []finding
		for _, fr := range idx.Fast() {
			out = append(out, fromRules(fr.Finding)...)
		}
		return out
	},
	"netusage":       runNetUsage,
	"missing_binary": runNetUsage,
	"profile": func(t *testing.T, s rules.Sample) []finding {
		r := &model.Record{Data: profiles.Profile{UUID: "P-1", DisplayName: str(s, "name"), PayloadTypes: strs(s, "payload_types")}}
		return fromDetections(profiles.Assess(r))
	},
	"profile_operation": func(t *testing.T, s rules.Sample) []finding {
		at := time.Date(2023, 5, 1, 10, 0, 0, 0, time.UTC)
		return fromPtr(profiles.OperationFinding(profiles.Event{ProfileID: str(s, "profile"), Operation: str(s, "operation"), Process: str(s, "process"), Timestamp: &at}))
	},
	"correlation": runCorrelation,
	"indicator":   runIndicator,
	"android.package": func(t *testing.T, s rules.Sample) []finding {
		return fromRules(android.PackageInstall(str(s, "package"), str(s, "installer"), boolean(s, "system"), boolean(s, "disabled"))...)
	},
	"android.install_permission": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.InstallerPermission(str(s, "package"), strs(s, "permissions"), boolean(s, "system")))
	},
	"android.setting": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.DangerousSetting(str(s, "namespace"), str(s, "key"), str(s, "value")))
	},
	"android.tmp_file": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.TmpFile(str(s, "path"), str(s, "mode")))
	},
	"android.root_binary": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.RootBinary(str(s, "path")))
	},
	"android.mount": func(t *testing.T, s rules.Sample) []finding {
		return fromRules(android.Mount(str(s, "device"), str(s, "mount"), strs(s, "options"))...)
	},
	"android.intrusion": func(t *testing.T, s rules.Sample) []finding {
		fields, _ := s["fields"].(map[string]any)
		return fromPtr(android.IntrusionSecurityEvent(str(s, "tag"), fields))
	},
	"android.accessibility": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.AccessibilityHolder(str(s, "package"), str(s, "service"), boolean(s, "system"), boolean(s, "known")))
	},
	"android.receiver": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.SMSCallReceiver(str(s, "intent"), str(s, "package"), str(s, "receiver"), boolean(s, "system"), boolean(s, "known")))
	},
	"android.appop": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.RiskyAppop(str(s, "package"), str(s, "op"), str(s, "access"), time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)))
	},
	"android.package_change": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.PackageChange(str(s, "action"), str(s, "package"), int64(num(s, "vers")), int64(num(s, "prev")), "2024-05-01"))
	},
	"android.stalkerware": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.Stalkerware(android.StalkerwareSignals{Package: str(s, "package"), System: boolean(s, "system"),
			Accessibility: boolean(s, "accessibility"), DeviceAdmin: boolean(s, "device_admin"), KnownDeviceAdmin: boolean(s, "known_device_admin"),
			NoLauncher: boolean(s, "no_launcher"), KnownLauncher: boolean(s, "known_launcher"), Permissions: strs(s, "permissions")}))
	},
	"android.adb_key": func(t *testing.T, s rules.Sample) []finding {
		last := timestamp(t, s, "last")
		if str(s, "host_key") == "" && str(s, "started") == "" {
			return fromPtr(android.TrustedADBKey(str(s, "user"), str(s, "fingerprint"), boolean(s, "valid"), last))
		}
		acq := android.ADBAcquisition{Started: timestamp(t, s, "started"), HostKey: str(s, "host_key")}
		return fromPtr(android.TrustedADBKeyInContext(str(s, "key"), str(s, "user"), str(s, "fingerprint"), boolean(s, "valid"), last, acq))
	},
	"android.adb_host_missing": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.ADBHostKeyMissing(num(s, "keys")))
	},
	"android.root_package": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.RootPackage(str(s, "package")))
	},
	"android.patch": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.SecurityPatchAge(str(s, "patch"), timestamp(t, s, "now")))
	},
	"android.crash": func(t *testing.T, s rules.Sample) []finding {
		return fromPtr(android.PrivilegedCrash(str(s, "process"), int64(num(s, "uid")), str(s, "signal")))
	},
}

// runNetUsage builds a DataUsage.sqlite from the sample's process and usage
// rows (and, for the missing-binary check, the files of a file-system
// dump) and runs the ios.datausage module over it.
func runNetUsage(t *testing.T, s rules.Sample) []finding {
	dir := t.TempDir()
	kind := source.IOSBackup
	rel := "WirelessDomain/Library/Databases/DataUsage.sqlite"
	if files := strs(s, "files"); files != nil {
		kind, rel = source.IOSFS, "private/var/wireless/Library/Databases/DataUsage.sqlite"
		for _, f := range files {
			p := moduletest.MkdirFor(t, dir, f)
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	db, err := sql.Open("sqlite", moduletest.MkdirFor(t, dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR)",
		"CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS INTEGER, ZTIMESTAMP TIMESTAMP, ZWWANIN FLOAT, ZWWANOUT FLOAT)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, row := range rows(s, "processes") {
		if _, err := db.Exec("INSERT INTO ZPROCESS VALUES (?, 600000000, 600000100, ?, ?)", row[0], row[2], row[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, row := range rows(s, "usage") {
		if _, err := db.Exec("INSERT INTO ZLIVEUSAGE VALUES (?, ?, 600000200, 1, 2)", row[0], row[1]); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	sink, err := moduletest.RunDir(t, datausage.Def(), kind, dir)
	if err != nil {
		t.Fatal(err)
	}
	return fromDetections(sink.Detections)
}

// runCorrelation streams the sample's events, seconds apart as given,
// through every correlation rule.
func runCorrelation(t *testing.T, s rules.Sample) []finding {
	base := time.Date(2023, 5, 1, 10, 0, 0, 0, time.UTC)
	list, _ := s["events"].([]any)
	rs := detect.Rules()
	for _, item := range list {
		e, _ := item.(map[string]any)
		ev := model.Event{Time: base.Add(time.Duration(num(e, "at")) * time.Second), Module: str(e, "module"), Desc: str(e, "desc"),
			Summary: str(e, "summary"), Source: str(e, "source"), Hosts: strs(e, "hosts"), Processes: strs(e, "processes")}
		for _, r := range rs {
			r.Observe(&ev)
		}
	}
	var ds []model.Detection
	for _, r := range rs {
		ds = append(ds, r.Findings()...)
	}
	return fromDetections(ds)
}

// runIndicator loads a one-indicator feed and matches one record through
// scan.MatchRecord, the pipeline's only matcher: kind "file" is an entry of
// a file-system dump (ios.filesystem's record: the path, and its name as a
// process), any other kind one observable.
func runIndicator(t *testing.T, s rules.Sample) []finding {
	dir := t.TempDir()
	testutil.WriteSTIX(t, dir, "feed.stix2", "TestSpy", []string{str(s, "pattern")})
	set, err := indicators.Load(filepath.Join(dir, "feed.stix2"))
	if err != nil {
		t.Fatal(err)
	}
	r := &model.Record{Module: "ios.filesystem"}
	v := str(s, "value")
	switch k := str(s, "kind"); k {
	case "file":
		r.Add(model.KindFilePath, v, "path")
		r.Add(model.KindProcess, filepath.Base(v), "name")
	default:
		field := k
		if f := str(s, "field"); f != "" {
			field = f
		}
		r.Add(model.Kind(k), v, field)
	}
	return fromDetections(scan.MatchRecord(set, r))
}

// TestRegistry runs every rule's samples through its code: every positive
// must give a finding of the rule (at the stated severity), no negative
// may, and every text must render in every language without a missing
// parameter.
func TestRegistry(t *testing.T) {
	for _, r := range rules.All() {
		t.Run(r.ID, func(t *testing.T) {
			run, ok := runners[r.Check]
			if !ok {
				t.Fatalf("check %q has no runner", r.Check)
			}
			if len(r.Samples.Positive) == 0 || len(r.Samples.Negative) == 0 {
				t.Fatalf("%d positive and %d negative samples; want at least one of each", len(r.Samples.Positive), len(r.Samples.Negative))
			}
			for i, s := range r.Samples.Positive {
				got := run(t, s)
				f, ok := find(got, r.ID)
				if !ok {
					t.Errorf("positive %d %v: no finding of the rule; got %v", i+1, s, ruleIDs(got))
					continue
				}
				if f.dropped {
					t.Errorf("positive %d %v: the finding is dropped by its context", i+1, s)
				}
				if want := str(s, "severity"); want != "" && f.sev.String() != want {
					t.Errorf("positive %d %v: severity %s, want %s", i+1, s, f.sev, want)
				}
				for lang, text := range f.text {
					if text == "" || strings.ContainsAny(text, "{}") {
						t.Errorf("positive %d: %s text %q is empty or has an unfilled placeholder", i+1, lang, text)
					}
				}
			}
			for i, s := range r.Samples.Negative {
				if f, ok := find(run(t, s), r.ID); ok && !f.dropped {
					t.Errorf("negative %d %v: the rule fired (%s)", i+1, s, f.sev)
				}
			}
		})
	}
}

// TestRegistryTexts checks what a reader depends on: every rule has a
// title and an explanation in every language, the same placeholders in
// each (a translation cannot drop the evidence value), term references
// that exist, and contexts whose sentences render.
func TestRegistryTexts(t *testing.T) {
	g := rules.Default()
	termPrefixes := map[string]bool{}
	for _, k := range g.TermKeys() {
		prefix, _, _ := strings.Cut(k, ".")
		termPrefixes[prefix] = true
		for _, lang := range rules.Languages {
			if s, ok := g.Term(k, lang); !ok || s == "" {
				t.Errorf("term %s has no %s text", k, lang)
			}
		}
	}
	for _, r := range g.Rules {
		if !rules.IDPattern.MatchString(r.ID) {
			t.Errorf("%s: id not in the scheme area.subject.what", r.ID)
		}
		var want map[string]string
		for _, lang := range rules.Languages {
			tx, ok := r.Text[lang]
			if !ok || tx.Title == "" || tx.Explain == "" {
				t.Errorf("%s: no %s title or explanation", r.ID, lang)
				continue
			}
			ph := rules.Placeholders(tx.Title + " " + tx.Explain + " " + strings.Join(tx.Benign, " "))
			for _, c := range r.Context {
				ph2 := rules.Placeholders(c.Text[lang])
				for k, v := range ph2 {
					ph[k] = v
				}
				if len(c.Text) > 0 && c.Text[lang] == "" {
					t.Errorf("%s: context %s has no %s sentence", r.ID, c.When, lang)
				}
			}
			for name, prefix := range ph {
				if prefix = strings.TrimSuffix(prefix, "?"); prefix != "" && !termPrefixes[prefix] {
					t.Errorf("%s: {%s:%s} names no terms", r.ID, name, prefix)
				}
			}
			if want == nil {
				want = ph
			} else if fmt.Sprint(sortedKeys(ph)) != fmt.Sprint(sortedKeys(want)) {
				t.Errorf("%s: %s uses placeholders %v, English %v", r.ID, lang, sortedKeys(ph), sortedKeys(want))
			}
		}
		if len(r.Text["en"].Benign) != len(r.Text["es"].Benign) {
			t.Errorf("%s: %d English and %d Spanish harmless explanations", r.ID, len(r.Text["en"].Benign), len(r.Text["es"].Benign))
		}
	}
}

// TestMustPanicsOnUnknownRule: a misspelt id fails at start, not silently.
func TestMustPanicsOnUnknownRule(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Must of an unknown id did not panic")
		}
	}()
	rules.Must("link.url.no_such_rule")
}

// TestContextSeverity pins the severity arithmetic on real rules.
func TestContextSeverity(t *testing.T) {
	tests := []struct {
		id   string
		ctx  []string
		want string // severity, or "dropped"
	}{
		{"link.url.shortened", nil, "low"},
		{"link.url.shortened", []string{"lure_stranger"}, "medium"},
		{"link.host.brand_near", []string{"lure"}, "high"},
		{"link.host.brand_homoglyph", []string{"lure"}, "high"}, // raise never passes high
		{"indicator.feed.match", nil, "critical"},
		{"indicator.feed.match", []string{"network"}, "high"},
		{"indicator.feed.match", []string{"elsewhere"}, "low"},
		{"indicator.feed.match", []string{"system_folder"}, "dropped"},
		{"message.lure.plain_link", []string{"lure_domain", "stranger"}, "medium"},
	}
	for _, tt := range tests {
		f := rules.Must(tt.id).New(nil, tt.ctx...)
		got := f.Severity.String()
		if f.Dropped() {
			got = "dropped"
		}
		if got != tt.want {
			t.Errorf("%s %v = %s, want %s", tt.id, tt.ctx, got, tt.want)
		}
	}
}

// TestFill: values are inserted once, never read as placeholders.
func TestFill(t *testing.T) {
	p := map[string]string{"v": "{x}", "x": "no", "themes": "death,visa"}
	if got := rules.Fill("en", "a {v} b", p); got != "a {x} b" {
		t.Errorf("got %q", got)
	}
	if got := rules.Fill("es", "{themes:theme}", p); !strings.Contains(got, "muerte") || !strings.Contains(got, "visa") {
		t.Errorf("terms not rendered in Spanish: %q", got)
	}
	if got := rules.Fill("en", "{missing}!", p); got != "!" {
		t.Errorf("missing parameter rendered %q", got)
	}
}

func find(fs []finding, id string) (finding, bool) {
	for _, f := range fs {
		if f.rule == id {
			return f, true
		}
	}
	return finding{}, false
}

func ruleIDs(fs []finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.rule+":"+f.sev.String())
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func str(s map[string]any, k string) string {
	switch v := s[k].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func strs(s map[string]any, k string) []string {
	list, ok := s[k].([]any)
	if !ok {
		return nil
	}
	out := []string{}
	for _, v := range list {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func rows(s map[string]any, k string) [][]any {
	list, _ := s[k].([]any)
	var out [][]any
	for _, v := range list {
		row, _ := v.([]any)
		out = append(out, row)
	}
	return out
}

func num(s map[string]any, k string) int {
	switch v := s[k].(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

func boolean(s map[string]any, k string) bool {
	b, _ := s[k].(bool)
	return b
}

func timestamp(t *testing.T, s map[string]any, k string) time.Time {
	v := str(s, k)
	if v == "" {
		return time.Time{}
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatalf("%s: %v", k, err)
	}
	return at
}

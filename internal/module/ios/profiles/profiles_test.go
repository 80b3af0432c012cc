package profiles

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/source/iosbackup"
	"github.com/huella-project/huella/internal/source/iosbackup/iosbackuptest"
	"github.com/huella-project/huella/internal/testutil"
)

func mustPlist(t *testing.T, v any) []byte {
	b, err := plist.Marshal(v, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runOn(t *testing.T, dir string, m module.Def) (*moduletest.Sink, error) {
	t.Helper()
	ev, err := iosbackup.Open(context.Background(), dir, iosbackup.Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	return moduletest.Run(t, m, ev)
}

var installed = time.Date(2023, 4, 5, 6, 7, 8, 0, time.UTC)

func profile(uuid, name string, types ...string) map[string]any {
	var content []any
	for _, t := range types {
		content = append(content, map[string]any{"PayloadType": t, "PayloadUUID": "X"})
	}
	return map[string]any{"PayloadUUID": uuid, "PayloadDisplayName": name, "PayloadDescription": "d",
		"PayloadIdentifier": "com.example." + name, "InstallDate": installed, "PayloadContent": content,
		"SignerCerts": []any{[]byte{1, 2, 3}}}
}

func TestProfiles(t *testing.T) {
	cases := []struct {
		name  string
		prof  map[string]any
		rules []string
	}{
		{"benign", profile("11111111-1111-1111-1111-111111111111", "wifi", "com.apple.wifi.managed"), nil},
		{"root cert and proxy", profile("22222222-2222-2222-2222-222222222222", "mitm", "com.apple.security.root", "com.apple.proxy.http.global"),
			[]string{"ios.profile.root_certificate", "ios.profile.global_proxy"}},
		{"mdm enrolment", profile("44444444-4444-4444-4444-444444444444", "mdm", "com.apple.mdm", "com.apple.security.pkcs12"), []string{"ios.profile.mdm"}},
		{"notifications", profile("33333333-3333-3333-3333-333333333333", "n", "com.apple.notificationsettings"), []string{"ios.profile.notification_settings"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			iosbackuptest.Backup{Files: []iosbackuptest.File{
				{Domain: profileDomain, Path: "Library/ConfigurationProfiles/profile-abc.stub", Flags: 1, Content: mustPlist(t, c.prof)},
				{Domain: profileDomain, Path: "Library/ConfigurationProfiles/other.plist", Flags: 1, Content: mustPlist(t, map[string]any{})},
			}}.Write(t, dir)
			s, err := runOn(t, dir, moduletest.Find(t, Defs(), "ios.profiles"))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != 1 {
				t.Fatalf("%d records", len(s.Records))
			}
			r := s.Records[0]
			if len(r.Observables) != 1 || r.Observables[0] != (model.Observable{Kind: model.KindProfileID, Value: c.prof["PayloadUUID"].(string), Field: "PayloadUUID"}) {
				t.Errorf("observables %+v", r.Observables)
			}
			if len(r.Times) != 1 || !r.Times[0].Time.Equal(installed) {
				t.Errorf("times %+v", r.Times)
			}
			var rules []string
			for _, d := range s.Detections {
				rules = append(rules, d.Rule)
			}
			if len(rules) != len(c.rules) {
				t.Fatalf("rules %v, want %v", rules, c.rules)
			}
			for i := range rules {
				if rules[i] != c.rules[i] {
					t.Errorf("rules %v, want %v", rules, c.rules)
				}
			}
		})
	}
}

func TestProfileEvents(t *testing.T) {
	dir := t.TempDir()
	events := map[string]any{"ProfileEvents": []any{
		map[string]any{"AAAA-1": map[string]any{"timestamp": installed, "operation": "install", "process": "/usr/libexec/evil", "Extra": "x"}},
		map[string]any{"BBBB-2": map[string]any{"operation": "remove", "process": "Settings"}},
		"junk",
	}}
	iosbackuptest.Backup{Files: []iosbackuptest.File{
		{Domain: profileDomain, Path: "Library/ConfigurationProfiles/MCProfileEvents.plist", Flags: 1, Content: mustPlist(t, events)},
	}}.Write(t, dir)
	s, err := runOn(t, dir, moduletest.Find(t, Defs(), "ios.profile_events"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2 || len(s.Detections) != 2 {
		t.Fatalf("%d records, %d detections", len(s.Records), len(s.Detections))
	}
	var first *model.Record
	for _, r := range s.Records {
		if r.Data.(Event).ProfileID == "AAAA-1" {
			first = r
		}
	}
	e := first.Data.(Event)
	if e.Operation != "install" || e.Timestamp == nil || e.Extra["extra"] != "x" || len(first.Observables) != 3 {
		t.Errorf("event %+v observables %+v", e, first.Observables)
	}
	for _, d := range s.Detections {
		if d.Severity != model.Low || d.Reason == "" {
			t.Errorf("detection %+v", d)
		}
	}
}

func TestConformanceMVTAbsent(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/ios_backup")
	for _, m := range []module.Def{moduletest.Find(t, Defs(), "ios.profiles"), moduletest.Find(t, Defs(), "ios.profile_events")} {
		if _, err := runOn(t, dir, m); !errors.Is(err, module.ErrAbsent) {
			t.Errorf("%s: %v", m.Name, err)
		}
	}
}

// TestImpossibleDatesKeptRaw: a profile's InstallDate and an event's
// timestamp past 2100 (which the plist decoder hands over as Cocoa seconds)
// are kept as stored on the records, not turned into no date.
func TestImpossibleDatesKeptRaw(t *testing.T) {
	far := time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC)
	raw := strconv.FormatFloat(far.Sub(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)).Seconds(), 'g', -1, 64)
	p := profile("U1", "mdm", "com.apple.mdm")
	p["InstallDate"] = far
	m, err := plistx.DecodeDict(mustPlist(t, p), plistx.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	r := Build("p.plist", m)
	moduletest.KeepsRaw(t, r, map[string]string{"configuration_profile_install": raw})
	if r.Data.(Profile).InstallDate != nil {
		t.Error("install date kept as a date")
	}
	ev, err := plistx.DecodeDict(mustPlist(t, map[string]any{"ProfileEvents": []any{
		map[string]any{"AAAA-1": map[string]any{"timestamp": far, "operation": "install", "process": "/usr/libexec/evil"}}}}), plistx.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rs := BuildEvents("e.plist", ev)
	if len(rs) != 1 {
		t.Fatalf("%d records", len(rs))
	}
	moduletest.KeepsRaw(t, rs[0], map[string]string{"profile_operation": raw})
}

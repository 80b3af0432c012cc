package webkit

import (
	"database/sql"
	"errors"
	"os"
	"testing"

	"howett.net/plist"

	_ "modernc.org/sqlite"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func buildObservations(t *testing.T, dir, logical string, full bool) {
	t.Helper()
	db, err := sql.Open("sqlite", moduletest.MkdirFor(t, dir, logical))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	extra := ""
	if full {
		extra = ", mostRecentUserInteractionTime REAL, mostRecentWebPushInteractionTime REAL"
	}
	stmts := []string{"CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT, lastSeen REAL, hadUserInteraction INTEGER" + extra + ")"}
	if full {
		stmts = append(stmts,
			"CREATE TABLE TopFrameUniqueRedirectsTo (sourceDomainID INTEGER, toDomainID INTEGER)",
			"INSERT INTO ObservedDomains VALUES (1, 'example.com', 1634560250.0, 1, 1634560030.0, -1.0)",
			"INSERT INTO ObservedDomains VALUES (2, 'evil.example.net', 1634560251.0, 0, -1.0, -1.0)",
			"INSERT INTO TopFrameUniqueRedirectsTo VALUES (1, 2)")
	} else {
		stmts = append(stmts, "INSERT INTO ObservedDomains VALUES (1, 'example.com', 1634560250.0, 0)")
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestObservations(t *testing.T) {
	tests := []struct {
		name, path  string
		kind        source.Kind
		full        bool
		wantRecords int
		wantApp     string
	}{
		{"backup full schema", "AppDomain-com.google.chrome.ios/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db", source.IOSBackup, true, 2, "com.google.chrome.ios"},
		{"fs minimal schema", "private/var/mobile/Containers/Data/Application/ABC/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db", source.IOSFS, false, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			buildObservations(t, dir, tc.path, tc.full)
			s, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.webkit_resource_load_statistics"), tc.kind, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != tc.wantRecords {
				t.Fatalf("records = %d, want %d", len(s.Records), tc.wantRecords)
			}
			d := s.Records[0].Data.(*ObservedDomain)
			if d.Domain != "example.com" || d.App != tc.wantApp || d.LastSeen.Year() != 2021 || !d.MostRecentWebPush.IsZero() {
				t.Errorf("first = %+v", d)
			}
			if tc.full && (d.MostRecentInteraction.IsZero() || len(d.RedirectedTo) != 1 || d.RedirectedTo[0] != "evil.example.net") {
				t.Errorf("full schema fields = %+v", d)
			}
			if o := s.Records[0].Observables; len(o) != 1 || o[0].Kind != model.KindDomain {
				t.Errorf("observables = %v", o)
			}
		})
	}
	if _, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.webkit_resource_load_statistics"), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("absent: %v", err)
	}
}

func resourceLog(t testing.TB) []byte {
	t.Helper()
	b, err := plist.Marshal(map[string]any{"version": 1, "browsingStatistics": []any{
		map[string]any{"PrevalentResourceOrigin": "lure.example.org", "topFrameUniqueRedirectsTo": []any{"exploit.example.net"},
			"topFrameUniqueRedirectsFrom":     []any{map[string]any{"origin": "sms-link.example.com"}},
			"subresourceUnderTopFrameOrigins": []any{map[string]any{"domain": "cdn.example.com"}, "cdn.example.com"},
			"hadUserInteraction":              true, "lastSeen": 1634560250.0, "mostRecentUserInteraction": 1634560200.0},
		map[string]any{"PrevalentResourceOrigin": "https://plain.example.com"},
		"not a dict",
	}}, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSessionLog(t *testing.T) {
	dir := t.TempDir()
	p := moduletest.MkdirFor(t, dir, "AppDomain-com.apple.mobilesafari/Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist")
	if err := os.WriteFile(p, resourceLog(t), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := moduletest.RunDir(t, moduletest.Find(t, Defs(), "ios.webkit_session_resource_log"), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2 {
		t.Fatalf("records = %d, want 2", len(s.Records))
	}
	r := s.Records[0]
	e := r.Data.(*LogEntry)
	if e.App != "com.apple.mobilesafari" || !e.HadUserInteraction || e.LastSeen.Year() != 2021 || len(e.Subresources) != 1 {
		t.Errorf("entry = %+v", e)
	}
	if len(r.Observables) != 4 {
		t.Errorf("observables = %v, want origin, from, to and the subresource", r.Observables)
	}
	if o := s.Records[1].Observables; len(o) != 1 || o[0].Kind != model.KindURL {
		t.Errorf("full origin: %v", o)
	}
}

func TestDecodeResourceLogErrors(t *testing.T) {
	wrong, _ := plist.Marshal(map[string]any{"browsingStatistics": "x"}, plist.XMLFormat)
	for name, b := range map[string][]byte{"garbage": []byte("nope"), "wrong type": wrong, "empty": {}} {
		if _, err := DecodeResourceLog(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzDecodeResourceLog(f *testing.F) {
	f.Add(resourceLog(f))
	x, _ := plist.Marshal(map[string]any{"browsingStatistics": []any{map[string]any{"PrevalentResourceOrigin": "a.b"}}}, plist.XMLFormat)
	f.Add(x)
	f.Add([]byte("bplist00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := DecodeResourceLog(b)
		if err != nil && entries != nil {
			t.Fatal("entries with an error")
		}
		if len(entries) > maxLogEntries {
			t.Fatal("entry limit not applied")
		}
	})
}

// TestImpossibleDatesKeptRaw: an observed domain's last-seen, interaction
// and web-push times that are no plausible date are kept as stored.
func TestImpossibleDatesKeptRaw(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, "private/var/mobile/Containers/Data/Application/ABC/Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db",
		"CREATE TABLE ObservedDomains (domainID INTEGER PRIMARY KEY, registrableDomain TEXT, lastSeen REAL, hadUserInteraction INTEGER, mostRecentUserInteractionTime REAL, mostRecentWebPushInteractionTime REAL)",
		"INSERT INTO ObservedDomains VALUES (1, 'example.com', 5e9, 1, 1e16, 9e9)")
	s := moduletest.MustRun(t, moduletest.Find(t, Defs(), "ios.webkit_resource_load_statistics"), moduletest.Evidence(t, source.IOSFS, dir))
	if len(s.Records) != 1 {
		t.Fatalf("%d records", len(s.Records))
	}
	moduletest.KeepsRaw(t, s.Records[0], map[string]string{"webkit_last_seen": "5e+09",
		"webkit_user_interaction": "1e+16", "webkit_web_push_interaction": "9e+09"})
	if d := s.Records[0].Data.(*ObservedDomain); !d.LastSeen.IsZero() || !d.MostRecentWebPush.IsZero() {
		t.Errorf("dates kept: %+v", d)
	}
}

package netusage

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

const dataUsagePath = "WirelessDomain/Library/Databases/DataUsage.sqlite"

type proc struct {
	pk           int64
	name, bundle string
}
type live struct {
	pk, proc int64
	ts       float64
}

func buildDataUsage(t *testing.T, dir string, procs []proc, lives []live, wifi bool) {
	t.Helper()
	buildDataUsageAt(t, dir, dataUsagePath, procs, lives, wifi)
}

func buildDataUsageAt(t *testing.T, dir, rel string, procs []proc, lives []live, wifi bool) {
	t.Helper()
	p := moduletest.MkdirFor(t, dir, rel)
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	liveCols := "Z_PK INTEGER PRIMARY KEY, ZHASPROCESS INTEGER, ZTIMESTAMP TIMESTAMP, ZWWANIN FLOAT, ZWWANOUT FLOAT"
	if wifi {
		liveCols += ", ZWIFIIN FLOAT, ZWIFIOUT FLOAT"
	}
	for _, q := range []string{
		"CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR)",
		"CREATE TABLE ZLIVEUSAGE (" + liveCols + ")",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, pr := range procs {
		if _, err := db.Exec("INSERT INTO ZPROCESS VALUES (?, ?, ?, ?, ?)", pr.pk, 600000000.5+float64(pr.pk), 600000100.0+float64(pr.pk), pr.bundle, pr.name); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range lives {
		if _, err := db.Exec("INSERT INTO ZLIVEUSAGE (Z_PK, ZHASPROCESS, ZTIMESTAMP, ZWWANIN, ZWWANOUT) VALUES (?, ?, ?, 10, 20)", l.pk, l.proc, l.ts); err != nil {
			t.Fatal(err)
		}
	}
}

func rules(ds []model.Detection) map[string]int {
	out := map[string]int{}
	for _, d := range ds {
		out[d.Rule]++
	}
	return out
}

func TestNetUsage(t *testing.T) {
	clean := []proc{{1, "1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.apple.Maps", "com.apple.Maps"}, {2, "mDNSResponder/com.apple.datausage.dns", "com.apple.datausage.dns"}, {3, "bh", ""}}
	tests := []struct {
		name        string
		procs       []proc
		lives       []live
		wifi        bool
		wantRecords int
		wantRules   map[string]int
		wantMissing string
	}{
		{"clean twin", clean, []live{{1, 1, 600000200}, {2, 2, 600000300}, {3, 2, 600000400}}, true, 4, map[string]int{}, ""},
		{"no wifi columns", clean, []live{{1, 3, 600000200}}, false, 3, map[string]int{}, ""},
		// A gap alone is a placeholder on the timeline, not a finding: real
		// clean phones have many (17 in one netusage.sqlite).
		{"gap in process ids", []proc{clean[0], {4, "bh", ""}, {5, "x", ""}}, nil, true, 4, map[string]int{}, "2-3"},
		{"orphaned usage rows", clean, []live{{1, 1, 600000200}, {2, 9, 600000300}, {3, 9, 600000301}, {4, 8, 600000302}}, true, 6,
			map[string]int{"ios.netusage.orphan_usage": 2}, ""},
		{"gap and orphan", []proc{clean[0], {3, "bh", ""}}, []live{{1, 2, 600000200}}, true, 4,
			map[string]int{"ios.netusage.orphan_usage": 1}, "2"},
	}
	m := ForPaths("ios.datausage", []string{dataUsagePath, "private/var/wireless/Library/Databases/DataUsage.sqlite"}, []source.Kind{source.IOSBackup})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			buildDataUsage(t, dir, tc.procs, tc.lives, tc.wifi)
			s, err := moduletest.RunDir(t, m, source.IOSBackup, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != tc.wantRecords {
				t.Errorf("records = %d, want %d", len(s.Records), tc.wantRecords)
			}
			got := rules(s.Detections)
			if len(got) != len(tc.wantRules) {
				t.Errorf("detections = %v, want %v", got, tc.wantRules)
			}
			for k, v := range tc.wantRules {
				if got[k] != v {
					t.Errorf("rule %s: %d detections, want %d", k, got[k], v)
				}
			}
			for _, d := range s.Detections {
				if d.Severity != model.Medium || d.Reason == "" || d.Record == nil {
					t.Errorf("detection %+v: want medium with a reason and a record", d)
				}
			}
			var missing string
			for _, r := range s.Records {
				if u := r.Data.(*Usage); u.Status == StatusMissing {
					missing = u.MissingIDs
				}
			}
			if missing != tc.wantMissing {
				t.Errorf("missing ids = %q, want %q", missing, tc.wantMissing)
			}
		})
	}
}

func TestNetUsageObservables(t *testing.T) {
	dir := t.TempDir()
	buildDataUsage(t, dir, []proc{
		{1, "1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.apple.Maps", "com.apple.Maps"},
		{2, "mDNSResponder/com.apple.datausage.dns", "com.apple.datausage.dns"},
		{3, "bh", ""},
		{4, "/private/var/tmp/hooker", ""},
	}, []live{{1, 3, 600000200}}, true)
	s, err := moduletest.RunDir(t, ForPaths("ios.datausage", []string{dataUsagePath}, nil), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"process:bh": true, "process:mDNSResponder": true, "app_id:com.apple.Maps": true, "app_id:com.apple.datausage.dns": true,
		"process:/private/var/tmp/hooker": true, "file_path:/private/var/tmp/hooker": true}
	got := map[string]bool{}
	for _, r := range s.Records {
		for _, o := range r.Observables {
			got[string(o.Kind)+":"+o.Value] = true
		}
		if strings.Contains(r.Summary, "1FB47783") && len(r.Observables) != 1 {
			t.Errorf("app row %q: a UUID is not a process name: %v", r.Summary, r.Observables)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missing observable %s (got %v)", k, got)
		}
	}
	for _, r := range s.Records {
		if r.Data.(*Usage).ProcessName == "bh" && len(r.Times) != 3 {
			t.Errorf("bh: %d stamps, want live, first and last", len(r.Times))
		}
	}
}

func TestNetUsageAbsentAndBadSchema(t *testing.T) {
	m := ForPaths("ios.netusage", []string{"private/var/networkd/netusage.sqlite"}, []source.Kind{source.IOSFS})
	if _, err := moduletest.RunDir(t, m, source.IOSFS, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Fatalf("empty evidence: err = %v, want ErrAbsent", err)
	}
	dir := t.TempDir()
	p := moduletest.MkdirFor(t, dir, "private/var/networkd/netusage.sqlite")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = moduletest.RunDir(t, m, source.IOSFS, dir)
	if err == nil || !strings.Contains(err.Error(), "netusage.sqlite") || !strings.Contains(err.Error(), "unknown schema") {
		t.Fatalf("bad schema: err = %v, want an unknown-schema error naming the file", err)
	}
}

// A process stored as an absolute path is matched on its last component by
// process indicators and as a path by file:path ones; before, the path was
// split at its first slash and nothing matched.
func TestNetUsageAbsolutePathMatches(t *testing.T) {
	dir := t.TempDir()
	buildDataUsage(t, dir, []proc{{1, "/private/var/tmp/hooker", ""}, {2, "/usr/libexec/stopwatchd", ""}}, nil, true)
	s, err := moduletest.RunDir(t, ForPaths("ios.datausage", []string{dataUsagePath}, nil), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	bundle := t.TempDir()
	testutil.WriteSTIX(t, bundle, "f.stix2", "Predator", []string{"[process:name='hooker']", "[file:path='/private/var/tmp/stop']"})
	set, err := indicators.Load(filepath.Join(bundle, "f.stix2"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range s.Records {
		for _, d := range scan.MatchRecord(set, r) {
			got = append(got, d.Observable.Value+"="+d.Indicator.Value+":"+d.Severity.String())
		}
	}
	if strings.Join(got, ",") != "/private/var/tmp/hooker=hooker:critical" {
		t.Errorf("matches %v, want the hooker process only", got)
	}
}

// MVT's file-system check: a process without a bundle id whose binary is
// nowhere in the dump. Only on file-system dumps that hold the system
// folders; a name cut to 15 or 16 bytes matches any file it starts.
func TestNetUsageMissingBinary(t *testing.T) {
	procs := []proc{{1, "bhd", ""}, {2, "mDNSResponder/com.apple.mDNSResponder", ""}, {3, "com.apple.WebKit", ""}, {4, "kernel_task", ""},
		{5, "Maps/com.apple.Maps", "com.apple.Maps"}, {6, "com.apple.Safar", ""}}
	tests := []struct {
		name  string
		kind  source.Kind
		files []string
		want  []string
	}{
		{"full dump", source.IOSFS, []string{"usr/sbin/mDNSResponder", "usr/libexec/x",
			"System/Library/Frameworks/WebKit.framework/XPCServices/com.apple.WebKit.WebContent.xpc/com.apple.WebKit.WebContent"}, []string{"bhd", "com.apple.Safar"}},
		{"dump without system folders", source.IOSFS, []string{"private/var/mobile/x"}, nil},
		{"backup", source.IOSBackup, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			rel := dataUsagePath
			if tt.kind == source.IOSFS {
				rel = "private/var/wireless/Library/Databases/DataUsage.sqlite"
			}
			for _, f := range tt.files {
				if err := os.WriteFile(moduletest.MkdirFor(t, dir, f), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			buildDataUsageAt(t, dir, rel, procs, nil, true)
			s, err := moduletest.RunDir(t, ForPaths("ios.datausage", []string{dataUsagePath, "private/var/wireless/Library/Databases/DataUsage.sqlite"}, nil), tt.kind, dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range s.Detections {
				if d.Rule == "ios.netusage.missing_binary" {
					got = append(got, d.Params["process"])
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("missing binaries %v, want %v", got, tt.want)
			}
		})
	}
}

// TestGapAfterImpossibleDateKeptRaw: the placeholder for deleted process
// rows is dated by the process before the gap; when that date is no
// plausible date it is kept as stored, not dropped.
func TestGapAfterImpossibleDateKeptRaw(t *testing.T) {
	dir := t.TempDir()
	buildDataUsage(t, dir, []proc{{1, "a", ""}, {4, "b", ""}}, nil, true)
	moduletest.Exec(t, filepath.Join(dir, dataUsagePath), "UPDATE ZPROCESS SET ZFIRSTTIMESTAMP = 9.5e9 WHERE Z_PK = 1")
	m := ForPaths("ios.datausage", []string{dataUsagePath}, []source.Kind{source.IOSBackup})
	s := moduletest.MustRun(t, m, moduletest.Evidence(t, source.IOSBackup, dir))
	found := false
	for _, r := range s.Records {
		if u := r.Data.(*Usage); u.Status == StatusMissing {
			found = true
			moduletest.KeepsRaw(t, r, map[string]string{"process_record_deleted_after": "9500000000"})
		}
	}
	if !found {
		t.Fatal("no placeholder for the gap")
	}
}

package casestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

// The store suite: every test runs against the embedded SQLite store and,
// when HUELLA_TEST_POSTGRES names a server (required under CI=true), against
// PostgreSQL, each in a fresh schema.

type opened struct {
	dsn string
	s   *Store
}

func forEachStore(t *testing.T, fn func(t *testing.T, o *opened)) {
	t.Run("sqlite", func(t *testing.T) {
		dsn := filepath.Join(t.TempDir(), "data", "cases.db")
		fn(t, openStore(t, dsn))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, openStore(t, testutil.Postgres(t)))
	})
}

func openStore(t *testing.T, dsn string) *opened {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	o := &opened{dsn: dsn, s: s}
	t.Cleanup(func() { o.s.Close() })
	return o
}

// reopen closes and opens the store again (what the next command does).
func (o *opened) reopen(t *testing.T) {
	t.Helper()
	if err := o.s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), o.dsn)
	if err != nil {
		t.Fatal(err)
	}
	o.s = s
}

var ctx = context.Background()

// fakeRun is a stored check of a made-up phone. Every value that belongs to
// this phone alone contains tag, so a test can look for any trace of it.
func fakeRun(tag string, plant ...model.Observable) RunInput { return fakeRunN(tag, 0, plant...) }

// fakeRunN adds filler visits with values of this phone alone
// (https://fill<i>.<tag>.example/p), so stores grow deep B-trees.
func fakeRunN(tag string, filler int, plant ...model.Observable) RunInput {
	started := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	at := func(m int) []model.Stamp {
		return []model.Stamp{{Time: started.Add(-time.Duration(m) * time.Hour).Add(123456789 * time.Nanosecond), Desc: "x"}}
	}
	recs := map[string][]model.Record{
		"ios.sms": {
			{Module: "ios.sms", Source: "HomeDomain/Library/SMS/sms.db", Summary: "secret message text " + tag, Times: at(1),
				Observables: []model.Observable{{Kind: model.KindEmail, Value: "+52 55 " + tag, Field: "handle"},
					{Kind: model.KindURL, Value: "https://news." + tag + ".example/article?id=7", Field: "text"},
					{Kind: model.KindURL, Value: "https://www.popular.example/", Field: "text"}}},
			{Module: "ios.sms", Source: "HomeDomain/Library/SMS/sms.db", Summary: "no links", Times: at(2)},
		},
		"ios.datausage": {
			{Module: "ios.datausage", Source: "WirelessDomain/Library/Databases/DataUsage.sqlite", Times: at(3),
				Observables: []model.Observable{{Kind: model.KindProcess, Value: "proc-" + tag, Field: "process"}, {Kind: model.KindProcess, Value: "mobilesafari", Field: "process"}}},
		},
		"ios.manifest": {
			{Module: "ios.manifest", Source: "Manifest.db",
				Observables: []model.Observable{{Kind: model.KindFilePath, Value: "/private/var/mobile/Library/" + tag + "/file.plist", Field: "path"}}},
		},
		"android.aqf_packages": {
			{Module: "android.aqf_packages", Source: "packages.json", Times: at(5),
				Observables: []model.Observable{{Kind: model.KindAppID, Value: "com." + tag + ".app", Field: "package"},
					{Kind: model.KindSHA256, Value: hex.EncodeToString(sum(tag + "apk")), Field: "sha256"},
					{Kind: model.KindIP, Value: "198.51.100.7", Field: "ip"}}},
		},
	}
	for i := 0; i < filler; i++ {
		recs["ios.chrome_history"] = append(recs["ios.chrome_history"], model.Record{Module: "ios.chrome_history", Source: "History",
			Summary: "page title", Times: at(i % 50), Observables: []model.Observable{
				{Kind: model.KindURL, Value: fmt.Sprintf("https://fill%d.%s.example/p", i, tag), Field: "url"},
				{Kind: model.KindURL, Value: fmt.Sprintf("https://shared%d.example/", i%10), Field: "url"}}})
	}
	if len(plant) > 0 {
		recs["ios.safari_history"] = []model.Record{{Module: "ios.safari_history", Source: "HomeDomain/Library/Safari/History.db",
			Summary: "visit " + tag, Times: at(4), Observables: plant}}
	}
	modules := make([]string, 0, len(recs))
	for m := range recs {
		modules = append(modules, m)
	}
	sort.Strings(modules)
	info := results.Info{
		SchemaVersion: model.SchemaVersion,
		Tool:          results.Tool{Name: "huella", Version: "test"},
		Command:       []string{"huella", "check", "/evidence/" + tag},
		Started:       started, Finished: started.Add(time.Minute),
		Evidence: results.EvidenceInfo{Kind: source.IOSBackup, Path: "/evidence/" + tag,
			Device: source.Device{Platform: "ios", Name: "iPhone of " + tag, Model: "iPhone14,2", OSVersion: "17.1", ID: "udid-" + tag}},
		Inputs:  []source.InputFile{{Path: "/evidence/" + tag + "/Manifest.db", Size: 1234, SHA256: hex.EncodeToString(sum(tag + "manifest"))}},
		Summary: results.Summary{ExitStatus: 1, Highest: "high"},
	}
	d := recs["ios.sms"][0]
	obs := d.Observables[1]
	dets := []model.Detection{{Module: "ios.sms", Kind: model.ByIndicator, Rule: "ioc", Severity: model.High,
		Reason: "The link " + obs.Value + " matches.", Time: d.FirstTime(), Observable: &obs,
		Indicator: &model.IndicatorRef{Type: "domain-name:value", Value: tag + ".example", Campaign: "Known", File: "old.stix2", ID: "indicator--old"},
		Record:    &d}}
	return RunInput{Case: "case-" + tag, ResultsDir: "/results/" + tag, Info: info, Detections: dets,
		Records: func(yield func(int, *model.Record) error) error {
			for _, m := range modules {
				for i := range recs[m] {
					r := recs[m][i]
					if err := yield(i, &r); err != nil {
						return err
					}
				}
			}
			return nil
		}}
}

func sum(s string) []byte { b := sha256.Sum256([]byte(s)); return b[:] }

func TestAddListShowRemove(t *testing.T) {
	forEachStore(t, func(t *testing.T, o *opened) {
		res, err := o.s.AddRun(ctx, fakeRun("alpha1"))
		if err != nil {
			t.Fatal(err)
		}
		if !res.NewCase || res.Records != 5 || res.Observations != 9 || res.Findings != 1 {
			t.Errorf("add: %+v, want a new case with 5 records, 9 observations, 1 finding", res)
		}
		if _, err := o.s.AddRun(ctx, fakeRun("alpha1")); !errors.Is(err, ErrRunExists) {
			t.Errorf("adding the same run twice: %v, want ErrRunExists", err)
		}
		second := fakeRun("beta22")
		second.Case = "case-alpha1"
		res2, err := o.s.AddRun(ctx, second)
		if err != nil {
			t.Fatal(err)
		}
		if res2.NewCase || res2.NewValues >= res2.Values {
			t.Errorf("second run: %+v; shared values (popular.example, mobilesafari, the IP) must be reused", res2)
		}
		o.reopen(t)
		cs, err := o.s.Cases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].Runs != 2 || cs[0].Observations != 18 || cs[0].Findings != 2 || cs[0].Highest != "high" || !strings.Contains(cs[0].Device, "iPhone of beta22") {
			t.Errorf("list: %+v", cs)
		}
		d, err := o.s.Detail(ctx, "case-alpha1")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.RunList) != 2 || d.RunList[0].Evidence.Device.ID != "udid-alpha1" || len(d.RunList[0].Inputs) != 1 ||
			d.RunList[0].Inputs[0].SHA256 != hex.EncodeToString(sum("alpha1manifest")) || d.RunList[0].ResultsDir != "/results/alpha1" ||
			d.RunList[0].Command[2] != "/evidence/alpha1" || d.RunList[0].Records != 5 {
			t.Errorf("show runs: %+v", d.RunList)
		}
		if d.Values["url"] != 3 || d.Values["process"] != 3 {
			t.Errorf("values by kind %v, want url 3 (two own links, one shared), process 3", d.Values)
		}
		if len(d.Findings) != 2 || d.Findings[0].Detection.Record.Summary != "" {
			t.Errorf("findings %+v: the record's text must not be stored without --keep-records", d.Findings)
		}
		if err := o.s.Remove(ctx, "case-alpha1"); err != nil {
			t.Fatal(err)
		}
		if cs, _ := o.s.Cases(ctx); len(cs) != 0 {
			t.Errorf("after rm: %+v", cs)
		}
		if err := o.s.Remove(ctx, "case-alpha1"); !errors.Is(err, ErrNoCase) {
			t.Errorf("rm of a removed case: %v", err)
		}
		for _, table := range []string{"vals", "val_keys", "run_vals", "obs", "origins", "inputs", "runs", "findings", "records"} {
			var n int
			if err := o.s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s holds %d rows after the only case was removed (%v)", table, n, err)
			}
		}
	})
}

// traces lists every string of a fake run's phone, and the 8-byte codes of
// its own values' keys, that must not survive its removal; all of them are
// in the store while the case is.
func traces(tag string, key *HMACKey, many bool) [][]byte {
	var out [][]byte
	for _, s := range []string{tag, "udid-" + tag, "case-" + tag, hex.EncodeToString(sum(tag + "manifest"))} {
		out = append(out, []byte(s))
	}
	if key == nil {
		out = append(out, []byte(hex.EncodeToString(sum(tag+"apk"))))
	}
	for _, o := range []model.Observable{
		{Kind: model.KindURL, Value: "https://fill1234." + tag + ".example/p"},
		{Kind: model.KindURL, Value: "https://news." + tag + ".example/article?id=7"},
		{Kind: model.KindProcess, Value: "proc-" + tag},
		{Kind: model.KindAppID, Value: "com." + tag + ".app"},
		{Kind: model.KindSHA256, Value: hex.EncodeToString(sum(tag + "apk"))},
	} {
		if strings.Contains(o.Value, "fill") && !many {
			continue
		}
		keys := indicators.ObservableKeys(o)
		k := keyer{key: key}
		if key != nil {
			out = append(out, []byte(k.storedValue(o, keys)))
		}
		out = append(out, digest(k.storedValue(o, keys)))
		for _, lk := range keys {
			if !strings.Contains(lk.Text, tag) && o.Kind != model.KindSHA256 {
				continue // a parent domain or a suffix other phones share
			}
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(k.textCode(lk.Space, lk.Text)))
			out = append(out, b[:])
		}
	}
	return out
}

func storeBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal", path + "-journal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// TestRemoveLeavesNothing: after `case rm`, no value, name, hash, device id
// or key code of the case is left. SQLite: in the raw bytes of the store
// file and its log; PostgreSQL: in any row of any table.
func TestRemoveLeavesNothing(t *testing.T) {
	key, _ := NewHMACKey([]byte("0123456789abcdef0123456789abcdef"))
	for _, mode := range []struct {
		name string
		keep bool
		key  *HMACKey
		many bool
	}{{"plain", false, nil, false}, {"keep-records", true, nil, false}, {"hmac", false, key, false}, {"many cases", false, nil, true}} {
		t.Run(mode.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, o *opened) {
				gone, kept := "gonecase7q", "keptcase3z"
				tags, filler := []string{kept, gone, "other5x"}, 0
				if mode.many {
					// Thousands of rows per case and cases on both sides of
					// the one removed: deep trees, pages split and merged.
					tags, filler = []string{kept}, 1500
					for i := 0; i < 8; i++ {
						tags = append(tags, fmt.Sprintf("fill%02dcase", i))
						if i == 4 {
							tags = append(tags, gone)
						}
					}
				}
				for _, tag := range tags {
					in := fakeRunN(tag, filler)
					in.KeepRecords, in.HMAC = mode.keep, mode.key
					if _, err := o.s.AddRun(ctx, in); err != nil {
						t.Fatal(err)
					}
				}
				// A hunt finding and a hunt outcome for the case, too.
				h, err := o.s.BeginHunt(ctx, false, nil)
				if err != nil {
					t.Fatal(err)
				}
				c, _ := o.s.Case(ctx, "case-"+gone)
				det := model.Detection{Module: "ios.datausage", Kind: model.ByIndicator, Rule: "ioc", Severity: model.Critical,
					Reason: "proc-" + gone, Observable: &model.Observable{Kind: model.KindProcess, Value: "proc-" + gone},
					Indicator: &model.IndicatorRef{ID: "indicator--new", Type: "process:name", Value: "proc-" + gone}}
				if err := o.s.FinishHunt(ctx, h, []HuntCaseOutcome{{CaseID: c.ID, HMAC: mode.key, New: []NewFinding{{RunID: 1, Detection: det,
					Stored: observedValue(det, mode.key)}}, Status: "hunted", Covered: true}}, HuntTotals{}); err != nil {
					t.Fatal(err)
				}
				if err := o.s.Remove(ctx, "case-"+gone); err != nil {
					t.Fatal(err)
				}
				o.reopen(t)
				if o.s.Engine() == SQLite {
					o.s.Close()
					raw := storeBytes(t, o.dsn)
					for _, tr := range traces(gone, mode.key, mode.many) {
						if i := bytes.Index(raw, tr); i >= 0 {
							t.Errorf("%q (%x) is still in the store file at byte %d", tr, tr, i)
						}
					}
					if mode.keep && bytes.Contains(raw, []byte("secret message text "+gone)) {
						t.Error("a kept record's text is still in the store file")
					}
					for _, tr := range traces(kept, mode.key, mode.many) {
						if !bytes.Contains(raw, tr) {
							t.Fatalf("%q of the case kept is not in the file: the scan proves nothing", tr)
						}
					}
					o.reopen(t)
					return
				}
				tables, err := o.s.Tables(ctx)
				if err != nil || len(tables) < 10 {
					t.Fatalf("tables %v %v", tables, err)
				}
				count := func(table string, tr []byte) int {
					// Every column, as text: bytea columns print as \x<hex>,
					// so an 8-byte key code is looked for in hex (packed in
					// vals.keys) and in decimal (val_keys.k).
					a, b := string(tr), hex.EncodeToString(tr)
					switch {
					case len(tr) == 8: // a key code; every text trace is longer
						a = fmt.Sprint(int64(binary.BigEndian.Uint64(tr)))
					case !utf8.Valid(tr): // a digest: only in bytea columns
						a = b
					}
					var n int
					q := fmt.Sprintf("SELECT COUNT(*) FROM %s t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0", table)
					if err := o.s.DB().QueryRowContext(ctx, q, a, b).Scan(&n); err != nil {
						t.Fatal(err)
					}
					return n
				}
				for _, table := range tables {
					for _, tr := range traces(gone, mode.key, mode.many) {
						if n := count(table, tr); n > 0 {
							t.Errorf("table %s: %d rows still hold %q", table, n, tr)
						}
					}
				}
				found := 0
				for _, table := range tables {
					found += count(table, []byte(kept))
				}
				if found == 0 {
					t.Fatal("the case kept is in no table: the query proves nothing")
				}
			})
		})
	}
}

func TestReopenIsMigratedOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, o *opened) {
		v, err := o.s.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version %d %v", v, err)
		}
		o.reopen(t)
		v2, err := o.s.SchemaVersion(ctx)
		if err != nil || v2 != v {
			t.Fatalf("after reopening: %d %v, want %d", v2, err, v)
		}
	})
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(ctx, filepath.Join(dir, "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "cases.db"): 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", p, st.Mode().Perm(), want)
		}
	}
}

func TestAddRefusals(t *testing.T) {
	key, _ := NewHMACKey([]byte("0123456789abcdef"))
	other, _ := NewHMACKey([]byte("fedcba9876543210"))
	forEachStore(t, func(t *testing.T, o *opened) {
		in := fakeRun("refusal1")
		in.HMAC = key
		if _, err := o.s.AddRun(ctx, in); err != nil {
			t.Fatal(err)
		}
		for name, mut := range map[string]func(*RunInput){
			"plain run in an HMAC case": func(r *RunInput) {},
			"other key":                 func(r *RunInput) { r.HMAC = other },
			"keep with HMAC":            func(r *RunInput) { r.HMAC, r.KeepRecords = key, true },
			"no name":                   func(r *RunInput) { r.Case = " " },
		} {
			r := fakeRun("refusal2")
			r.Case = "case-refusal1"
			mut(&r)
			if _, err := o.s.AddRun(ctx, r); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		if _, err := NewHMACKey([]byte("short")); err == nil {
			t.Error("a 5-byte HMAC key was accepted")
		}
	})
}

// TestCandidatesFollowTheMatcher: the index finds parent domains, URLs,
// CIDR ranges, process names and paths, only in the runs asked for.
func TestCandidatesFollowTheMatcher(t *testing.T) {
	forEachStore(t, func(t *testing.T, o *opened) {
		plant := []model.Observable{
			{Kind: model.KindURL, Value: "https://a.b.evil-cdn.example/x?utm=1", Field: "url"},
			{Kind: model.KindDomain, Value: "tracker.example", Field: "host"},
		}
		var targets []Target
		for _, tag := range []string{"cand1", "cand2"} {
			var p []model.Observable
			if tag == "cand1" {
				p = plant
			}
			res, err := o.s.AddRun(ctx, fakeRun(tag, p...))
			if err != nil {
				t.Fatal(err)
			}
			targets = append(targets, Target{RunID: res.RunID, CaseID: res.CaseID})
		}
		tests := []struct {
			pattern string
			want    []string // "case module value"
		}{
			{"[domain-name:value = 'evil-cdn.example']", []string{"1 ios.safari_history https://a.b.evil-cdn.example/x?utm=1"}},
			{"[url:value = 'http://a.b.evil-cdn.example/x']", []string{"1 ios.safari_history https://a.b.evil-cdn.example/x?utm=1"}},
			{"[ipv4-addr:value = '198.51.100.0/28']", []string{"1 android.aqf_packages 198.51.100.7", "2 android.aqf_packages 198.51.100.7"}},
			{"[process:name = 'proc-cand2']", []string{"2 ios.datausage proc-cand2"}},
			{"[file:path = '/var/mobile/Library/cand1/']", []string{"1 ios.manifest /private/var/mobile/Library/cand1/file.plist"}},
			{"[domain-name:value = 'popular.example']", []string{"1 ios.sms https://www.popular.example/", "2 ios.sms https://www.popular.example/"}},
			{"[domain-name:value = 'absent.example']", nil},
		}
		for _, tt := range tests {
			set := compileSTIX(t, tt.pattern)
			var got []string
			_, err := o.s.Candidates(ctx, targets, ProbeFor(set.Keys(), nil), func(c Candidate) error {
				for _, ob := range c.Record.Observables {
					if len(set.Match(ob)) > 0 {
						got = append(got, fmt.Sprintf("%d %s %s", c.CaseID, c.Module, ob.Value))
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(got)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("%s: %v, want %v", tt.pattern, got, tt.want)
			}
		}
		// A rebuilt record keeps the first time to the nanosecond (a finding's
		// time is its record's first time).
		want := fakeRun("cand1", plant...)
		var orig *model.Record
		want.Records(func(_ int, r *model.Record) error {
			if r.Module == "ios.safari_history" {
				orig = r
			}
			return nil
		})
		set0 := compileSTIX(t, "[domain-name:value = 'tracker.example']")
		if _, err := o.s.Candidates(ctx, targets, ProbeFor(set0.Keys(), nil), func(c Candidate) error {
			if !c.Record.FirstTime().Equal(*orig.FirstTime()) || c.Record.Source != orig.Source || c.Rec != 0 {
				t.Errorf("rebuilt record %+v, want first time %v and source %s", c.Record, orig.FirstTime(), orig.Source)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// Only the runs asked for.
		set := compileSTIX(t, "[domain-name:value = 'popular.example']")
		n := 0
		if _, err := o.s.Candidates(ctx, targets[1:], ProbeFor(set.Keys(), nil), func(c Candidate) error {
			if c.CaseID != targets[1].CaseID {
				t.Errorf("candidate of case %d, asked for %d", c.CaseID, targets[1].CaseID)
			}
			n++
			return nil
		}); err != nil || n != 1 {
			t.Errorf("%d candidates, %v", n, err)
		}
	})
}

func compileSTIX(t *testing.T, pattern string) *indicators.Set {
	t.Helper()
	p := testutil.WriteSTIX(t, t.TempDir(), "f.stix2", "Test", []string{pattern})
	s, err := indicators.Load(p)
	if err != nil || s.Len() == 0 {
		t.Fatalf("%s: %v %+v", pattern, err, s.Problems)
	}
	return s
}

// TestSchemasAgree: the two engines' migrations create the same tables with
// the same columns, in every version.
func TestSchemasAgree(t *testing.T) {
	read := func(engine string) map[string][]string {
		ents, err := migrations.ReadDir("migrations/" + engine)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		table := regexp.MustCompile(`(?s)CREATE TABLE (\w+) \((.*?)\n\)`)
		for _, e := range ents {
			b, _ := migrations.ReadFile("migrations/" + engine + "/" + e.Name())
			up := strings.Split(string(b), "-- +goose Down")[0]
			for _, m := range table.FindAllStringSubmatch(up, -1) {
				for _, line := range strings.Split(m[2], "\n") {
					f := strings.Fields(strings.TrimSpace(line))
					if len(f) == 0 || f[0] == "PRIMARY" || f[0] == "UNIQUE" || strings.HasPrefix(f[0], "--") {
						continue
					}
					out[e.Name()+" "+m[1]] = append(out[e.Name()+" "+m[1]], f[0])
				}
				sort.Strings(out[e.Name()+" "+m[1]])
			}
		}
		return out
	}
	a, b := read("sqlite"), read("postgres")
	if len(a) < 10 {
		t.Fatalf("parsed %d tables: the test no longer reads the migrations", len(a))
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("schemas differ:\nsqlite:   %v\npostgres: %v", a, b)
	}
}

// TestLoadAcrossFlushes: values seen again after the loader flushed are
// linked by id, counted once, and found by the index.
func TestLoadAcrossFlushes(t *testing.T) {
	forEachStore(t, func(t *testing.T, o *opened) {
		o.s.flushEvery = 7
		res, err := o.s.AddRun(ctx, fakeRunN("flush1", 40))
		if err != nil {
			t.Fatal(err)
		}
		d, err := o.s.Detail(ctx, "case-flush1")
		if err != nil {
			t.Fatal(err)
		}
		// Links: 40 own filler, 10 shared ones seen 4 times each, and the
		// message's two.
		if d.Values["url"] != 52 || res.Observations != 89 || res.Values != 59 {
			t.Errorf("values %v (%d), observations %d; want 52 distinct links, 59 values, 89 observations", d.Values, res.Values, res.Observations)
		}
		// A batch of runs in one transaction: values resolved for the first
		// run are linked to the second too.
		rs, err := o.s.AddRuns(ctx, []RunInput{fakeRunN("flush2", 40), fakeRunN("flush3", 40)})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"case-flush2", "case-flush3"} {
			d, err := o.s.Detail(ctx, name)
			if err != nil || d.Values["url"] != 52 || d.Observations != 89 {
				t.Errorf("%s in a batch: values %v, observations %d (%v)", name, d.Values, d.Observations, err)
			}
		}
		if len(rs) != 2 || rs[0].RunID == rs[1].RunID {
			t.Errorf("batch results %+v", rs)
		}
		set := compileSTIX(t, "[domain-name:value = 'shared3.example']")
		n := 0
		if _, err := o.s.Candidates(ctx, []Target{{RunID: res.RunID, CaseID: res.CaseID}}, ProbeFor(set.Keys(), nil), func(c Candidate) error {
			n++
			return nil
		}); err != nil || n != 4 {
			t.Errorf("shared3.example: %d candidate records (%v), want 4", n, err)
		}
	})
}

// TestLongValues: a link far longer than an index entry may be is stored,
// interned once, and found through its host.
func TestLongValues(t *testing.T) {
	forEachStore(t, func(t *testing.T, o *opened) {
		long := "https://long.evil-long.example/" + strings.Repeat("a", 20000)
		var targets []Target
		for _, tag := range []string{"long1", "long2"} {
			res, err := o.s.AddRun(ctx, fakeRun(tag, model.Observable{Kind: model.KindURL, Value: long, Field: "url"},
				model.Observable{Kind: model.KindURL, Value: long + "b", Field: "url"}))
			if err != nil {
				t.Fatal(err)
			}
			if res.SkippedLarge != 0 {
				t.Errorf("%d values skipped", res.SkippedLarge)
			}
			targets = append(targets, Target{RunID: res.RunID, CaseID: res.CaseID})
		}
		var n int
		if err := o.s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM vals WHERE kind = 'url' AND value LIKE 'https://long.%'").Scan(&n); err != nil || n != 2 {
			t.Errorf("%d long links stored (%v), want 2 (interned once each)", n, err)
		}
		set := compileSTIX(t, "[domain-name:value = 'evil-long.example']")
		found := 0
		if _, err := o.s.Candidates(ctx, targets, ProbeFor(set.Keys(), nil), func(c Candidate) error {
			found += len(c.Record.Observables)
			return nil
		}); err != nil || found != 4 {
			t.Errorf("found %d long observables (%v), want 4", found, err)
		}
	})
}

// prepare gives the statements in the order of the queries, or an error
// (and none) when any query does not prepare.
func TestSessionPrepare(t *testing.T) {
	forEachStore(t, func(t *testing.T, o *opened) {
		tests := []struct {
			queries []string
			wantErr bool
		}{
			{[]string{"SELECT 1", "SELECT 2", "SELECT 3"}, false},
			{nil, false},
			{[]string{"SELECT 1", "SELECT FROM no_such_table WHERE", "SELECT 3"}, true},
		}
		for _, tt := range tests {
			s, err := o.s.begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			stmts, closeStmts, err := s.prepare(ctx, tt.queries...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("%q: err %v", tt.queries, err)
			}
			if err == nil {
				if len(stmts) != len(tt.queries) {
					t.Fatalf("%q: %d statements", tt.queries, len(stmts))
				}
				for i, st := range stmts {
					var n int
					if err := st.QueryRowContext(ctx).Scan(&n); err != nil || n != i+1 {
						t.Errorf("%q: statement %d gave %d, %v", tt.queries, i, n, err)
					}
				}
				closeStmts()
			}
			s.end()
		}
	})
}

package conformance

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/testutil"
)

// Evidence a person exports from the phone alone, judged on real data
// (../shared/realdata) with every feed in ../shared/iocs: ordinary traffic
// must never give a high or critical finding. The App Privacy Report is
// where this matters most, since an app contacting a listed domain by
// itself is critical.

// realApps are real bundle ids of apps that talk to many domains.
var realApps = []string{"com.apple.mobilesafari", "net.whatsapp.WhatsApp", "com.burbn.instagram", "com.google.chrome.ios",
	"ph.telegra.Telegraph", "com.spotify.client", "com.google.ios.youtube", "com.facebook.Facebook", "com.atebits.Tweetie2",
	"com.apple.news"}

// noHighFindings fails on every high or critical finding of a check but
// those listed allows: an indicator that is itself one of the popular
// domains (see listedByFeeds).
func noHighFindings(t *testing.T, r run, what string, listed map[string]bool) []model.Detection {
	t.Helper()
	if r.code == results.ExitError {
		t.Fatalf("%s: exit %d\n%s", what, r.code, r.stderr)
	}
	dets := readDetections(t, r.out)
	var bad []string
	for _, d := range dets {
		if d.Severity >= model.High && (d.Indicator == nil || !listed[strings.ToLower(d.Indicator.Value)]) {
			bad = append(bad, d.Severity.String()+" "+d.Rule+": "+d.Reason)
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: %d high or critical findings on ordinary data:\n%s", what, len(bad), strings.Join(bad[:min(len(bad), 30)], "\n"))
	}
	bySeverity := map[string]int{}
	for _, d := range dets {
		bySeverity[d.Severity.String()+" "+d.Rule]++
	}
	t.Logf("%s: findings %v", what, bySeverity)
	return dets
}

// listedByFeeds are the popular domains that a feed lists as they are:
// the websites of stalkerware vendors (life360.com, mobile-tracker-free.com
// in the stalkerware feed). A match there is what the feed says, not a
// collision; every other popular domain must match nothing. Their number
// is logged.
func listedByFeeds(t *testing.T, feeds string, domains []string) map[string]bool {
	t.Helper()
	values := map[string]bool{}
	re := regexp.MustCompile(`domain-name:value\s*=\s*'([^']+)'`)
	err := filepath.WalkDir(feeds, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".stix2") {
			return err
		}
		b, err := os.ReadFile(p)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			values[strings.ToLower(m[1])] = true
		}
		return err
	})
	if err != nil || len(values) < 1000 {
		t.Fatalf("%d domain indicators in the feeds (%v): the pattern reading is broken", len(values), err)
	}
	out := map[string]bool{}
	var names []string
	for _, d := range domains {
		if values[strings.ToLower(d)] {
			out[strings.ToLower(d)] = true
			names = append(names, d)
		}
	}
	t.Logf("popular domains the feeds list themselves (their matches are allowed): %v", names)
	if len(out) > 10 {
		t.Fatalf("%d popular domains listed by the feeds: the popular list or the feeds changed", len(out))
	}
	return out
}

// The 5,000 most popular domains (Tranco), each contacted by a real app by
// itself (the contact that counts as critical when a feed lists the
// domain), from a website shown in Safari, and as www. and api. hosts, in
// an App Privacy Report checked with every feed.
func TestRealDomainsInAppPrivacyReport(t *testing.T) {
	feeds := testutil.Shared(t, "iocs")
	domains := testutil.Lines(t, "realdata/tranco-top5000.txt")
	saved := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	at := func(i int) string {
		return saved.Add(-time.Duration(i%(7*24*60)) * time.Minute).Format("2006-01-02T15:04:05.000-07:00")
	}
	var b strings.Builder
	line := func(app, domain, website string, i int) {
		initiated := "AppInitiated"
		if website != "" {
			initiated = "NonAppInitiated"
		}
		l, _ := json.Marshal(map[string]any{"domain": domain, "firstTimeStamp": at(i + 30), "context": website, "timeStamp": at(i),
			"domainType": 2, "initiatedType": initiated, "hits": 1 + i%50, "type": "networkActivity", "domainOwner": "", "bundleID": app})
		b.Write(l)
		b.WriteByte('\n')
	}
	for i, d := range domains {
		line(realApps[i%len(realApps)], d, "", i)
		line(realApps[(i+3)%len(realApps)], "www."+d, "", i)
		line(realApps[(i+5)%len(realApps)], "api."+d, "", i)
		line("com.apple.mobilesafari", "static."+d, d, i)
	}
	p := filepath.Join(t.TempDir(), "App_Privacy_Report_v4_2026-11-20T09_00_00.ndjson")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := check(t, p, "--iocs", feeds)
	if k := readInfo(t, r.out).Evidence.Kind; k != "ios-app-privacy-report" {
		t.Fatalf("recognised as %q", k)
	}
	listed := listedByFeeds(t, feeds, domains)
	dets := noHighFindings(t, r, fmt.Sprintf("%d popular domains in an App Privacy Report", len(domains)), listed)
	// The feeds were loaded and matched: an app contacting a listed domain
	// by itself is critical.
	for d := range listed {
		found := false
		for _, x := range dets {
			found = found || x.Severity == model.Critical && x.Indicator != nil && strings.EqualFold(x.Indicator.Value, d)
		}
		if !found {
			t.Errorf("an app contacting %s, which a feed lists, is not critical", d)
		}
	}
	if m := modules(readInfo(t, r.out))["ios.app_privacy_report"]; m.Records != 4*len(domains) {
		t.Errorf("read %d records of %d", m.Records, 4*len(domains))
	}
}

// The same domains visited in a Safari export: each site moving from http
// to https and to www. in a few milliseconds (same site, no finding), and
// every tenth sent on to the next popular site within a second (a lead at
// most: sign-in pages and moved domains do this).
func TestRealDomainsInSafariExport(t *testing.T) {
	feeds := testutil.Shared(t, "iocs")
	domains := testutil.Lines(t, "realdata/tranco-top5000.txt")
	start := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	var hist []map[string]any
	visit := func(url string, at time.Time) map[string]any {
		v := map[string]any{"url": url, "title": "", "time_usec": at.UnixMicro(), "visit_count": 1}
		hist = append(hist, v)
		return v
	}
	redirect := func(from, to string, at time.Time, delay time.Duration) {
		a, b := visit(from, at), visit(to, at.Add(delay))
		a["destination_url"], a["destination_time_usec"] = to, at.Add(delay).UnixMicro()
		b["source_url"], b["source_time_usec"] = from, at.UnixMicro()
	}
	for i, d := range domains {
		at := start.Add(time.Duration(i) * 7 * time.Minute)
		redirect("http://"+d+"/", "https://www."+d+"/", at, 40*time.Millisecond)
		if i%10 == 0 && i+1 < len(domains) {
			redirect("http://"+d+"/login", "https://"+domains[i+1]+"/", at.Add(time.Minute), 300*time.Millisecond)
		}
	}
	md := map[string]any{"browser_name": "Safari", "browser_version": "18.3", "data_type": "history", "export_time_usec": start.Add(900 * time.Hour).UnixMicro(), "schema_version": 1}
	h, err := json.Marshal(map[string]any{"metadata": md, "history": hist})
	if err != nil {
		t.Fatal(err)
	}
	zp := filepath.Join(t.TempDir(), "Safari Export.zip")
	f, err := os.Create(zp)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, data := range map[string][]byte{"History.json": h, "Passwords.csv": []byte("Title,URL,Username,Password,Notes,OTPAuth\n")} {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r := check(t, zp, "--iocs", feeds)
	if k := readInfo(t, r.out).Evidence.Kind; k != "ios-safari-export" {
		t.Fatalf("recognised as %q", k)
	}
	dets := noHighFindings(t, r, fmt.Sprintf("%d popular sites in a Safari export", len(domains)), listedByFeeds(t, feeds, domains))
	leads := 0
	for _, d := range dets {
		if d.Rule == "ios.safari.fast_redirect" {
			leads++
		}
	}
	// The cross-site redirects are found (the rule runs), as leads only.
	if leads == 0 {
		t.Error("no fast cross-site redirect found: the rule did not run on the export")
	}
}

// crashName is the process a crash report of a real phone is named after
// ("BeReal-2023-05-05-120856.ips", "backboardd.wakeups_resource-...",
// "ExcUserFault_PhotoVault-..."); reports about the whole system
// (JetsamEvent, aggregated, Analytics) have none.
var crashName = regexp.MustCompile(`^(?:ExcUserFault_)?([A-Za-z][A-Za-z0-9_ ]*?)(?:\.[a-z_]+)?-\d{4}-\d\d-\d\d-\d{6}\.ips$`)

// The crash reports a real iPhone kept (the file names in
// ../shared/realdata's iOS 15 image), rewritten as the .ips files a person
// shares from Analytics Data, each with the real path of its program on
// that phone where the image has it, checked with every feed.
func TestRealCrashReportNames(t *testing.T) {
	feeds := testutil.Shared(t, "iocs")
	paths := testutil.RealImagePaths(t)
	byBase := map[string]string{}
	for _, p := range paths {
		dir, base := path.Split(p.Path)
		if strings.HasPrefix(dir, "/usr/") || strings.HasPrefix(dir, "/System/") || strings.HasPrefix(dir, "/Applications/") ||
			strings.HasPrefix(dir, "/private/var/containers/Bundle/Application/") {
			if _, ok := byBase[base]; !ok {
				byBase[base] = p.Path
			}
		}
	}
	dir := filepath.Join(t.TempDir(), "Analytics Data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n := 0
	names := map[string]bool{}
	for _, p := range paths {
		if !strings.Contains(p.Path, "/Logs/CrashReporter/") {
			continue
		}
		base := path.Base(p.Path)
		m := crashName.FindStringSubmatch(base)
		if m == nil || strings.HasPrefix(base, "JetsamEvent") || strings.HasPrefix(base, "aggregated") {
			continue
		}
		proc := m[1]
		procPath := byBase[proc]
		if procPath == "" {
			procPath = "/private/var/containers/Bundle/Application/00000000-0000-4000-8000-000000000001/" + proc + ".app/" + proc
		}
		when := p.Modified
		if when.IsZero() {
			when = time.Date(2023, 5, 1, 12, 0, 0, 0, time.UTC)
		}
		h, _ := json.Marshal(map[string]any{"app_name": proc, "name": proc, "bug_type": "309",
			"timestamp": when.Format("2006-01-02 15:04:05.00 -0700"), "os_version": "iPhone OS 15.4.1 (19E258)",
			"incident_id": fmt.Sprintf("00000000-0000-4000-8000-%012d", n)})
		body, _ := json.Marshal(map[string]any{"procPath": procPath, "parentProc": "launchd",
			"exception": map[string]any{"type": "EXC_RESOURCE", "signal": "SIGKILL"}})
		if err := os.WriteFile(filepath.Join(dir, base), append(append(h, '\n'), body...), 0o644); err != nil {
			t.Fatal(err)
		}
		names[proc] = true
		n++
	}
	if n < 30 || len(names) < 15 {
		t.Fatalf("%d crash reports of %d processes from the real image: too few to mean anything", n, len(names))
	}
	r := check(t, dir, "--iocs", feeds)
	if k := readInfo(t, r.out).Evidence.Kind; k != "ios-crash-reports" {
		t.Fatalf("recognised as %q", k)
	}
	noHighFindings(t, r, fmt.Sprintf("%d crash reports of a real phone (%d processes)", n, len(names)), nil)
	if m := modules(readInfo(t, r.out))["ios.crash_reports"]; m.Records != n {
		t.Errorf("read %d reports of %d", m.Records, n)
	}
}

// The clean twin of every phone-export sample, checked with every real
// feed rather than the sample's own indicators, gives no high or critical
// finding: its ordinary domains, sites and process names collide with no
// published indicator.
func TestPhoneSampleCleanTwinsWithRealFeeds(t *testing.T) {
	feeds := testutil.Shared(t, "iocs")
	for _, kind := range samplegen.PhoneSamples {
		t.Run(kind, func(t *testing.T) {
			exp, err := samplegen.GeneratePhoneExport(kind, filepath.Join(t.TempDir(), "s"), samplegen.Scaled(2000, 7))
			if err != nil {
				t.Fatal(err)
			}
			noHighFindings(t, check(t, exp.Evidence, "--iocs", feeds), kind+" clean twin", nil)
		})
	}
}

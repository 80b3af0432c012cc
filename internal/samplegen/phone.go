package samplegen

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Evidence a person exports from the phone alone, written as the phone
// writes it (names, packing, fields), with planted traces when Options.Plant
// is set and an ordinary clean twin otherwise. Each generator writes into
// dir and names the file or folder to check in Expected.Evidence.

// The sample kinds of GeneratePhoneExport ('huella demo --kind').
const (
	SampleAppPrivacyReport = "app-privacy-report"
	SampleSafariExport     = "safari-export"
	SampleCrashReports     = "crash-reports"
	SampleAndroidBugreport = "android-bugreport"
	SampleIntrusionLogs    = "intrusion-logs"
)

// PhoneSamples lists them, in the order 'huella demo --help' shows them.
var PhoneSamples = []string{SampleAppPrivacyReport, SampleSafariExport, SampleCrashReports, SampleAndroidBugreport, SampleIntrusionLogs}

// Planted values of the phone exports (all made up; see PlantedDomain).
const (
	// PlantedApp is an ordinary-looking app that contacts PlantedDomain by
	// itself in the App Privacy Report.
	PlantedApp = "com.synthetic.flashlight"
	// PlantedIPApp contacts nothing but a bare address.
	PlantedIPApp = "com.synthetic.helper"
	// PlantedIP is in a block reserved for documentation (RFC 5737).
	PlantedIP = "203.0.113.7"
	// PlantedRedirectFrom is the plain-HTTP page a network injection sent
	// on, in under a second, to PlantedRedirectTo (an address and a high
	// port, as exploit servers used).
	PlantedRedirectFrom = "http://news.synthetic.example/today"
	PlantedRedirectTo   = "https://203.0.113.9:30897/x7Qk"
)

// GeneratePhoneExport writes the sample of kind into dir.
func GeneratePhoneExport(kind, dir string, o Options) (*Expected, error) {
	if err := emptyDir(dir); err != nil {
		return nil, err
	}
	switch kind {
	case SampleAppPrivacyReport:
		return genAppPrivacyReport(dir, o)
	case SampleSafariExport:
		return genSafariExport(dir, o)
	case SampleCrashReports:
		return genCrashReports(dir, o)
	case SampleAndroidBugreport:
		return genAndroidBugreport(dir, o)
	case SampleIntrusionLogs:
		return genIntrusionLogs(dir, o)
	}
	return nil, fmt.Errorf("no sample %q: the samples are %s", kind, strings.Join(PhoneSamples, ", "))
}

// reportSaved is when the phone exports are saved: the day after the plant.
var reportSaved = PlantTime.Add(31 * time.Hour).Truncate(time.Hour)

// weekTime is a filler instant in the seven days before reportSaved, never
// in the quiet window around the plant.
func (g *gen) weekTime() time.Time {
	for {
		t := reportSaved.Add(-time.Duration(g.r.Int64N(int64(7 * 24 * time.Hour))))
		if t.Before(quietFrom) || t.After(quietTo) {
			return t.Truncate(time.Millisecond)
		}
	}
}

var (
	iosApps = []string{"com.apple.mobilesafari", "com.apple.MobileSMS", "com.apple.Maps", "net.whatsapp.WhatsApp",
		"ph.telegra.Telegraph", "com.spotify.client", "com.google.ios.youtube", "com.burbn.instagram", "com.synthetic.news",
		"com.synthetic.weather"}
	appDomains = []string{"api.synthetic.example", "cdn.synthetic.example", "static.synthetic.example", "mmx-ds.cdn.whatsapp.net",
		"i.ytimg.com", "spclient.wg.spotify.com", "www.googleapis.com", "graph.instagram.com", "weather.synthetic.example",
		"news.synthetic.example", "gateway.icloud.com", "telemetry.synthetic.example"}
	accessCategories = []string{"camera", "microphone", "location", "contacts", "photos"}
)

// isoMillis writes a time as the App Privacy Report does.
func isoMillis(t time.Time) string { return t.In(sampleZone).Format("2006-01-02T15:04:05.000-07:00") }

// sampleZone is the made-up phone's zone.
var sampleZone = time.FixedZone("CST", -6*3600)

func genAppPrivacyReport(dir string, o Options) (*Expected, error) {
	g := newGen(o.Seed, 21)
	exp := &Expected{Kind: "ios_app_privacy_report", Seed: o.Seed, Records: map[string]int{}}
	var lines []map[string]any
	net := func(app, domain, website string, first, last time.Time, hits int) {
		initiated := "AppInitiated"
		if website != "" {
			initiated = "NonAppInitiated"
		}
		lines = append(lines, map[string]any{"domain": domain, "firstTimeStamp": isoMillis(first), "context": website,
			"timeStamp": isoMillis(last), "domainType": 2, "initiatedType": initiated, "hits": hits, "type": "networkActivity",
			"domainOwner": "", "bundleID": app})
	}
	// An access is two lines, its begin and its end, sharing an identifier.
	access := func(app, category, id string, begin, end time.Time) {
		for _, k := range []struct {
			kind string
			at   time.Time
		}{{"intervalBegin", begin}, {"intervalEnd", end}} {
			lines = append(lines, map[string]any{"accessor": map[string]any{"identifier": app, "identifierType": "bundleID"},
				"category": category, "identifier": id, "kind": k.kind, "timeStamp": isoMillis(k.at), "type": "access"})
		}
	}
	n := max(o.Visits/10, 40)
	for range n {
		first := g.weekTime()
		last := first.Add(time.Duration(g.r.Int64N(int64(48 * time.Hour))))
		if last.After(reportSaved) {
			last = reportSaved
		}
		app, domain := g.pick(iosApps), g.pick(appDomains)
		website := ""
		if app == "com.apple.mobilesafari" {
			website = g.pick(visitHosts)
		}
		net(app, domain, website, first, last, 1+g.r.IntN(300))
	}
	// A game that also reaches its servers by address, as real ones do:
	// a low lead at most, never more.
	net("com.synthetic.game", "api.game.synthetic.example", "", reportSaved.Add(-100*time.Hour), reportSaved.Add(-2*time.Hour), 40)
	net("com.synthetic.game", "198.51.100.23", "", reportSaved.Add(-90*time.Hour), reportSaved.Add(-3*time.Hour), 12)
	accesses := max(n/4, 10)
	for i := range accesses {
		begin := g.weekTime()
		id := fmt.Sprintf("%08X-0000-4000-8000-%012d", o.Seed, i)
		app := g.pick(iosApps)
		cat := g.pick(accessCategories)
		access(app, cat, id, begin, begin.Add(time.Duration(1+g.r.IntN(600))*time.Second))
	}
	if o.Plant {
		// The flashlight app calls the infection server by itself, Safari
		// shows a page that loads from it, and a helper app talks to a
		// bare address only.
		net(PlantedApp, PlantedDomain, "", PlantTime.Add(2*time.Minute), PlantTime.Add(20*time.Hour), 57)
		net("com.apple.mobilesafari", PlantedDomain, "news.synthetic.example", PlantTime, PlantTime, 1)
		net(PlantedIPApp, PlantedIP, "", PlantTime.Add(3*time.Minute), PlantTime.Add(26*time.Hour), 310)
		access(PlantedApp, "microphone", fmt.Sprintf("%08X-0000-4000-8000-FFFFFFFFFFFF", o.Seed), PlantTime.Add(4*time.Minute), PlantTime.Add(64*time.Minute))
		exp.Detections = []ExpectedDetection{
			{"ios.app_privacy_report", "indicator.feed.match", PlantedDomain, "an app contacted the planted infection domain by itself (critical), and a website in Safari did (high)"},
			{"ios.app_privacy_report", "ios.privacy_report.ip_literal", PlantedIPApp, "an app connected to a bare internet address and to no domain name at all"},
		}
	}
	// Accesses first, then network activity, as the phone writes them.
	var buf bytes.Buffer
	for _, kind := range []string{"access", "networkActivity"} {
		for _, l := range lines {
			if l["type"] != kind {
				continue
			}
			b, err := json.Marshal(l)
			if err != nil {
				return nil, err
			}
			buf.Write(b)
			buf.WriteByte('\n')
		}
	}
	name := "App_Privacy_Report_v4_" + reportSaved.In(sampleZone).Format("2006-01-02T15_04_05") + ".ndjson"
	exp.Records["app_privacy_report"] = len(lines)
	exp.Evidence = filepath.Join(dir, name)
	return exp, os.WriteFile(exp.Evidence, buf.Bytes(), 0o644)
}

func usec(t time.Time) int64 { return t.UnixMicro() }

func genSafariExport(dir string, o Options) (*Expected, error) {
	g := newGen(o.Seed, 22)
	exp := &Expected{Kind: "ios_safari_export", Seed: o.Seed, Records: map[string]int{}}
	type item map[string]any
	var hist []item
	visit := func(url, title string, at time.Time, count int) item {
		it := item{"url": url, "title": title, "time_usec": usec(at), "visit_count": count}
		hist = append(hist, it)
		return it
	}
	// redirect records a redirect from one page to the next as Safari does:
	// each names the other by url and time.
	redirect := func(from, to string, at time.Time, delay time.Duration) {
		a := visit(from, "", at, 1)
		b := visit(to, "", at.Add(delay), 1)
		a["destination_url"], a["destination_time_usec"] = to, usec(at.Add(delay))
		b["source_url"], b["source_time_usec"] = from, usec(at)
	}
	n := max(o.Visits/5, 50)
	for range n {
		visit(g.url(visitHosts), g.pick(pathWords), g.time(), 1+g.r.IntN(5))
	}
	// Ordinary redirects: a site moving to https, and a jump inside one
	// site, both faster than a click; a slow jump to another site.
	at := g.time()
	redirect("http://elpais.com/", "https://elpais.com/", at, 80*time.Millisecond)
	at = g.time()
	redirect("https://maps.synthetic.example/", "https://www.synthetic.example/maps/", at, 97*time.Microsecond)
	at = g.time()
	redirect("http://old.synthetic.example/", "https://www.theguardian.com/", at, 4*time.Second)
	if o.Plant {
		visit(PlantedURL, "Your parcel could not be delivered", PlantTime, 1)
		redirect(PlantedRedirectFrom, PlantedRedirectTo, PlantTime.Add(-3*time.Hour), 180*time.Millisecond)
		exp.Detections = []ExpectedDetection{
			{"ios.safari_export", "indicator.feed.match", PlantedURL, "Safari opened the planted infection link"},
			{"ios.safari_export", "ios.safari.fast_redirect", "news.synthetic.example", "a plain-HTTP page was sent on to a bare address and a high port in 180 ms"},
		}
	}
	md := func(typ string) map[string]any {
		return map[string]any{"browser_name": "Safari", "browser_version": "18.3", "data_type": typ,
			"export_time_usec": usec(reportSaved), "schema_version": 1}
	}
	history, err := json.MarshalIndent(map[string]any{"metadata": md("history"), "history": hist}, "", "  ")
	if err != nil {
		return nil, err
	}
	exts, err := json.MarshalIndent(map[string]any{"metadata": md("extensions"), "extensions": []map[string]any{{
		"composed_identifier": "com.synthetic.blocker.extension (AB12CD34EF)", "developer_name": "Synthetic Apps",
		"display_name": "Synthetic Blocker", "marketplace_lookup": map[string]any{"store_identifier": "1234567890",
			"macos_app_bundle_identifier": "com.synthetic.blocker.mac"}}}}, "", "  ")
	if err != nil {
		return nil, err
	}
	// The files that hold secrets, with made-up values: huella must never
	// open them.
	cards, _ := json.MarshalIndent(map[string]any{"metadata": md("payment_cards"), "payment_cards": []map[string]any{{
		"card_number": "0000000000000000", "card_name": "Synthetic Bank", "cardholder_name": "Ana Synthetic",
		"card_expiration_month": 11, "card_expiration_year": 2030}}}, "", "  ")
	b, err := zipOf([]zipFile{
		{"Bookmarks.html", []byte("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n" +
			"    <DT><A HREF=\"https://www.synthetic.example/\">Synthetic</A>\n</DL><p>\n")},
		{"History.json", history},
		{"Passwords.csv", []byte("Title,URL,Username,Password,Notes,OTPAuth\nsynthetic.example,https://synthetic.example/,ana,not-a-real-password,,\n")},
		{"PaymentCards.json", cards},
		{"Extensions.json", exts},
	})
	if err != nil {
		return nil, err
	}
	exp.Records["history"] = len(hist)
	exp.Records["extensions"] = 1
	exp.Evidence = filepath.Join(dir, "Safari Export.zip")
	return exp, os.WriteFile(exp.Evidence, b, 0o644)
}

// ipsFile is an .ips crash report as iOS 15 and later write it: a JSON
// header line, then the JSON body.
func ipsFile(name, bundle, procPath, bugType string, at time.Time, exception string) []byte {
	h, _ := json.Marshal(map[string]any{"app_name": name, "timestamp": at.In(sampleZone).Format("2006-01-02 15:04:05.00 -0700"),
		"app_version": "1.0", "slice_uuid": "00000000-0000-4000-8000-000000000000", "build_version": "1", "bug_type": bugType,
		"os_version": "iPhone OS 17.3.1 (21D61)", "bundleID": bundle, "incident_id": "00000000-0000-4000-8000-0000000000" + bugType[:2],
		"name": name})
	b, _ := json.Marshal(map[string]any{"procPath": procPath, "parentProc": "launchd", "exception": map[string]any{"type": exception, "signal": "SIGSEGV"}})
	return append(append(h, '\n'), b...)
}

func genCrashReports(dir string, o Options) (*Expected, error) {
	g := newGen(o.Seed, 23)
	exp := &Expected{Kind: "ios_crash_reports", Seed: o.Seed, Records: map[string]int{}}
	apps := map[string]string{"WhatsApp": "net.whatsapp.WhatsApp", "Spotify": "com.spotify.client", "Maps": "com.apple.Maps",
		"MobileSafari": "com.apple.mobilesafari", "Telegram": "ph.telegra.Telegraph"}
	names := []string{"WhatsApp", "Spotify", "Maps", "MobileSafari", "Telegram"}
	var files []zipFile
	n := max(o.Processes/4, 6)
	for i := range n {
		p := names[i%len(names)]
		at := g.weekTime()
		files = append(files, zipFile{fmt.Sprintf("%s-%s.ips", p, at.In(sampleZone).Format("2006-01-02-150405")), ipsFile(p, apps[p], "/private/var/containers/Bundle/Application/00000000-0000-4000-8000-000000000001/"+p+".app/"+p, "309", at, "EXC_BAD_ACCESS")})
	}
	// An older text crash log, as .crash files and iOS 14's .ips bodies are.
	old := g.weekTime()
	text := "Incident Identifier: 00000000-0000-4000-8000-00000000C0DE\nHardware Model:      iPhone12,1\n" +
		"Process:             Podcasts [812]\nPath:                /Applications/Podcasts.app/Podcasts\nIdentifier:          com.apple.podcasts\n" +
		"Parent Process:      launchd [1]\n\nDate/Time:           " + old.In(sampleZone).Format("2006-01-02 15:04:05.000 -0700") +
		"\nOS Version:          iPhone OS 14.8 (18H17)\n\nException Type:  EXC_CRASH (SIGKILL)\n\nThread 0 name:  Dispatch queue\n0 libsystem_kernel.dylib 0x1\n"
	files = append(files, zipFile{"Podcasts-" + old.In(sampleZone).Format("2006-01-02-150405") + ".crash", []byte(text)})
	n++
	if o.Plant {
		files = append(files, zipFile{"bh-" + PlantTime.In(sampleZone).Format("2006-01-02-150405") + ".ips", ipsFile(PlantedProcess, "",
			"/private/var/db/com.apple.xpc.roleaccountd.staging/"+PlantedProcess, "309", PlantTime.Add(90*time.Second), "EXC_BAD_ACCESS")})
		n++
		exp.Detections = []ExpectedDetection{
			{"ios.crash_reports", "indicator.feed.match", PlantedProcess, "a process named as the planted spyware's crashed"},
		}
	}
	b, err := zipOf(files)
	if err != nil {
		return nil, err
	}
	exp.Records["crash_reports"] = n
	exp.Evidence = filepath.Join(dir, "crash-reports.zip")
	return exp, os.WriteFile(exp.Evidence, b, 0o644)
}

// zipFile is one file of a generated zip.
type zipFile struct {
	name string
	data []byte
}

// zipOf is a zip of files in their order, as the phones' own exports write
// them: deflated, each dated when the sample export was saved.
func zipOf(files []zipFile) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: reportSaved})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func dumpSection(name, body string) string {
	return strings.Repeat("-", 79) + "\nDUMP OF SERVICE " + name + ":\n" + body + "\n--------- 0.1s was the duration of dumpsys " + name + "\n"
}

func genAndroidBugreport(dir string, o Options) (*Expected, error) {
	exp := &Expected{Kind: "android_bugreport", Seed: o.Seed, Records: map[string]int{}}
	build := "UQ1A.240205.004"
	base := "bugreport-synthetic-" + build + "-" + reportSaved.Format("2006-01-02-15-04-05")
	var pkgs strings.Builder
	pkgs.WriteString("Packages:\n")
	pkg := func(name, installer, flags string, uid int) {
		fmt.Fprintf(&pkgs, "  Package [%s] (%x):\n    userId=%d\n    versionName=1.0\n    firstInstallTime=2023-11-02 10:00:00\n"+
			"    lastUpdateTime=2024-01-15 10:00:00\n    installerPackageName=%s\n    pkgFlags=[ %s ]\n\n", name, uid, uid, installer, flags)
	}
	pkg("com.android.phone", "null", "SYSTEM HAS_CODE PERSISTENT", 1001)
	pkg("com.google.android.gms", "null", "SYSTEM HAS_CODE", 10150)
	n := max(o.Processes/4, 8)
	for i := range n {
		pkg(fmt.Sprintf("com.synthetic.app%d", i), "com.android.vending", "HAS_CODE", 10200+i)
	}
	if o.Plant {
		pkg(PlantedPackage, "com.android.vending", "HAS_CODE", 10099)
		exp.Detections = []ExpectedDetection{
			{"android.dumpsys_packages", "indicator.feed.match", PlantedPackage, "the planted package is installed"},
		}
	}
	text := "========================================================\n== dumpstate: " + reportSaved.Format("2006-01-02 15:04:05") +
		"\n========================================================\n\nBuild: " + build + "\nBuild fingerprint: 'synthetic/phone/phone:14/" + build + "/1:user/release-keys'\n\n" +
		"------ SYSTEM PROPERTIES (getprop) ------\n[ro.product.model]: [Synthetic Phone]\n[ro.product.manufacturer]: [Synthetic]\n" +
		"[ro.build.version.release]: [14]\n[ro.build.version.sdk]: [34]\n[ro.build.version.security_patch]: [2024-02-05]\n" +
		"[persist.sys.timezone]: [America/Mexico_City]\n------ 0.012s was the duration of 'SYSTEM PROPERTIES' ------\n" +
		dumpSection("package", pkgs.String())
	b, err := zipOf([]zipFile{
		{"version.txt", []byte("2.0")},
		{"main_entry.txt", []byte(base + ".txt")},
		{base + ".txt", []byte(text)},
		{"dumpstate_log.txt", []byte("dumpstate took 42 s\n")},
		{"FS/data/misc/logd/event-log", []byte("x")},
	})
	if err != nil {
		return nil, err
	}
	exp.Records["packages"] = n + 2
	exp.Evidence = filepath.Join(dir, base+".zip")
	return exp, os.WriteFile(exp.Evidence, b, 0o644)
}

func genIntrusionLogs(dir string, o Options) (*Expected, error) {
	g := newGen(o.Seed, 24)
	exp := &Expected{Kind: "android_intrusion_logs", Seed: o.Seed, Records: map[string]int{}}
	days := map[string]*bytes.Buffer{}
	emit := func(at time.Time, v map[string]any) error {
		day := at.UTC().Format("2006-01-02")
		if days[day] == nil {
			days[day] = &bytes.Buffer{}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		days[day].Write(append(b, '\n'))
		return nil
	}
	n := max(o.Visits/10, 40)
	events := 0
	for i := range n {
		at := g.weekTime()
		app := fmt.Sprintf("com.synthetic.app%d", i%7)
		var err error
		switch i % 3 {
		case 0:
			err = emit(at, map[string]any{"dns_event": map[string]any{"event_id": i, "event_time": at.UnixMilli(), "package_name": app,
				"hostname": g.pick(appDomains), "ip_addresses": []string{"/198.51.100." + fmt.Sprint(1+i%200)}, "ip_addresses_count": 1}})
		case 1:
			err = emit(at, map[string]any{"connect_event": map[string]any{"event_id": i, "event_time": at.UnixMilli(), "package_name": app,
				"ip_address": "/198.51.100." + fmt.Sprint(1+i%200), "port": 443}})
		default:
			err = emit(at, map[string]any{"security_event": map[string]any{"event_id": i, "event_time": at.UnixNano(),
				"app_process_start": map[string]any{"process": app, "uid": 10200 + i%7, "pid": 3000 + i, "start_time": at.UnixMilli()}}})
		}
		if err != nil {
			return nil, err
		}
		events++
	}
	if o.Plant {
		if err := emit(PlantTime, map[string]any{"dns_event": map[string]any{"event_id": 90001, "event_time": PlantTime.UnixMilli(),
			"package_name": PlantedPackage, "hostname": PlantedDomain, "ip_addresses": []string{"/" + PlantedIP}, "ip_addresses_count": 1}}); err != nil {
			return nil, err
		}
		at := PlantTime.Add(30 * time.Second)
		if err := emit(at, map[string]any{"security_event": map[string]any{"event_id": 90002, "event_time": at.UnixNano(),
			"app_process_start": map[string]any{"process": PlantedPackage, "uid": 10099, "pid": 6666, "start_time": at.UnixMilli()}}}); err != nil {
			return nil, err
		}
		events += 2
		exp.Detections = []ExpectedDetection{
			{"android.intrusion_logs", "indicator.feed.match", PlantedDomain, "the phone resolved the planted infection domain"},
			{"android.intrusion_logs", "indicator.feed.match", PlantedPackage, "the planted package started"},
		}
	}
	// One zip per device in Download/Intrusion Logging, holding a
	// date-named file per day.
	var files []zipFile
	for day := reportSaved.Add(-8 * 24 * time.Hour); !day.After(reportSaved); day = day.Add(24 * time.Hour) {
		if d := days[day.UTC().Format("2006-01-02")]; d != nil {
			files = append(files, zipFile{day.UTC().Format("2006-01-02") + ".txt", d.Bytes()})
		}
	}
	b, err := zipOf(files)
	if err != nil {
		return nil, err
	}
	folder := filepath.Join(dir, "Intrusion Logging")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return nil, err
	}
	exp.Records["intrusion_events"] = events
	exp.Evidence = folder
	return exp, os.WriteFile(filepath.Join(folder, "Synthetic Phone "+reportSaved.Format("2006-01-02")+".zip"), b, 0o644)
}

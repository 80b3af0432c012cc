package samplegen

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/module/ios/netext"
	"github.com/huella-project/huella/internal/module/ios/uuidtext"
)

// The sysdiagnose sample: an iPhone in Mexico City whose owner says it was
// taken from them from 14:00 to 18:00 on 20 November 2026, and which took
// a sysdiagnose at 18:30. Planted, in that window: a computer paired, an
// app sent over the cable, a root certificate profile, a content filter,
// crashes of the implant, and the implant "bh" itself in every place a
// sysdiagnose names processes.
const (
	SysdiagnoseName     = "sysdiagnose_2026.11.20_18-30-00-0600_iPhone-OS_iPhone_22B83"
	SysdiagnoseTimeZone = "America/Mexico_City"
	// SysdiagnoseCustody is the custody window of the sample (--custody).
	SysdiagnoseCustody = "2026-11-20T14:00:00-06:00/2026-11-20T18:00:00-06:00"
	// PlantedHost is the computer that paired during the window.
	PlantedHost      = "D3ADB33F-0000-4000-8000-00000000C0DE"
	PlantedFilterApp = "com.demospy.filter"
	// Planted paths of the implant: Predator's folder and Pegasus's.
	PlantedTmpPath     = "/private/var/tmp/" + PlantedProcess
	PlantedStagingPath = "/private/var/db/com.apple.xpc.roleaccountd.staging/" + PlantedProcess
)

// maxSynthDaemons bounds the made-up programs of a generated archive.
const maxSynthDaemons = 3000

var (
	mx          = time.FixedZone("UTC-06:00", -6*3600)
	sdTaken     = time.Date(2026, 11, 20, 18, 30, 0, 0, mx)
	sdInWindow  = time.Date(2026, 11, 20, 15, 10, 0, 0, mx)
	sdBefore    = time.Date(2026, 11, 10, 9, 0, 0, 0, mx)
	sdWeekStart = time.Date(2026, 11, 1, 8, 0, 0, 0, mx)
)

// sysdiagnoseArtifacts are the modules a generated sysdiagnose feeds, one
// or more files each; Expected.Records counts the files written.
var sysdiagnoseArtifacts = []string{"ios.processes", "ios.spindump", "ios.taskinfo", "ios.shutdown_log", "ios.logdata_statistics",
	"ios.uuidtext", "ios.binary_locations", "ios.crash_reports", "ios.profiles", "ios.network_extensions", "ios.lockdown_log",
	"ios.mobile_installation", "ios.mobile_activation", "ios.transparency_log", "ios.unified_log"}

// SysdiagnoseModules lists the modules a generated sysdiagnose feeds.
func SysdiagnoseModules() []string { return append([]string(nil), sysdiagnoseArtifacts...) }

// GenerateSysdiagnose writes a sysdiagnose folder into dir (dir/<name>/...)
// laid out as iOS writes one, with a unified-log export beside it. Plant
// adds the traces listed in Expected; without it every file is a clean
// phone's. o.Processes sizes the process lists.
func GenerateSysdiagnose(dir string, o Options) (*Expected, error) {
	return GenerateSysdiagnoseWith(dir, o, nil)
}

// GenerateSysdiagnoseWith is GenerateSysdiagnose with the clean phone's
// programs given: every process list, log and binary index of the archive
// names the executables in binaries (absolute paths, e.g. a real phone's)
// instead of made-up daemons.
func GenerateSysdiagnoseWith(dir string, o Options, binaries []string) (*Expected, error) {
	if err := emptyDir(dir); err != nil {
		return nil, err
	}
	root := filepath.Join(dir, SysdiagnoseName)
	g := newGen(o.Seed, 19)
	exp := &Expected{Kind: "ios_sysdiagnose", Seed: o.Seed, Records: map[string]int{}}
	w := &sdWriter{root: root, exp: exp}
	daemons := slices.Clone(binaries)
	// A real phone runs a few hundred programs; past a few thousand the
	// archive would only grow its uuidtext folder, not get more realistic.
	for i := range min(max(o.Processes, 8), maxSynthDaemons) - len(daemons) {
		daemons = append(daemons, fmt.Sprintf("/usr/libexec/%sd%d", strings.ToLower(g.pick(procNames)), i))
	}
	w.file("", "sysdiagnose.log", "sysdiagnose version 3.0\nTimezone: "+SysdiagnoseTimeZone+"\nDevice: iPhone15,2\n")
	w.ps(daemons, o.Plant)
	w.spindump(daemons, o.Plant)
	w.taskinfo(daemons, o.Plant)
	w.shutdownLog(daemons, o.Plant)
	w.logStats(daemons, o.Plant)
	w.uuidtexts(daemons, o.Plant)
	w.binaryLocations(daemons, o.Plant)
	w.crashes(o.Plant)
	w.profiles(o.Plant)
	w.networkExtensions(o.Plant)
	w.lockdown(o.Plant)
	w.installs(o.Plant)
	w.activation(o.Plant)
	w.transparency(o.Plant)
	w.unifiedLog(daemons, max(o.Messages, len(daemons)), o.Plant)
	if w.err != nil {
		return nil, w.err
	}
	if o.Plant {
		exp.Detections = []ExpectedDetection{
			{"ios.processes", "ios.process.unusual_path", PlantedTmpPath, "ps.txt lists the implant running from /private/var/tmp"},
			{"ios.processes", "indicator.feed.match", PlantedProcess, "the implant's name is in the sample indicators"},
			{"ios.spindump", "ios.process.unusual_path", PlantedTmpPath, "the spindump sampled it"},
			{"ios.taskinfo", "indicator.feed.match", PlantedProcess, "the task list names it"},
			{"ios.shutdown_log", "ios.shutdown.staging_client", PlantedStagingPath, "it held up a shutdown from Pegasus's staging folder"},
			{"ios.logdata_statistics", "ios.process.unusual_path", PlantedTmpPath, "it wrote to the logs"},
			{"ios.uuidtext", "ios.process.unusual_path", PlantedStagingPath, "a uuidtext footer names it"},
			{"ios.binary_locations", "ios.process.unusual_path", PlantedTmpPath, "tailspin sampled it"},
			{"ios.crash_reports", "indicator.feed.match", PlantedProcess, "it crashed"},
			{"ios.profiles", "ios.profile.root_certificate", "Network Settings", "a profile installs a root certificate"},
			{"ios.network_extensions", "ios.netext.configured", PlantedFilterApp, "a content filter of an unknown app"},
			{"ios.lockdown_log", "ios.pairing.computer", PlantedHost, "a computer paired in the window"},
			{"ios.mobile_installation", "ios.install.outside_store", PlantedPackage, "an app sent over the cable"},
			{"ios.mobile_installation", "indicator.feed.match", PlantedPackage, "the app's id is in the sample indicators"},
			{"ios.unified_log", "ios.process.unusual_path", PlantedStagingPath, "the implant logged"},
			{"ios.unified_log", "indicator.feed.match", PlantedDomain, "a log message names the planted domain"},
		}
	}
	return exp, nil
}

// PlantedRecord is a trace that is a record, not a finding: an artifact
// that lists what the owner must recognise (devices on the account) or
// that dates an event the custody window reads (a boot).
type PlantedRecord struct {
	Module, Summary string // the record's module and a part of its summary
	InWindow        bool   // the record is dated in SysdiagnoseCustody
	Why             string
}

// SysdiagnosePlantedRecords are the planted traces of the artifacts no rule
// judges on its own: the planted sample has a record of each, its clean
// twin none.
func SysdiagnosePlantedRecords() []PlantedRecord {
	return []PlantedRecord{
		{"ios.transparency_log", "Device Unknown Mac (MacBookPro18,1, 15.1, serial SYNTH0000666)", false, "a Mac the owner does not know on the Apple account"},
		{"ios.mobile_activation", "The activation daemon started", true, "the phone booted in the custody window"},
		{"ios.lockdown_log", "extractor started service com.apple.mobile.file_relay", true, "a trusted computer started the file relay service"},
	}
}

// SysdiagnoseCustodyDetections are what a check of the planted sample with
// --custody SysdiagnoseCustody adds.
func SysdiagnoseCustodyDetections() []ExpectedDetection {
	return []ExpectedDetection{
		{"correlation", "correlation.custody.pairing", "1", "one pairing is in the window"},
		{"correlation", "correlation.custody.profile", "1", "the root certificate profile is in the window"},
		{"correlation", "correlation.custody.app_install", "1", "the app sent over the cable is in the window"},
	}
}

type sdWriter struct {
	root string
	exp  *Expected
	err  error
}

func (w *sdWriter) file(module, rel, content string) { w.bytes(module, rel, []byte(content)) }

func (w *sdWriter) bytes(module, rel string, b []byte) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.err = err
		return
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		w.err = err
		return
	}
	if module != "" {
		w.exp.Records[module]++
	}
}

const psHeader = "USER               UID   PID  PPID  %CPU %MEM PRI  NI      VSZ    RSS WCHAN    TT  STAT STARTED      TIME COMMAND\n"

func psRow(user string, pid int, started, cmd string) string {
	return fmt.Sprintf("%-10s %4d %5d     1   0.0  0.1  31   0  4200000   9000 -        ??  Ss   %8s   0:00.10 %s\n", user, 501, pid, started, cmd)
}

func (w *sdWriter) ps(daemons []string, plant bool) {
	var b, t strings.Builder
	b.WriteString(psHeader + psRow("root", 1, "Sun08AM", "/sbin/launchd"))
	t.WriteString("USER     PID   TT   %CPU STAT PRI     STIME     UTIME COMMAND\nroot       1   ??    0.0 S    31T   0:00.50   0:00.10 /sbin/launchd\n")
	for i, d := range daemons {
		b.WriteString(psRow("mobile", 100+i, "Sun08AM", d))
		fmt.Fprintf(&t, "mobile %5d   ??    0.0 S    31T   0:00.50   0:00.10 %s\n           %d         0.0 S    31T   0:00.00   0:00.00 \n", 100+i, d, 100+i)
	}
	if plant {
		b.WriteString(psRow("root", 666, "3:10PM", PlantedTmpPath+" --daemon"))
	}
	w.file("ios.processes", "ps.txt", b.String())
	w.file("ios.processes", "ps_thread.txt", t.String())
}

func (w *sdWriter) spindump(daemons []string, plant bool) {
	var b strings.Builder
	b.WriteString("Date/Time:        2026-11-20 18:30:05.000 -0600\nEnd time:         2026-11-20 18:30:07.000 -0600\nOS Version:       iPhone OS 18.1 (Build 22B83)\n" +
		"Architecture:     arm64e\nReport Version:   53\n\nData Source:      Stackshots\n\n------------------------------------------------------------\n\n")
	proc := func(name string, pid int, p string, since int) {
		fmt.Fprintf(&b, "Process:          %s [%d]\nPath:             %s\nParent:           launchd [1]\nUID:              501\nTime Since Fork:  %ds\nNum samples:      10 (1-10)\n\n"+
			"  Thread 0x1a2b    10 samples (1-10)    priority 4 (base 4)\n  10  ??? (dyld + 1234) [0x1000]\n\n  Binary Images:\n"+
			"           0x100000000 -        0x100100000  %s arm64e  <00000000-0000-4000-8000-%012d>  %s\n\n", name, pid, p, since, name, pid, p)
	}
	for i, d := range daemons {
		proc(filepath.Base(d), 100+i, d, 1_500_000)
	}
	if plant {
		proc(PlantedProcess, 666, PlantedTmpPath, 12_000)
	}
	b.WriteString("Spindump binary format\n")
	w.file("ios.spindump", "spindump-nosymbols.txt", b.String())
}

func (w *sdWriter) taskinfo(daemons []string, plant bool) {
	names := []string{"launchd"}
	for _, d := range daemons {
		names = append(names, filepath.Base(d))
	}
	if plant {
		names = append(names, PlantedProcess)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "num tasks: %d\n\n", len(names))
	for i, n := range names {
		run := 1_500_000
		if n == PlantedProcess {
			run = 12_000
		}
		fmt.Fprintf(&b, "process: \"%s\" [%d]\n\tarchitecture: arm64e\n\trun time: %d s\n\tthreads:\n\t\tthread ID: 0x%x / %d\n\n\n", n, i+1, run, 1000+i, 1000+i)
	}
	w.file("ios.taskinfo", "taskinfo.txt", b.String())
}

func (w *sdWriter) shutdownLog(daemons []string, plant bool) {
	var b strings.Builder
	for i := range 4 {
		at := sdWeekStart.Add(time.Duration(i) * 36 * time.Hour)
		fmt.Fprintf(&b, "remaining client pid: %d (%s)\n", 200+i, daemons[i%len(daemons)])
		if plant && i == 3 {
			fmt.Fprintf(&b, "remaining client pid: 666 (%s)\n", PlantedStagingPath)
		}
		fmt.Fprintf(&b, "SIGTERM: [%d]\n", at.Unix())
	}
	w.file("ios.shutdown_log", "system_logs.logarchive/Extra/shutdown.log", b.String())
}

func (w *sdWriter) logStats(daemons []string, plant bool) {
	var b strings.Builder
	for day := range 3 {
		at := sdWeekStart.AddDate(0, 0, day*5).UTC()
		fmt.Fprintf(&b, "--- !logd statistics record\ntime  : %s\nfile  : /private/var/db/diagnostics/Persist/%016d.tracev3\ntype  : Persist\nprocesses:\n",
			at.Format("2006-01-02 15:04:05-0700"), day+1)
		for i, d := range daemons {
			fmt.Fprintf(&b, "  - [ %d, %d.0, %s ]\n", 1000-i, 10, d)
		}
	}
	w.file("ios.logdata_statistics", "system_logs.logarchive/Extra/logdata.statistics.0.txt", b.String())
	line := fmt.Sprintf(`{"unixTime": %d, "type": "Special", "file": "/private/var/db/diagnostics/Special/0000000000000009.tracev3", "processList": [{"process": "%s"}`, sdInWindow.Unix(), daemons[0])
	if plant {
		line += fmt.Sprintf(`, {"process": "%s"}`, PlantedTmpPath)
	}
	w.file("ios.logdata_statistics", "system_logs.logarchive/Extra/logdata.statistics.1.jsonl", line+"]}\n")
}

func (w *sdWriter) uuidtexts(daemons []string, plant bool) {
	paths := append([]string{}, daemons...)
	if plant {
		paths = append(paths, PlantedStagingPath)
	}
	for i, p := range paths {
		u := fmt.Sprintf("%032X", 0xA0000+i)
		w.bytes("ios.uuidtext", "system_logs.logarchive/"+u[:2]+"/"+u[2:], uuidtext.Build(p, "%s started", "state %d"))
	}
}

func (w *sdWriter) binaryLocations(daemons []string, plant bool) {
	m := map[string]any{}
	for i, d := range daemons {
		m[fmt.Sprintf("%032X", 0xB0000+i)] = d
	}
	if plant {
		m[fmt.Sprintf("%032X", 0xBFFFF)] = PlantedTmpPath
	}
	b, err := plist.Marshal(m, plist.XMLFormat)
	if err != nil {
		w.err = err
		return
	}
	w.bytes("ios.binary_locations", "logs/tailspindb/UUIDToBinaryLocations", b)
}

func ips(name, path string, at time.Time) string {
	return fmt.Sprintf(`{"bug_type":"309","app_name":"%s","name":"%s","timestamp":"%s","os_version":"iPhone OS 18.1 (22B83)","incident_id":"00000000-0000-4000-8000-%012d"}`,
		name, name, at.Format("2006-01-02 15:04:05.00 -0700"), at.Unix()%1_000_000_000_000) +
		"\n" + fmt.Sprintf(`{"procPath":"%s","parentProc":"launchd","exception":{"type":"EXC_BAD_ACCESS","signal":"SIGSEGV"}}`, path)
}

func (w *sdWriter) crashes(plant bool) {
	w.file("ios.crash_reports", "crashes_and_spins/Weather-2026-11-10-090000.ips", ips("Weather", "/private/var/containers/Bundle/Application/0A/Weather.app/Weather", sdBefore))
	if plant {
		for i := range 3 {
			at := sdInWindow.Add(time.Duration(i) * 90 * time.Second)
			w.file("ios.crash_reports", fmt.Sprintf("crashes_and_spins/%s-2026-11-20-15%02d00.ips", PlantedProcess, 10+i), ips(PlantedProcess, PlantedTmpPath, at))
		}
	}
}

func (w *sdWriter) profiles(plant bool) {
	write := func(name, payload, display string, at time.Time) {
		b, err := plist.Marshal(map[string]any{"PayloadUUID": fmt.Sprintf("00000000-0000-4000-8000-%012d", at.Unix()%1e12), "PayloadDisplayName": display,
			"PayloadIdentifier": "com.synthetic." + strings.ToLower(strings.ReplaceAll(display, " ", "")), "InstallDate": at.UTC(),
			"PayloadContent": []any{map[string]any{"PayloadType": payload, "PayloadDisplayName": display}}}, plist.BinaryFormat)
		if err != nil {
			w.err = err
			return
		}
		w.bytes("ios.profiles", "logs/MCState/Shared/"+name, b)
	}
	write("profile-0a1b2c3d.stub", "com.apple.wifi.managed", "Home Wi-Fi", sdBefore)
	if plant {
		write("profile-deadbeef.stub", "com.apple.security.root", "Network Settings", sdInWindow.Add(20*time.Minute))
	}
}

func (w *sdWriter) networkExtensions(plant bool) {
	on := true
	cfgs := []netext.Config{{Name: "Screen Time", Identifier: "00000000-0000-4000-8000-0000000000A1", Kind: "content_filter", App: "com.apple.ScreenTimeAgent", Enabled: &on}}
	if plant {
		cfgs = append(cfgs, netext.Config{Name: "Safe Browsing", Identifier: "00000000-0000-4000-8000-0000000000B2", Kind: "content_filter",
			App: PlantedFilterApp, Providers: []string{PlantedFilterApp + ".extension"}, Servers: []string{"https://" + PlantedDomain + "/rules"}, Enabled: &on})
	}
	w.bytes("ios.network_extensions", "logs/Networking/com.apple.networkextension.plist", netext.Build(cfgs))
}

func lockdownTime(t time.Time) string { return t.Format("01/02/06 15:04:05.000000") }

func (w *sdWriter) lockdown(plant bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s pid=70 handle_get_value: AMPDevicesAgent attempting to get [ProductVersion]\n", lockdownTime(sdBefore))
	fmt.Fprintf(&b, "%s pid=70 handle_start_service: AMPDevicesAgent attempting to spawn com.apple.mobile.installation_proxy service.\n", lockdownTime(sdBefore.Add(time.Second)))
	if plant {
		at := sdInWindow
		fmt.Fprintf(&b, "%s pid=71 handle_pair: Pairing with host %s accepted by the user\n", lockdownTime(at), PlantedHost)
		fmt.Fprintf(&b, "%s pid=71 handle_start_session: Session started for host %s\n", lockdownTime(at.Add(5*time.Second)), PlantedHost)
		fmt.Fprintf(&b, "%s pid=71 handle_start_service: %s attempting to spawn com.apple.mobile.file_relay service.\n", lockdownTime(at.Add(10*time.Second)), "extractor")
	}
	w.file("ios.lockdown_log", "logs/MobileLockdown/lockdownd.log", b.String())
}

func installdTime(t time.Time) string { return t.Format("Mon Jan _2 15:04:05 2006") }

func (w *sdWriter) installs(plant bool) {
	var b strings.Builder
	line := func(t time.Time, msg string) {
		fmt.Fprintf(&b, "%s [300] <notice> (0x16b48f000) %s\n", installdTime(t), msg)
	}
	install := func(t time.Time, pkg, typ, client, app string) {
		line(t, fmt.Sprintf(`-[MIClientConnection _doInstallationForURL:identity:domain:options:completion:]: Install of "%s" type %s (LSInstallType = 1, Domain: MIInstallationDomainDefault) requested by %s (pid 812 (501/501))`, pkg, typ, client))
		line(t.Add(time.Second), "-[MIInstaller _installInstallable:containingSymlink:error:]: Installing <MIInstallableBundle ID="+app+"; Version=1, ShortVersion=1.0>")
		line(t.Add(2*time.Second), "-[MIInstaller performInstallationWithError:]: Install Successful for ("+typ+":"+app+"); Staging: 0.01s; Waiting: 0.00s; Preflight/Patch: 0.00s, Verifying: 0.03s; Overall: 0.25s")
	}
	install(sdBefore, "/private/var/containers/Shared/SystemGroup/x/PromiseStaging/A/Weather.app", "Placeholder", "installcoordinationd", "com.synthetic.weather")
	line(sdWeekStart, "main: Reboot detected")
	if plant {
		install(sdInWindow.Add(30*time.Minute), "/var/mobile/Media/PublicStaging/updater.ipa", "Customer", "streaming_zip_conduit", PlantedPackage)
	}
	w.file("ios.mobile_installation", "logs/MobileInstallation/mobile_installation.log.0", b.String())
}

func (w *sdWriter) activation(plant bool) {
	var b strings.Builder
	start := func(t time.Time) {
		fmt.Fprintf(&b, "%s [80] <notice> (0x1) MA: main: ____________________ Mobile Activation Startup _____________________\n", installdTime(t))
		fmt.Fprintf(&b, "%s [80] <notice> (0x1) MA: main: build_version: 22B83\n", installdTime(t))
	}
	start(sdWeekStart)
	fmt.Fprintf(&b, "%s [80] <notice> (0x1) MA: perform_data_migration: Upgrading from 22A3354 to 22B83\n", installdTime(sdWeekStart.Add(time.Minute)))
	if plant {
		start(sdInWindow.Add(-20 * time.Minute))
	}
	w.file("ios.mobile_activation", "logs/MobileActivation/mobileactivationd.log.0", b.String())
}

func (w *sdWriter) transparency(plant bool) {
	devs := `"d1": {"serial": "SYNTH0000001", "model": "iPhone15,2", "osVersion": "18.1", "name": "Synthetic iPhone"}`
	if plant {
		devs += `, "d2": {"serial": "SYNTH0000666", "model": "MacBookPro18,1", "osVersion": "15.1", "name": "Unknown Mac"}`
	}
	w.file("ios.transparency_log", "transparency.log", `{"registration": [], "stateMachine": {"accountFirstSeen": "2023-04-11 09:38:27 +0000", "devices": {`+devs+`}}}`)
}

// unifiedLog writes an export beside the archive's content, as an analyst
// who ran `log show --style ndjson` on the log archive would leave it: n
// entries of the daemons, a tenth of a second apart, all before the
// custody window, one of them naming an iCloud host.
func (w *sdWriter) unifiedLog(daemons []string, n int, plant bool) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.root, "system_logs.ndjson")
	f, err := os.Create(p)
	if err != nil {
		w.err = err
		return
	}
	b := bufio.NewWriterSize(f, 1<<20)
	entry := func(t time.Time, proc, msg string) {
		fmt.Fprintf(b, `{"traceID":1,"eventMessage":%q,"eventType":"logEvent","subsystem":"com.apple.synthetic","category":"default","processImagePath":%q,"senderImagePath":%q,"processID":100,"timestamp":%q,"messageType":"Default"}`+"\n",
			msg, proc, proc, t.Format("2006-01-02 15:04:05.000000-0700"))
	}
	for i := range n {
		entry(sdBefore.Add(time.Duration(i)*100*time.Millisecond), daemons[i%len(daemons)], "state changed")
	}
	entry(sdBefore, "/usr/libexec/cloudd", "Fetched https://gateway.icloud.com/ckdatabase/api")
	if plant {
		entry(sdInWindow.Add(45*time.Minute), PlantedStagingPath, "beacon "+PlantedURL+" sent")
	}
	w.err = errors.Join(b.Flush(), f.Close())
	w.exp.Records["ios.unified_log"]++
}

// WriteTarGz packs the folder src (a generated sysdiagnose's parent) into a
// .tar.gz the way iOS hands a sysdiagnose over: one top folder, named for
// the capture.
func WriteTarGz(src, dst string) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	walkErr := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == src {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if d.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		_, err = io.Copy(tw, in)
		return err
	})
	return errors.Join(walkErr, tw.Close(), zw.Close(), f.Close())
}

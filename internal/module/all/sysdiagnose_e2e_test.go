package all_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/results"
)

// sysdiagnose builds a sysdiagnose_*.tar.gz; infected plants a Pegasus-style
// client in shutdown.log and a process running from /private/var/tmp.
func sysdiagnose(t *testing.T, infected bool) string {
	t.Helper()
	dir := t.TempDir()
	top := "sysdiagnose_2024.03.01_10-00-00+0100_iPhone-OS_iPhone_21D61/"
	extra, proc := "/usr/libexec/backboardd", "/usr/libexec/locationd"
	if infected {
		extra, proc = "/private/var/db/com.apple.xpc.roleaccountd.staging/com.apple.WebKit.Networking", "/private/var/tmp/stagingd"
	}
	moduletest.File(t, dir, top+"sysdiagnose.log", []byte("sysdiagnose version 3.0\nTimezone: Europe/Madrid\n"))
	moduletest.File(t, dir, top+"ps.txt", []byte("USER UID PID PPID %CPU %MEM PRI NI VSZ RSS WCHAN TT STAT STARTED TIME COMMAND\n"+
		"root 0 1 0 0.0 0.1 31 0 1 1 - ?? Ss 9:41AM 0:01.00 /sbin/launchd\n"+
		"mobile 501 77 1 0.0 0.1 31 0 1 1 - ?? Ss 9:41AM 0:01.00 "+proc+"\n"))
	moduletest.File(t, dir, top+"system_logs.logarchive/Extra/shutdown.log", []byte(
		"remaining client pid: 10 (/usr/sbin/mediaserverd)\nSIGTERM: [1709200000]\n"+
			"remaining client pid: 11 ("+extra+")\nSIGTERM: [1709280000]\n"+
			"remaining client pid: 12 (/usr/sbin/wifid)\nSIGTERM: [1709290000]\n"))
	moduletest.File(t, dir, top+"crashes_and_spins/WebContent-2024-03-01-095900.ips", []byte(
		`{"bug_type":"309","name":"com.apple.WebKit.WebContent","timestamp":"2024-03-01 09:59:00.00 +0100","os_version":"iPhone OS 17.3.1 (21D61)"}`+"\n{}"))
	old := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, old, old) })
	return pack(t, dir)
}

func TestSysdiagnoseArchive(t *testing.T) {
	for _, infected := range []bool{true, false} {
		res := runDump2(t, sysdiagnose(t, infected))
		rules := map[string]int{}
		for _, d := range res.Detections {
			rules[d.Rule]++
		}
		want := 0
		if infected {
			want = 1
		}
		if rules["ios.shutdown.staging_client"] != want || rules["ios.process.unusual_path"] != want {
			t.Errorf("infected=%v: rules %v", infected, rules)
		}
		status := map[string]results.ModuleInfo{}
		for _, m := range res.Modules {
			status[m.Name] = m
		}
		for name, n := range map[string]int{"ios.shutdown_log": 3 + 3 + 2, "ios.processes": 2, "ios.crash_reports": 1} {
			if status[name].Status != results.StatusParsed || status[name].Records != n {
				t.Errorf("infected=%v: %s: %+v, want %d records", infected, name, status[name], n)
			}
		}
	}
}

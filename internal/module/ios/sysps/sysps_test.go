package sysps

import (
	"strconv"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

const psHeader = "USER               UID   PID  PPID  %CPU %MEM PRI  NI      VSZ    RSS WCHAN    TT  STAT STARTED      TIME COMMAND\n"

func psRow(user string, pid int, cmd string) string {
	return user + "   501  " + strconv.Itoa(pid) + "     1   0.0  0.1  31   0  4200000   9000 -        ??  Ss    9:41AM   0:00.10 " + cmd + "\n"
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 1)+string(rune('0'+n%10))) + "" }

const psThread = "USER     PID   TT   %CPU STAT PRI     STIME     UTIME COMMAND\n" +
	"root       1   ??    0.0 S    31T   0:00.50   0:00.10 /sbin/launchd\n" +
	"           1         0.0 S    31T   0:00.00   0:00.00 \n" +
	"mobile   7   ??    0.0 S    31T   0:00.50   0:00.10 /private/var/tmp/stagingd --daemon\n"

func TestExecutable(t *testing.T) {
	for cmd, want := range map[string]string{
		"/usr/libexec/locationd":                                            "/usr/libexec/locationd",
		"/usr/sbin/mDNSResponder -launchd":                                  "/usr/sbin/mDNSResponder",
		"/private/var/containers/Bundle/Application/U/My App.app/My App -x": "/private/var/containers/Bundle/Application/U/My App.app/My App",
		"/private/var/containers/Bundle/Application/U/Foo.app/Foo arg":      "/private/var/containers/Bundle/Application/U/Foo.app/Foo",
		"kernel_task": "kernel_task",
		"(launchd) x": "(launchd)",
	} {
		if got := Executable(cmd); got != want {
			t.Errorf("%q -> %q, want %q", cmd, got, want)
		}
	}
}

func TestModule(t *testing.T) {
	clean := psHeader + psRow("root", 1, "/sbin/launchd") + psRow("mobile", 2, "/usr/libexec/locationd") +
		psRow("mobile", 3, "/private/var/containers/Bundle/Application/ABC/My App.app/My App") + psRow("root", 0, "kernel_task")
	cases := []struct {
		name             string
		files            map[string]string
		procs            int
		high, medium     int
		wantProcessNamed string
	}{
		{"clean", map[string]string{"ps.txt": clean}, 4, 0, 0, "locationd"},
		{"implants", map[string]string{
			"ps.txt":        clean + psRow("root", 5, "/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd") + psRow("mobile", 6, "/private/var/mobile/Library/helperd -x"),
			"ps_thread.txt": psThread,
		}, 7, 2, 1, "roleaccountd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, b := range c.files {
				moduletest.File(t, dir, p, []byte(b))
			}
			s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSSysdiagnose, dir))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != c.procs {
				t.Errorf("records = %d, want %d", len(s.Records), c.procs)
			}
			var high, med int
			for _, d := range s.Detections {
				switch d.Severity {
				case model.High:
					high++
				case model.Medium:
					med++
				}
			}
			if high != c.high || med != c.medium {
				t.Errorf("high %d medium %d, want %d %d: %v", high, med, c.high, c.medium, s.Detections)
			}
			found := false
			for _, r := range s.Records {
				found = found || moduletest.Has(r, model.KindProcess, c.wantProcessNamed)
			}
			if !found {
				t.Errorf("no process %s", c.wantProcessNamed)
			}
		})
	}
}

func TestNoHeader(t *testing.T) {
	if _, err := Parse(strings.NewReader("garbage\n"), "ps.txt"); err == nil || !strings.Contains(err.Error(), "ps.txt") {
		t.Fatalf("got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(psHeader + psRow("root", 1, "/sbin/launchd"))
	f.Add(psThread)
	f.Add("PID COMMAND\n-1 x\n1\n")
	f.Fuzz(func(t *testing.T, s string) {
		ps, _ := Parse(strings.NewReader(s), "f")
		for _, p := range ps {
			if p.PID < 0 || p.Command == "" || !strings.HasPrefix(p.Command, p.Executable) {
				t.Fatalf("bad row %+v", p)
			}
		}
	})
}

package applelog

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

func TestParse(t *testing.T) {
	loc := time.FixedZone("x", -7*3600)
	log := "garbage before\n" +
		"Mon Apr  7 06:13:34 2025 [234] <notice> (0x16b48f000) -[MIInstaller _installInstallable:containingSymlink:error:]: Installing <MIInstallableBundle ID=org.example.app; Version=1>\n" +
		"Tue Apr 11 07:45:45 2023 [206] (0x16f72b000) MIIsBuildUpgrade: The latest build information was not found\n" +
		"    continued here\n" +
		"10/13/21 07:57:42.865446 pid=69 handle_get_value: AMPDevicesAgent attempting to get [UniqueDeviceID]\n" +
		"10/13/21 07:57:43.000000 pid=70 no function here\n"
	var got []Entry
	if err := Parse(strings.NewReader(log), loc, func(e Entry) { got = append(got, e) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%+v", got)
	}
	if e := got[0]; e.PID != 234 || e.Level != "notice" || e.Func != "-[MIInstaller _installInstallable:containingSymlink:error:]" ||
		!strings.HasPrefix(e.Message, "Installing <MIInstallableBundle ID=org.example.app") || !e.Time.Equal(time.Date(2025, 4, 7, 13, 13, 34, 0, time.UTC)) {
		t.Errorf("%+v", e)
	}
	if e := got[1]; e.Func != "MIIsBuildUpgrade" || e.Level != "" || !strings.HasSuffix(e.Message, "continued here") {
		t.Errorf("%+v", e)
	}
	if e := got[2]; e.PID != 69 || e.Func != "handle_get_value" || e.Time.Nanosecond() != 865446000 || e.Line != 5 {
		t.Errorf("%+v", e)
	}
	if e := got[3]; e.Func != "" || e.Message != "no function here" {
		t.Errorf("%+v", e)
	}
}

// TestImpossibleDatesKeptRaw: a head line whose date is no plausible date
// is still an entry, with no time and an error keeping the date as written;
// a line whose date is in no form is no head line.
func TestImpossibleDatesKeptRaw(t *testing.T) {
	for _, c := range []struct {
		name, line, raw string
	}{
		{"installd year 2999", "Mon Apr  7 06:13:34 2999 [234] <notice> (0x1) main: Reboot detected\n", "Mon Apr  7 06:13:34 2999"},
		{"lockdownd 1969", "12/31/69 23:00:00.000000 pid=69 f: m\n", "12/31/69 23:00:00.000000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []Entry
			if err := Parse(strings.NewReader(c.line), time.UTC, func(e Entry) { got = append(got, e) }); err != nil {
				t.Fatal(err)
			}
			var re *timestamp.RangeError
			if len(got) != 1 || !got[0].Time.IsZero() || !errors.As(got[0].TimeErr, &re) || re.Raw != c.raw {
				t.Errorf("%+v", got)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("Mon Apr  7 06:13:34 2025 [234] <notice> (0x1) -[A b]: c\nx\n10/13/21 07:57:42.865446 pid=69 f: m\n")
	f.Add("10/13/21 99:99:99.0 pid=-1 x\nMon Xyz  7 06:13:34 2025 [x]\n")
	f.Fuzz(func(t *testing.T, s string) {
		n := 0
		Parse(strings.NewReader(s), time.UTC, func(e Entry) {
			n++
			if e.PID < 0 || len(e.Message) > maxMessage || e.Line < 1 || (!e.Time.IsZero() && (e.Time.Year() < 1970 || e.Time.Year() > 2100)) {
				t.Fatalf("bad entry %+v", e)
			}
		})
		if n > strings.Count(s, "\n")+1 {
			t.Fatalf("%d entries from %d lines", n, strings.Count(s, "\n")+1)
		}
	})
}

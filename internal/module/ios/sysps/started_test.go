package sysps

import (
	"testing"
	"time"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestStartTime(t *testing.T) {
	mx := time.FixedZone("UTC-06:00", -6*3600)
	taken := time.Date(2026, 11, 20, 10, 30, 0, 0, mx) // a Friday
	for _, c := range []struct {
		in   string
		want time.Time
		prec string
	}{
		{"9:41AM", time.Date(2026, 11, 20, 9, 41, 0, 0, mx), PrecisionMinute},
		{"11:05PM", time.Date(2026, 11, 19, 23, 5, 0, 0, mx), PrecisionMinute}, // the evening before
		{"12:10AM", time.Date(2026, 11, 20, 0, 10, 0, 0, mx), PrecisionMinute},
		{"10:30AM", time.Date(2026, 11, 20, 10, 30, 0, 0, mx), PrecisionMinute},
		{"Mon09AM", time.Date(2026, 11, 16, 9, 0, 0, 0, mx), PrecisionHour},
		{"Fri12PM", time.Date(2026, 11, 13, 12, 0, 0, 0, mx), PrecisionHour}, // today's noon is after the capture
		{"12Jan24", time.Date(2024, 1, 12, 0, 0, 0, 0, mx), PrecisionDay},
		{"3Jan24", time.Date(2024, 1, 3, 0, 0, 0, 0, mx), PrecisionDay},
	} {
		got, prec, ok := StartTime(c.in, taken)
		if !ok || !got.Equal(c.want) || prec != c.prec {
			t.Errorf("%s -> %v %s %v, want %v %s", c.in, got, prec, ok, c.want, c.prec)
		}
	}
	for _, bad := range []string{"", "13:00AM", "9:4AM", "Xyz09AM", "Mon13PM", "1Jan99x", "31Dec30", "0:00AM"} {
		if got, _, ok := StartTime(bad, taken); ok {
			t.Errorf("%q -> %v, want no time", bad, got)
		}
	}
	if _, _, ok := StartTime("9:41AM", time.Time{}); ok {
		t.Error("a start time without a capture time")
	}
}

// With the capture time the opener reads from the archive's name, every
// process gets its start (to the minute when ps printed one) and the time
// it was seen running; without it, none.
func TestModuleStampsTimes(t *testing.T) {
	dir := t.TempDir()
	moduletest.File(t, dir, "ps.txt", []byte(psHeader+psRow("root", 1, "/sbin/launchd")+
		"mobile   501  2     1   0.0  0.1  31   0  4200000   9000 -        ??  Ss    Mon09AM   0:00.10 /usr/libexec/locationd\n"))
	ev := moduletest.Evidence(t, source.IOSSysdiagnose, dir)
	s := moduletest.MustRun(t, Def(), ev)
	if s.Stamps() != 0 {
		t.Fatalf("%d stamps without a capture time", s.Stamps())
	}
	taken := time.Date(2026, 11, 20, 10, 30, 0, 0, time.FixedZone("x", -6*3600))
	ev.Device.Acquired = &taken
	s = moduletest.MustRun(t, Def(), ev)
	descs := map[string]int{}
	for _, r := range s.Records {
		for _, st := range r.Times {
			descs[st.Desc]++
		}
	}
	if descs["process_running"] != 2 || descs["process_started"] != 1 {
		t.Errorf("stamps %v", descs)
	}
	row := s.Records[1].Data.(*Row)
	if row.StartedPrecision != PrecisionHour || row.StartedAt == nil || row.StartedAt.Hour() != 15 {
		t.Errorf("locationd %+v", row)
	}
}

func FuzzStartTime(f *testing.F) {
	f.Add("9:41AM")
	f.Add("Mon09AM")
	f.Add("12Jan24")
	taken := time.Date(2026, 11, 20, 10, 30, 0, 0, time.FixedZone("x", -6*3600))
	f.Fuzz(func(t *testing.T, s string) {
		got, prec, ok := StartTime(s, taken)
		if !ok {
			return
		}
		if got.After(taken) {
			t.Fatalf("%q starts after the capture: %v", s, got)
		}
		switch prec {
		case PrecisionMinute:
			if taken.Sub(got) >= 25*time.Hour {
				t.Fatalf("%q: a clock time more than a day before: %v", s, got)
			}
		case PrecisionHour:
			if taken.Sub(got) > 8*24*time.Hour {
				t.Fatalf("%q: a weekday more than a week before: %v", s, got)
			}
		case PrecisionDay:
		default:
			t.Fatalf("precision %q", prec)
		}
	})
}

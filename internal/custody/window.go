// Package custody is the custody window: an interval, given by the analyst,
// when the phone was out of its owner's hands (a border check, a police
// interview, a repair shop). It selects from the timeline every event in
// the window, sorts out those that mean someone handled the phone (a
// computer trusted, adb used, an app, profile or certificate installed, a
// reboot, an unlock) and says which sources cover the window and which do
// not. The correlation rules that turn hands-on access into findings
// (internal/detect) and the report's custody section both read the
// timeline through Tracker, so a check and a later 'huella report' agree.
package custody

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// Window is the interval, both ends included.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// MaxSpan bounds a window: past a year it no longer says when the phone
// was out of hand, it says "always".
const MaxSpan = 366 * 24 * time.Hour

// Parse reads "FROM/TO" in ISO 8601 with a zone (2026-11-20T14:00:00-06:00
// or ...Z; seconds may be left out), or "FROM/DURATION" (PT4H, P1DT2H30M).
// A time without a zone is refused: the same clock time is a different
// moment in every zone, and the evidence's own zone is not known before
// the evidence is read.
func Parse(s string) (Window, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok || from == "" || to == "" || strings.Contains(to, "/") {
		return Window{}, fmt.Errorf("custody window %q: give FROM/TO, e.g. 2026-11-20T14:00:00-06:00/2026-11-20T18:00:00-06:00", s)
	}
	f, err := parseTime(from)
	if err != nil {
		return Window{}, fmt.Errorf("custody window start %q: %w", from, err)
	}
	var t time.Time
	if strings.HasPrefix(to, "P") {
		d, err := parseDuration(to)
		if err != nil {
			return Window{}, fmt.Errorf("custody window duration %q: %w", to, err)
		}
		t = f.Add(d)
	} else if t, err = parseTime(to); err != nil {
		return Window{}, fmt.Errorf("custody window end %q: %w", to, err)
	}
	w := Window{From: f, To: t}
	switch {
	case !t.After(f):
		return Window{}, fmt.Errorf("custody window %q ends before it starts", s)
	case t.Sub(f) > MaxSpan:
		return Window{}, fmt.Errorf("custody window %q is longer than a year: give the hours the phone was out of the owner's hands", s)
	case timestamp.Check(f) != nil || timestamp.Check(t) != nil:
		return Window{}, fmt.Errorf("custody window %q is not between 1970 and 2100", s)
	}
	return w, nil
}

var errNoZone = errors.New("give the zone, e.g. -06:00 or Z: a time without one is a different moment in every zone")

func parseTime(s string) (time.Time, error) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if _, err := time.Parse(l, s); err == nil {
			return time.Time{}, errNoZone
		}
	}
	return time.Time{}, errors.New("not an ISO 8601 time such as 2026-11-20T14:00:00-06:00")
}

// parseDuration reads the ISO 8601 durations a custody window needs:
// P[nW][nD][T[nH][nM][nS]], whole numbers.
func parseDuration(s string) (time.Duration, error) {
	bad := errors.New("not an ISO 8601 duration such as PT4H or P1DT2H")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, bad
	}
	var d time.Duration
	inTime, any := false, false
	num := ""
	for _, c := range s[1:] {
		switch {
		case c >= '0' && c <= '9':
			num += string(c)
			if len(num) > 6 {
				return 0, bad
			}
		case c == 'T' && !inTime && num == "":
			inTime = true
		default:
			if num == "" {
				return 0, bad
			}
			n, _ := strconv.Atoi(num)
			unit := map[bool]map[rune]time.Duration{
				false: {'W': 7 * 24 * time.Hour, 'D': 24 * time.Hour},
				true:  {'H': time.Hour, 'M': time.Minute, 'S': time.Second},
			}[inTime][c]
			if unit == 0 {
				return 0, bad
			}
			d += time.Duration(n) * unit
			num, any = "", true
		}
	}
	if num != "" || !any || d <= 0 {
		return 0, bad
	}
	return d, nil
}

// Contains says whether t falls in the window (both ends included).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.From) && !t.After(w.To) }

// String is the window as Parse reads it, each end in the zone it was
// given in.
func (w Window) String() string {
	return w.From.Format(time.RFC3339) + "/" + w.To.Format(time.RFC3339)
}

// Text is the window for a person: "2026-11-20 14:00 – 2026-11-20 18:00
// (UTC-06:00)", in the zone of its start.
func (w Window) Text() string {
	to := w.To.In(w.From.Location())
	return w.From.Format("2006-01-02 15:04") + " – " + to.Format("2006-01-02 15:04") + " (" + zoneText(w.From) + ")"
}

func zoneText(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	return "UTC" + t.Format("-07:00")
}

// IsZero says whether no window was given.
func (w Window) IsZero() bool { return w.From.IsZero() && w.To.IsZero() }

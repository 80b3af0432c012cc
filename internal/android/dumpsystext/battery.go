package dumpsystext

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// PackageChange is one line of the batterystats daily "Package changes".
type PackageChange struct {
	Action       string `json:"action"` // update, downgrade or uninstall
	From         string `json:"from"`   // day the stats block starts, YYYY-MM-DD
	To           string `json:"to"`
	Package      string `json:"package_name"`
	Vers         int64  `json:"vers"`
	PreviousVers int64  `json:"previous_vers,omitempty"`
}

var (
	dailyRe  = regexp.MustCompile(`^Daily from (\S+) to (\S+):$`)
	updateRe = regexp.MustCompile(`^Update (\S+) vers=(-?\d+)$`)
)

// ParseBatteryDaily reads the daily package changes. The same package and
// version inside one day count once. Changes are ordered by day (the dump
// lists days newest first) so that each version is compared with the one
// before it in time: vers=0 is an uninstall, which resets the history, and a
// lower version than the last one seen is a downgrade.
func ParseBatteryDaily(s string) []PackageChange {
	var out []PackageChange
	from, to := "", ""
	seen := map[string]bool{}
	for _, ln := range lines(s) {
		t := strings.TrimSpace(ln)
		if m := dailyRe.FindStringSubmatch(t); m != nil {
			from, to = first10(m[1]), first10(m[2])
			continue
		}
		if from == "" {
			continue
		}
		m := updateRe.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		v, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil {
			continue
		}
		key := from + "\x00" + to + "\x00" + m[1] + "\x00" + m[2]
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, PackageChange{Action: "update", From: from, To: to, Package: m[1], Vers: v})
	}
	slices.SortStableFunc(out, func(a, b PackageChange) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Package, b.Package))
	})
	last := map[string]int64{}
	for i := range out {
		c := &out[i]
		prev, had := last[c.Package]
		switch {
		case c.Vers == 0:
			c.Action = "uninstall"
			delete(last, c.Package)
			continue
		case had && c.Vers < prev:
			c.Action = "downgrade"
			c.PreviousVers = prev
		}
		last[c.Package] = c.Vers
	}
	return out
}

func first10(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

// HistoryEvent is one package event of the battery history.
type HistoryEvent struct {
	TimeElapsed string `json:"time_elapsed"`
	Event       string `json:"event"` // start_job, end_job, wake, start_top, end_top
	UID         string `json:"uid"`
	Package     string `json:"package_name"`
	Service     string `json:"service,omitempty"`
}

var (
	absTimeRe = regexp.MustCompile(`^\d\d-\d\d \d\d:\d\d:\d\d\.\d+`)
	histRe    = regexp.MustCompile(`([+-])(job|top|wake_lock)=([^:\s]+):"([^"]*)"`)
)

// ParseBatteryHistory reads the "Battery History" lines, which name apps
// (jobs, wakeups, foreground) with their uid even after uninstall. Reading
// stops at the first blank line after the history starts.
func ParseBatteryHistory(s string) []HistoryEvent {
	var out []HistoryEvent
	ls := lines(s)
	start := 0
	for i, ln := range ls {
		if strings.HasPrefix(strings.TrimSpace(ln), "Battery History") {
			start = i + 1
			break
		}
	}
	for _, ln := range ls[start:] {
		t := strings.TrimSpace(ln)
		if t == "" {
			break
		}
		elapsed := absTimeRe.FindString(t)
		if elapsed == "" {
			elapsed, _, _ = strings.Cut(t, " ")
		}
		for _, m := range histRe.FindAllStringSubmatch(t, -1) {
			ev := HistoryEvent{TimeElapsed: elapsed, UID: m[3]}
			switch m[2] {
			case "job":
				ev.Event = map[string]string{"+": "start_job", "-": "end_job"}[m[1]]
				ev.Service = m[4]
				ev.Package, _, _ = strings.Cut(m[4], "/")
			case "top":
				ev.Event = map[string]string{"+": "start_top", "-": "end_top"}[m[1]]
				ev.Package = m[4]
			case "wake_lock":
				_, svc, ok := strings.Cut(m[4], "*walarm*:")
				if m[1] != "+" || !ok {
					continue
				}
				ev.Event = "wake"
				ev.Service = svc
				ev.Package, _, _ = strings.Cut(svc, "/")
			}
			out = append(out, ev)
		}
	}
	return out
}

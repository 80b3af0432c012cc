package sysps

import (
	"strconv"
	"strings"
	"time"
)

// Precision of a start time read from ps's STARTED column.
const (
	PrecisionMinute = "minute" // "9:41AM": started less than a day before
	PrecisionHour   = "hour"   // "Mon09AM": less than a week before
	PrecisionDay    = "day"    // "12Jan24": earlier
)

// StartTime places ps's STARTED column in time. BSD ps prints it in the
// phone's local time, in one of three shapes depending on how long ago the
// process started, and without a date when that was less than a week
// before: so the capture time (the archive's name) anchors it. taken must
// be in the phone's zone. ok is false for anything else.
func StartTime(started string, taken time.Time) (t time.Time, precision string, ok bool) {
	s := strings.TrimSpace(started)
	if taken.IsZero() || len(s) < 5 || len(s) > 9 {
		return time.Time{}, "", false
	}
	loc := taken.Location()
	switch {
	case strings.HasSuffix(s, "AM") || strings.HasSuffix(s, "PM"):
		body, pm := s[:len(s)-2], strings.HasSuffix(s, "PM")
		if i := strings.IndexByte(body, ':'); i > 0 {
			// "9:41AM": the last such time at or before the capture.
			h, err1 := strconv.Atoi(body[:i])
			m, err2 := strconv.Atoi(body[i+1:])
			if err1 != nil || err2 != nil || h < 1 || h > 12 || m < 0 || m > 59 || len(body[i+1:]) != 2 {
				return time.Time{}, "", false
			}
			h = hour24(h, pm)
			t = time.Date(taken.Year(), taken.Month(), taken.Day(), h, m, 0, 0, loc)
			if t.After(taken) {
				t = t.AddDate(0, 0, -1)
			}
			return t, PrecisionMinute, true
		}
		// "Mon09AM": the last such weekday and hour at or before the capture.
		if len(body) != 5 {
			return time.Time{}, "", false
		}
		wd, okd := weekdays[body[:3]]
		h, err := strconv.Atoi(body[3:])
		if !okd || err != nil || h < 1 || h > 12 {
			return time.Time{}, "", false
		}
		h = hour24(h, pm)
		t = time.Date(taken.Year(), taken.Month(), taken.Day(), h, 0, 0, 0, loc)
		for i := 0; i < 8 && (t.Weekday() != wd || t.After(taken)); i++ {
			t = t.AddDate(0, 0, -1)
		}
		if t.Weekday() != wd || t.After(taken) {
			return time.Time{}, "", false
		}
		return t, PrecisionHour, true
	}
	// "12Jan24" or "3Jan24": a day.
	d, err := time.ParseInLocation("2Jan06", s, loc)
	if err != nil || d.After(taken) {
		return time.Time{}, "", false
	}
	return d, PrecisionDay, true
}

func hour24(h int, pm bool) int {
	switch {
	case h == 12 && !pm:
		return 0
	case h != 12 && pm:
		return h + 12
	}
	return h
}

var weekdays = map[string]time.Weekday{"Sun": time.Sunday, "Mon": time.Monday, "Tue": time.Tuesday, "Wed": time.Wednesday,
	"Thu": time.Thursday, "Fri": time.Friday, "Sat": time.Saturday}

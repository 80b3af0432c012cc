// Package sysdiag holds what the sysdiagnose modules share: when the
// archive was taken and in which zone the phone printed its local times.
// A sysdiagnose's text files (ps.txt, lockdownd.log, mobile_installation.log)
// print the phone's local time without a zone; the archive's name carries
// the capture time with its UTC offset and sysdiagnose.log the zone's name
// (the opener reads both into source.Device).
package sysdiag

import (
	"time"

	"github.com/huella-project/huella/internal/source"
)

// Taken is when the sysdiagnose was taken, from its name; ok is false when
// the name was lost (a renamed folder).
func Taken(ev *source.Evidence) (time.Time, bool) {
	if ev == nil || ev.Device.Acquired == nil || ev.Device.Acquired.IsZero() {
		return time.Time{}, false
	}
	return *ev.Device.Acquired, true
}

// Zone is the phone's zone: the named zone sysdiagnose.log gives (which
// knows summer time), else the fixed offset of the archive's name, else
// nil (times are then read as UTC and the module says so).
func Zone(ev *source.Evidence) *time.Location {
	if ev == nil {
		return nil
	}
	if l := ev.Device.Location(); l != nil {
		return l
	}
	if t, ok := Taken(ev); ok && t.Location() != time.UTC && t.Location() != time.Local {
		return t.Location()
	}
	return nil
}

// ZoneOrUTC is Zone, or UTC with known=false when the zone is unknown.
func ZoneOrUTC(ev *source.Evidence) (loc *time.Location, known bool) {
	if l := Zone(ev); l != nil {
		return l, true
	}
	return time.UTC, false
}

// When is a log entry's time as a finding's text quotes it: in UTC, or "?"
// when the entry's date was no plausible one.
func When(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

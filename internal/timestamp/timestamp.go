// Package timestamp turns the numbers phone databases store for dates into
// times. It is the one place for every epoch (Unix 1970, Cocoa 2001,
// WebKit/Chrome 1601) and unit (seconds to nanoseconds), so that every
// module treats an impossible value the same way.
//
// A crafted database can hold any number in a date column. Every conversion
// checks the range before doing any arithmetic that could overflow, and a
// value that is no date between Earliest and Latest is never wrapped to a
// wrong date: the conversion returns the zero time and a *RangeError that
// carries the stored value as text, for the record to keep (see
// model.Record.StampChecked). Zero means "not set" in every format and gives
// the zero time with no error.
//
// Why 1970–2100: no phone event predates the Unix epoch (the first iPhone
// shipped in 2007, Android in 2008), and 2100 leaves room for calendar
// entries, expiry dates and clocks set far ahead, while keeping out the
// values that only overflow, a wrong unit or a crafted file produce.
package timestamp

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// The plausible range: Earliest inclusive, Latest exclusive.
var (
	Earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

var (
	earliestUnix = Earliest.Unix()
	latestUnix   = Latest.Unix()
)

// Epoch is the zero of a time scale, in Unix seconds.
type Epoch struct {
	Name   string
	offset int64
}

var (
	UnixEpoch   = Epoch{"Unix", 0}
	CocoaEpoch  = Epoch{"Cocoa", 978_307_200}      // 2001-01-01, CFAbsoluteTime / NSDate
	WebKitEpoch = Epoch{"WebKit", -11_644_473_600} // 1601-01-01, Chrome and Windows FILETIME
)

// Offset is the epoch in Unix seconds.
func (e Epoch) Offset() int64 { return e.offset }

// Unit is how many steps a stored value counts per second.
type Unit int64

const (
	Seconds      Unit = 1
	Milliseconds Unit = 1_000
	Microseconds Unit = 1_000_000
	Ticks100ns   Unit = 10_000_000 // Windows FILETIME
	Nanoseconds  Unit = 1_000_000_000
)

func (u Unit) String() string {
	switch u {
	case Seconds:
		return "seconds"
	case Milliseconds:
		return "milliseconds"
	case Microseconds:
		return "microseconds"
	case Ticks100ns:
		return "100-nanosecond ticks"
	case Nanoseconds:
		return "nanoseconds"
	}
	return fmt.Sprintf("1/%d seconds", int64(u))
}

// RangeError says a stored value is no date in the plausible range. Raw is
// the value as stored (as text), Scale what it was read as.
type RangeError struct {
	Raw   string
	Scale string // e.g. "Cocoa seconds"
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("%s (%s) is not a date between %d and %d", e.Raw, e.Scale, Earliest.Year(), Latest.Year()-1)
}

// InRange says whether t lies in the plausible range.
func InRange(t time.Time) bool {
	return !t.Before(Earliest) && t.Before(Latest)
}

// Check returns a *RangeError for a time outside the plausible range (a date
// parsed from text can be year 9999), nil otherwise. The zero time is "not
// set" and passes.
func Check(t time.Time) error {
	if t.IsZero() || InRange(t) {
		return nil
	}
	return &RangeError{Raw: t.UTC().Format(time.RFC3339Nano), Scale: "date"}
}

func scale(e Epoch, u Unit) string { return e.Name + " " + u.String() }

// FromInt converts v steps of u since epoch e. It cannot overflow: the
// whole-second part is compared with the range before the epoch is added.
func FromInt(v int64, e Epoch, u Unit) (time.Time, error) {
	if v == 0 {
		return time.Time{}, nil
	}
	if u <= 0 {
		return time.Time{}, fmt.Errorf("timestamp: unit %d", u)
	}
	sec, frac := v/int64(u), v%int64(u)
	if frac < 0 { // floor division, so frac is in [0, u)
		sec--
		frac += int64(u)
	}
	// earliestUnix-e.offset and latestUnix-e.offset are small: no overflow.
	if sec < earliestUnix-e.offset || sec >= latestUnix-e.offset {
		return time.Time{}, &RangeError{Raw: strconv.FormatInt(v, 10), Scale: scale(e, u)}
	}
	ns := frac * (1_000_000_000 / int64(u))
	if int64(u) > 1_000_000_000 || 1_000_000_000%int64(u) != 0 {
		ns = int64(float64(frac) * 1e9 / float64(u))
	}
	return time.Unix(sec+e.offset, ns).UTC(), nil
}

// FromFloat converts v steps of u since epoch e (REAL columns, property-list
// dates). NaN and infinities are out of range.
func FromFloat(v float64, e Epoch, u Unit) (time.Time, error) {
	if v == 0 {
		return time.Time{}, nil
	}
	if u <= 0 {
		return time.Time{}, fmt.Errorf("timestamp: unit %d", u)
	}
	bad := func() (time.Time, error) {
		return time.Time{}, &RangeError{Raw: strconv.FormatFloat(v, 'g', -1, 64), Scale: scale(e, u)}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return bad()
	}
	// A whole number that fits is converted exactly (nanosecond columns
	// stored as REAL are common).
	if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
		t, err := FromInt(int64(v), e, u)
		if err != nil {
			return bad()
		}
		return t, nil
	}
	s := v / float64(u) // seconds since the epoch; any float64, checked before use
	unix := s + float64(e.offset)
	if !(unix >= float64(earliestUnix) && unix < float64(latestUnix)) {
		return bad()
	}
	sec := math.Floor(s)
	ns := math.Round((s - sec) * 1e9)
	if ns >= 1e9 {
		sec, ns = sec+1, 0
	}
	t := time.Unix(int64(sec)+e.offset, int64(ns)).UTC()
	if !InRange(t) { // rounding up to Latest itself
		return bad()
	}
	return t, nil
}

// Apple reads a Cocoa (2001) timestamp. iOS stores seconds in older
// databases and nanoseconds in newer ones (sms.db since iOS 11); a value
// beyond 1e11 in size cannot be seconds in range (that would be year 5170),
// so it is taken as nanoseconds.
func Apple(v float64) (time.Time, error) {
	if math.Abs(v) > 1e11 {
		return FromFloat(v, CocoaEpoch, Nanoseconds)
	}
	return FromFloat(v, CocoaEpoch, Seconds)
}

// AppleInt is Apple for integer columns, exact to the nanosecond.
func AppleInt(v int64) (time.Time, error) {
	if v > 1e11 || v < -1e11 {
		return FromInt(v, CocoaEpoch, Nanoseconds)
	}
	return FromInt(v, CocoaEpoch, Seconds)
}

// AppleSeconds reads Cocoa seconds (NSDate, CFAbsoluteTime).
func AppleSeconds(v float64) (time.Time, error) { return FromFloat(v, CocoaEpoch, Seconds) }

// Unix reads a Unix timestamp whose unit the column does not say, by its
// size (see unixUnit).
func Unix(v float64) (time.Time, error) {
	return FromFloat(v, UnixEpoch, unixUnit(math.Abs(v)))
}

// UnixInt is Unix for integer columns, exact to the nanosecond.
func UnixInt(v int64) (time.Time, error) {
	a := v
	if a < 0 {
		if a == math.MinInt64 {
			return FromInt(v, UnixEpoch, Nanoseconds) // out of range whatever the unit
		}
		a = -a
	}
	return FromInt(v, UnixEpoch, unixUnit(a))
}

// unixUnit guesses the unit of a Unix timestamp of magnitude a as Android
// and browser databases mix them: beyond 1e17 nanoseconds, 1e14
// microseconds, 1e11 milliseconds, else seconds. Each threshold is where
// the smaller unit would leave the range (1e11 s is year 5138).
func unixUnit[T int64 | float64](a T) Unit {
	switch {
	case a > 1e17:
		return Nanoseconds
	case a > 1e14:
		return Microseconds
	case a > 1e11:
		return Milliseconds
	}
	return Seconds
}

// UnixSeconds, UnixMillis (Android providers), UnixMicros (Firefox PRTime)
// and UnixNanos read a Unix timestamp of a known unit.
func UnixSeconds(v int64) (time.Time, error) { return FromInt(v, UnixEpoch, Seconds) }
func UnixMillis(v int64) (time.Time, error)  { return FromInt(v, UnixEpoch, Milliseconds) }
func UnixMicros(v int64) (time.Time, error)  { return FromInt(v, UnixEpoch, Microseconds) }
func UnixNanos(v int64) (time.Time, error)   { return FromInt(v, UnixEpoch, Nanoseconds) }

// WebKit reads microseconds since 1601-01-01 (Chrome and WebKit history).
func WebKit(v int64) (time.Time, error) { return FromInt(v, WebKitEpoch, Microseconds) }

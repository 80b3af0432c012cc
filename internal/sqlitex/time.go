package sqlitex

import (
	"math"
	"time"
)

// appleEpoch is 2001-01-01 UTC, the zero of Cocoa (CFAbsoluteTime) dates.
var appleEpoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// AppleTime converts a Cocoa timestamp. iOS stores it in seconds in older
// databases and in nanoseconds in newer ones (sms.db since iOS 11), so large
// values are taken as nanoseconds. Zero and absurd values give the zero time.
func AppleTime(v float64) time.Time {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return time.Time{}
	}
	if math.Abs(v) > 1e11 { // nanoseconds
		v /= 1e9
	}
	if math.Abs(v) > 1e10 {
		return time.Time{}
	}
	sec, frac := math.Modf(v)
	return appleEpoch.Add(time.Duration(sec)*time.Second + time.Duration(frac*1e9)).UTC()
}

// UnixTime converts seconds, milliseconds or microseconds since 1970 (guessing
// by magnitude, as Android and Chrome databases mix them).
func UnixTime(v float64) time.Time {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return time.Time{}
	}
	switch a := math.Abs(v); {
	case a > 1e17: // nanoseconds
		v /= 1e9
	case a > 1e14: // microseconds
		v /= 1e6
	case a > 1e11: // milliseconds
		v /= 1e3
	}
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// WebKitTime converts Chrome/WebKit microseconds since 1601-01-01.
func WebKitTime(v int64) time.Time {
	if v <= 0 {
		return time.Time{}
	}
	return time.Unix(v/1e6-11644473600, (v%1e6)*1000).UTC()
}

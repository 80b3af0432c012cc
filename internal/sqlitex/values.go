package sqlitex

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// SQLite lets any column hold any type whatever the schema declares, and a
// forged database will. Modules scan evidence columns into `any` (Each does)
// and convert with this one family, which never fails a whole table over one
// odd cell. What each conversion does with a value it cannot use is chosen
// for evidence:
//
//   - A number is taken from text only when the whole text (spaces around
//     it aside) is a decimal number. "12abc" is not 12: reading a prefix
//     would turn a date written as text ("2023-06-01 10:00") into the number
//     2023, a plausible-looking time that was never stored. Go's wider
//     syntax (hex floats, "Inf", "NaN", underscores) is not what SQLite or
//     a phone writes, so it is not a number either. Unusable text gives 0,
//     which every date conversion reads as "not set".
//   - A real converted to an integer is truncated toward zero when it fits
//     in int64; NaN, infinities and values out of range give 0. Go's own
//     conversion of 1e300 is implementation-defined (the minimum int64 on
//     amd64, the maximum on arm64): a forged value must give the same
//     result on every machine that reads the evidence.
//   - Text is always valid UTF-8: invalid bytes (in a text or a blob read as
//     text) become U+FFFD, as encoding/json writes them anyway, so the
//     matcher judges exactly the text the results and the report show.
//   - A real keeps its stored value, infinities included: the date
//     conversions range-check it and keep the raw value of an impossible
//     date (model.Record.StampChecked) instead of hiding it.

// Int converts a scanned value to an integer; anything unusable gives 0.
func Int(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return truncate(x)
	case string:
		return textInt(x)
	case []byte:
		return textInt(string(x))
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

// Float converts a scanned value to a float; anything unusable gives 0.
func Float(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case string:
		f, _ := textFloat(x)
		return f
	case []byte:
		f, _ := textFloat(string(x))
		return f
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

// Text converts a scanned value to valid UTF-8 text; NULL gives "". Blobs
// are read as text because Core Data stores some strings (WhatsApp names,
// call numbers) as blobs.
func Text(v any) string {
	switch x := v.(type) {
	case string:
		return strings.ToValidUTF8(x, "\uFFFD")
	case []byte:
		return strings.ToValidUTF8(string(x), "\uFFFD")
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		// modernc returns text of a column declared DATE, DATETIME or
		// TIMESTAMP as a time when it parses as one.
		return x.UTC().Format(time.RFC3339Nano)
	}
	return ""
}

// truncate is x toward zero when it fits in int64, else 0.
func truncate(x float64) int64 {
	// -2^63 is exact in float64 and in range; 2^63 is the first value above it.
	if x >= -(1<<63) && x < 1<<63 {
		return int64(x)
	}
	return 0 // NaN, infinities, out of range
}

func textInt(s string) int64 {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, ok := textFloat(s); ok {
		return truncate(f)
	}
	return 0
}

// textFloat reads text that is a decimal number, and nothing else.
func textFloat(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "0123456789+-.eE") != "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// AppleTimeChecked converts a Cocoa timestamp column (seconds, or
// nanoseconds when large; see timestamp.Apple). A value outside 1970–2100 is
// the zero time, never a wrapped date, and an error keeping the value, for
// the record to show (model.Record.StampChecked, or model.RawDates for a
// date not on the timeline). There is no unchecked variant: dropping the
// error turned a possible sign of tampering into "no date". Integer columns
// convert exactly (a nanosecond value is beyond float64's 53 bits).
func AppleTimeChecked(v any) (time.Time, error) {
	if i, ok := v.(int64); ok {
		return timestamp.AppleInt(i)
	}
	return timestamp.Apple(Float(v))
}

// UnixTimeChecked converts seconds, milliseconds, microseconds or
// nanoseconds since 1970, guessing the unit by magnitude (timestamp.Unix),
// with the error that keeps an out-of-range value.
func UnixTimeChecked(v any) (time.Time, error) {
	if i, ok := v.(int64); ok {
		return timestamp.UnixInt(i)
	}
	return timestamp.Unix(Float(v))
}

// WebKitTimeChecked converts Chrome/WebKit microseconds since 1601-01-01.
func WebKitTimeChecked(v any) (time.Time, error) { return timestamp.WebKit(Int(v)) }

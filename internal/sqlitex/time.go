package sqlitex

import (
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// AppleTime converts a Cocoa timestamp column (seconds, or nanoseconds when
// large; see timestamp.Apple). A value outside 1970–2100 gives the zero
// time, never a wrapped date; modules that keep the raw value call
// timestamp.Apple and model.Record.StampChecked instead.
func AppleTime(v float64) time.Time { return timestamp.OrZero(timestamp.Apple(v)) }

// UnixTime converts seconds, milliseconds, microseconds or nanoseconds since
// 1970, guessing the unit by magnitude (timestamp.Unix).
func UnixTime(v float64) time.Time { return timestamp.OrZero(timestamp.Unix(v)) }

// WebKitTime converts Chrome/WebKit microseconds since 1601-01-01.
func WebKitTime(v int64) time.Time { return timestamp.OrZero(timestamp.WebKit(v)) }

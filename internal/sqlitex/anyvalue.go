package sqlitex

import (
	"math"
	"strconv"
	"strings"
)

// SQLite lets any column hold any type whatever the schema declares, and a
// forged database will. Scanning evidence columns into `any` and converting
// with these never fails a whole table over one odd cell.

// AnyInt converts a scanned value to an integer; anything unusable gives 0.
func AnyInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		if math.IsNaN(x) || math.Abs(x) > 1<<62 {
			return 0
		}
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n
	case []byte:
		n, _ := strconv.ParseInt(strings.TrimSpace(string(x)), 10, 64)
		return n
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

// AnyFloat converts a scanned value to a float; anything unusable gives 0.
func AnyFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case string:
		f, _ := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f
	case []byte:
		f, _ := strconv.ParseFloat(strings.TrimSpace(string(x)), 64)
		return f
	}
	return 0
}

// AnyString converts a scanned value to text; NULL gives "".
func AnyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

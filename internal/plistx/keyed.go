package plistx

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
	"howett.net/plist"
)

// ArchiveLimits bound the resolution of an NSKeyedArchiver object graph.
// Objects reference each other by index, so one small archive can name the
// same object from many places; every resolved value counts against MaxNodes.
type ArchiveLimits struct {
	Plist    Limits
	MaxNodes int
	MaxDepth int
}

// DefaultArchiveLimits suits metadata blobs and app archives alike.
var DefaultArchiveLimits = ArchiveLimits{MaxNodes: 1_000_000, MaxDepth: 256}

// ClassKey is the map key under which Unarchive records the class name of
// objects it does not turn into plain Go collections (MBFile, NSURL...).
const ClassKey = "$class"

// Unarchive decodes an NSKeyedArchiver plist and resolves its object graph.
// Collections become map[string]any and []any; NSString, NSDate and NSData
// become string, time.Time and []byte; other classes become maps of their
// resolved fields plus ClassKey. It returns the "root" object, or a map of
// all $top entries when there is no root.
func Unarchive(data []byte) (any, error) {
	return UnarchiveLimits(data, DefaultArchiveLimits)
}

// UnarchiveLimits is Unarchive with explicit bounds.
func UnarchiveLimits(data []byte, lim ArchiveLimits) (any, error) {
	if lim.MaxNodes <= 0 {
		lim.MaxNodes = DefaultArchiveLimits.MaxNodes
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = DefaultArchiveLimits.MaxDepth
	}
	doc, err := DecodeDict(data, lim.Plist)
	if err != nil {
		return nil, err
	}
	if a, _ := doc["$archiver"].(string); a != "NSKeyedArchiver" {
		return nil, errors.New("not an NSKeyedArchiver plist")
	}
	objs, ok := doc["$objects"].([]any)
	if !ok {
		return nil, errors.New("NSKeyedArchiver: $objects missing")
	}
	top, ok := doc["$top"].(map[string]any)
	if !ok {
		return nil, errors.New("NSKeyedArchiver: $top missing")
	}
	r := &resolver{objs: objs, budget: lim.MaxNodes, maxDepth: lim.MaxDepth, open: map[uint64]bool{}}
	if root, ok := top["root"]; ok {
		return r.value(root, 0)
	}
	out := make(map[string]any, len(top))
	for k, v := range top {
		rv, err := r.value(v, 0)
		if err != nil {
			return nil, err
		}
		out[k] = rv
	}
	return out, nil
}

type resolver struct {
	objs     []any
	budget   int
	maxDepth int
	open     map[uint64]bool // objects being resolved on the current path
}

func (r *resolver) spend(depth int) error {
	r.budget--
	if r.budget < 0 {
		return fmt.Errorf("%w: archive resolves to too many values", ErrLimit)
	}
	if depth > r.maxDepth {
		return fmt.Errorf("%w: archive nested deeper than %d", ErrLimit, r.maxDepth)
	}
	return nil
}

func (r *resolver) value(v any, depth int) (any, error) {
	if err := r.spend(depth); err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case plist.UID:
		return r.ref(uint64(t), depth)
	case map[string]any:
		if _, ok := t["$class"]; ok {
			return r.object(t, depth)
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			rv, err := r.value(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		return r.list(t, depth)
	}
	return v, nil
}

// list resolves each item of an array, one level deeper.
func (r *resolver) list(items []any, depth int) ([]any, error) {
	out := make([]any, 0, len(items))
	for _, e := range items {
		v, err := r.value(e, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (r *resolver) ref(i uint64, depth int) (any, error) {
	if i >= uint64(len(r.objs)) {
		return nil, fmt.Errorf("NSKeyedArchiver: reference %d out of range", i)
	}
	if s, ok := r.objs[i].(string); ok && s == "$null" {
		return nil, nil
	}
	if r.open[i] {
		return nil, fmt.Errorf("NSKeyedArchiver: object %d references itself", i)
	}
	r.open[i] = true
	defer delete(r.open, i)
	return r.value(r.objs[i], depth+1)
}

func (r *resolver) className(v any) string {
	u, ok := v.(plist.UID)
	if !ok || uint64(u) >= uint64(len(r.objs)) {
		return ""
	}
	c, _ := r.objs[u].(map[string]any)
	name, _ := c["$classname"].(string)
	return name
}

func (r *resolver) object(m map[string]any, depth int) (any, error) {
	class := r.className(m["$class"])
	// Some archivers store even the payload of NSData/NSString/NSDate as a
	// reference to a separate object.
	field := func(k string) (any, error) {
		if u, ok := m[k].(plist.UID); ok {
			return r.ref(uint64(u), depth)
		}
		return m[k], nil
	}
	switch class {
	case "NSDictionary", "NSMutableDictionary":
		keys, _ := m["NS.keys"].([]any)
		vals, _ := m["NS.objects"].([]any)
		if len(keys) != len(vals) {
			return nil, errors.New("NSKeyedArchiver: dictionary keys and values differ in number")
		}
		out := make(map[string]any, len(keys))
		for i := range keys {
			k, err := r.value(keys[i], depth+1)
			if err != nil {
				return nil, err
			}
			v, err := r.value(vals[i], depth+1)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				ks = fmt.Sprint(k)
			}
			out[ks] = v
		}
		return out, nil
	case "NSArray", "NSMutableArray", "NSSet", "NSMutableSet", "NSOrderedSet", "NSMutableOrderedSet":
		items, _ := m["NS.objects"].([]any)
		return r.list(items, depth)
	case "NSString", "NSMutableString":
		v, err := field("NS.string")
		if err != nil {
			return nil, err
		}
		if s, ok := v.(string); ok {
			return s, nil
		}
		if b, ok := m["NS.bytes"].([]byte); ok {
			return string(b), nil
		}
		return "", nil
	case "NSDate":
		v, err := field("NS.time")
		if err != nil {
			return nil, err
		}
		if f, ok := toFloat(v); ok {
			return cocoaDate(f), nil
		}
		return time.Time{}, nil
	case "NSData", "NSMutableData":
		v, err := field("NS.data")
		if err != nil {
			return nil, err
		}
		b, _ := v.([]byte)
		return b, nil
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		if k == "$class" {
			continue
		}
		v, err := r.value(e, depth+1)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	out[ClassKey] = class
	return out, nil
}

// cocoaDate is an NSDate's value: a time.Time, or the stored Cocoa seconds
// (float64) when they are no date between 1970 and 2100, as Decode does.
func cocoaDate(f float64) any {
	t, err := timestamp.AppleSeconds(f)
	if err != nil {
		return f
	}
	return t
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// Int reads any plist integer (howett yields uint64 or int64, sometimes
// float64 for values written as reals) as int64; ok is false otherwise.
func Int(v any) (int64, bool) {
	switch n := v.(type) {
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		if math.IsNaN(n) || n > math.MaxInt64 || n < math.MinInt64 {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}

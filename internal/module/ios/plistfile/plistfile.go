// Package plistfile holds what the modules reading a property list of
// entries share (locationd's clients.plist, OS analytics' addaily plist,
// WebKit's resource logs, Safari's tab sessions): the bound on the file,
// decoding its top-level dictionary safely, walking an array of
// dictionaries within a bound, and reading the dates it holds without
// losing one that is no date. Each module is then the walk of its own
// dictionary.
package plistfile

import (
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Limit bounds one such file; real ones are far smaller.
var Limit = evfile.Limit{Kind: "property list", Max: 32 << 20}

// Decoder returns the decode of a plist whose top level is a dictionary:
// plistx bounds depth and shared-reference expansion (billion laughs), a
// file that is no such plist is an error saying what it should have been
// (what: "a clients plist"), and walk turns the dictionary into values. A
// panic while walking (a crafted shape no check foresaw) is an error and
// drops what was read.
func Decoder[T any](what string, walk func(root map[string]any) ([]T, error)) func([]byte) ([]T, error) {
	return func(b []byte) (out []T, err error) {
		defer plistx.Malformed(&out, &err)
		root, derr := plistx.DecodeDict(b, plistx.Limits{})
		if derr != nil {
			return nil, fmt.Errorf("not %s: %w", what, derr)
		}
		return walk(root)
	}
}

// Entries maps the dictionaries of a plist array to entries, in order:
// an item that is no dictionary is skipped, so is one entry says is empty
// (ok false), and no more than max are kept (a crafted list of millions is
// cut, never held).
func Entries[T any](list []any, max int, entry func(d map[string]any) (e T, ok bool)) []T {
	var out []T
	for _, item := range list {
		if len(out) >= max {
			break
		}
		d, ok := item.(map[string]any)
		if !ok {
			continue
		}
		if e, ok := entry(d); ok {
			out = append(out, e)
		}
	}
	return out
}

// Date reads a date from a plist value: a plist date, or a number read by
// conv (timestamp.AppleSeconds for CFAbsoluteTime, timestamp.Unix...). A
// number that is no date between 1970 and 2100 is conv's error, which keeps
// it (use model.Record.StampChecked). With timestamp.AppleSeconds that
// includes a plist date outside the range, which plistx hands over as its
// Cocoa seconds (timestamp.Apple would read a large one as nanoseconds, a
// wrong date in range). Zero, and any other type, is no date.
func Date(v any, conv func(float64) (time.Time, error)) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case float64:
		return conv(x)
	case int64:
		return conv(float64(x))
	case uint64:
		return conv(float64(x))
	}
	return time.Time{}, nil
}

package plistx

import (
	"strings"
	"testing"
)

func TestMalformedTurnsAPanicIntoAnError(t *testing.T) {
	decode := func(crash bool) (out []int, err error) {
		defer Malformed(&out, &err)
		out = append(out, 1)
		if crash {
			var m map[string]any
			_ = m["k"].(map[string]any) // the shape a crafted plist breaks
		}
		return out, nil
	}
	if out, err := decode(false); err != nil || len(out) != 1 {
		t.Fatalf("no panic: got %v, %v", out, err)
	}
	out, err := decode(true)
	if err == nil || !strings.HasPrefix(err.Error(), "malformed plist (") || out != nil {
		t.Fatalf("panic: got %v, %v; want nil and a malformed plist error", out, err)
	}
}

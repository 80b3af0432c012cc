package hostile

import (
	"testing"

	"howett.net/plist"
)

// TestBplistWriter proves the hand-made plists are well formed, so a
// parser that refuses them refuses their shape, not a broken encoding.
func TestBplistWriter(t *testing.T) {
	var v any
	if _, err := plist.Unmarshal(deepPlist(3), &v); err != nil {
		t.Fatalf("deep: %v", err)
	}
	if a, ok := v.([]any); !ok || len(a) != 1 {
		t.Fatalf("deep: got %#v", v)
	}
	v = nil
	if _, err := plist.Unmarshal(laughsPlist(2), &v); err != nil {
		t.Fatalf("laughs: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok || len(m["$objects"].([]any)) != 10 || len(m["$objects"].([]any)[0].([]any)) != 10 {
		t.Fatalf("laughs: got %#v", v)
	}
	v = nil
	if _, err := plist.Unmarshal(hugeStringPlist(30), &v); err != nil {
		t.Fatalf("huge string: %v", err)
	}
}

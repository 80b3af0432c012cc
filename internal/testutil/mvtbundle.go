package testutil

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// MVTTestPatterns are the nine indicators MVT's own tests generate (see
// ../shared/fixtures/README.md), each linked to one malware "TestMalware".
var MVTTestPatterns = []string{
	"[domain-name:value='example.org']",
	"[ipv4-addr:value='198.51.100.1']",
	"[process:name='Launch']",
	"[file:name='/var/foobar/txt']",
	"[email-addr:value='foobar@example.org']",
	"[android-property:name='sys.foobar']",
	"[file:hashes.'SHA-256'='570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6']",
	"[file:hashes.'SHA-1'='da0611a300a9ce9aa7a09d1212f203fca5856794']",
	"[url:value='http://example.com/thisisbad']",
}

// WriteSTIX writes a bundle with one malware and one indicator per pattern,
// linked by "indicates" relationships, and returns its path.
func WriteSTIX(t testing.TB, dir, name, malware string, patterns []string) string {
	t.Helper()
	objs := []map[string]any{{"type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-4000-8000-000000000000",
		"name": malware, "is_family": false, "created": "2021-01-01T00:00:00Z", "modified": "2021-01-01T00:00:00Z"}}
	for i, p := range patterns {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i+1)
		objs = append(objs,
			map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "pattern": p, "pattern_type": "stix",
				"valid_from": "2021-01-01T00:00:00Z", "created": "2021-01-01T00:00:00Z", "modified": "2021-01-01T00:00:00Z"},
			map[string]any{"type": "relationship", "spec_version": "2.1", "id": fmt.Sprintf("relationship--00000000-0000-4000-8000-%012d", i+1),
				"relationship_type": "indicates", "source_ref": id, "target_ref": "malware--00000000-0000-4000-8000-000000000000",
				"created": "2021-01-01T00:00:00Z", "modified": "2021-01-01T00:00:00Z"})
	}
	b, err := json.MarshalIndent(map[string]any{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": objs}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

package indicators

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// bundle builds a STIX 2.1 bundle in memory so tests state their feeds in
// full. Ids are deterministic so failures name the indicator.
type bundle struct {
	objects []map[string]any
	n       int
}

func (b *bundle) id(kind string) string {
	b.n++
	return fmt.Sprintf("%s--00000000-0000-4000-8000-%012d", kind, b.n)
}

func (b *bundle) malware(name string) string {
	id := b.id("malware")
	b.objects = append(b.objects, map[string]any{"type": "malware", "spec_version": "2.1", "id": id, "name": name, "is_family": false})
	return id
}

func (b *bundle) indicator(pattern string) string {
	id := b.id("indicator")
	b.objects = append(b.objects, map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": id, "pattern": pattern,
		"pattern_type": "stix", "indicator_types": []string{"malicious-activity"},
		"valid_from": "2024-01-01T00:00:00Z",
	})
	return id
}

func (b *bundle) relate(src, typ, dst string) {
	b.objects = append(b.objects, map[string]any{"type": "relationship", "id": b.id("relationship"),
		"relationship_type": typ, "source_ref": src, "target_ref": dst})
}

func (b *bundle) report(name string, refs ...string) {
	b.objects = append(b.objects, map[string]any{"type": "report", "id": b.id("report"), "name": name, "object_refs": refs})
}

// indicates adds an indicator linked to malware with "indicates".
func (b *bundle) indicates(malware, pattern string) string {
	id := b.indicator(pattern)
	b.relate(id, "indicates", malware)
	return id
}

func (b *bundle) bytes(t testing.TB) []byte {
	t.Helper()
	data, err := json.MarshalIndent(map[string]any{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": b.objects}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func (b *bundle) write(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.bytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// mvtTestBundle is the bundle MVT's tests generate (research/mvt.md §7.1):
// one malware "TestMalware" and nine indicators that indicate it.
func mvtTestBundle() *bundle {
	b := &bundle{}
	mw := b.malware("TestMalware")
	for _, p := range []string{
		`[domain-name:value='example.org']`,
		`[ipv4-addr:value='198.51.100.1']`,
		`[process:name='Launch']`,
		`[file:name='/var/foobar/txt']`,
		`[email-addr:value='foobar@example.org']`,
		`[android-property:name='sys.foobar']`,
		`[file:hashes.'SHA-256'='570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6']`,
		`[file:hashes.'SHA-1'='da0611a300a9ce9aa7a09d1212f203fca5856794']`,
		`[url:value='http://example.com/thisisbad']`,
	} {
		b.indicates(mw, p)
	}
	return b
}

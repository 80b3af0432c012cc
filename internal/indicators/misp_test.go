package indicators

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/model"
)

// mispEventJSON builds a MISP event the way MISP exports one, so the tests
// state the format they read in full.
func mispEventJSON(t testing.TB, uuid, info string, attrs []map[string]any, objects []map[string]any) []byte {
	t.Helper()
	ev := map[string]any{"uuid": uuid, "info": info, "date": "2026-11-01", "threat_level_id": "1", "analysis": "2",
		"distribution": "0", "published": true, "timestamp": "1793000000", "Attribute": attrs}
	if objects != nil {
		ev["Object"] = objects
	}
	b, err := json.Marshal(map[string]any{"Event": ev})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func attr(uuid, typ, value string, toIDS any) map[string]any {
	return map[string]any{"uuid": uuid, "type": typ, "category": "Network activity", "value": value, "to_ids": toIDS, "deleted": false}
}

const (
	evA = "5f0e1c2a-0000-4000-8000-00000000000a"
	evB = "5f0e1c2a-0000-4000-8000-00000000000b"
)

func TestMISPEventAttributes(t *testing.T) {
	attrs := []map[string]any{
		attr("11111111-0000-4000-8000-000000000001", "domain", "lure.example", true),
		attr("11111111-0000-4000-8000-000000000002", "hostname", "c2.spy.example", true),
		attr("11111111-0000-4000-8000-000000000003", "domain|ip", "cdn.spy.example|198.51.100.23", true),
		attr("11111111-0000-4000-8000-000000000004", "ip-dst|port", "2001:db8::7|443", true),
		attr("11111111-0000-4000-8000-000000000005", "url", "https://lure.example/p/abc", true),
		attr("11111111-0000-4000-8000-000000000006", "filename|sha256", "bh|"+strings.Repeat("ab", 32), true),
		attr("11111111-0000-4000-8000-000000000007", "filename", "/private/var/tmp/implant/", "1"),
		attr("11111111-0000-4000-8000-000000000008", "email-src", "Lure@Spy.example", true),
		attr("11111111-0000-4000-8000-000000000009", "mobile-application-id", "com.spy.updater", true),
		attr("11111111-0000-4000-8000-00000000000a", "x509-fingerprint-sha1", "AA:BB:CC", true),
		attr("11111111-0000-4000-8000-00000000000b", "stix2-pattern", "[process:name = 'roleaccountd']", true),
		attr("11111111-0000-4000-8000-00000000000c", "domain", "context-only.example", false),
		attr("11111111-0000-4000-8000-00000000000d", "text", "Pegasus", true),
		attr("11111111-0000-4000-8000-00000000000e", "ip-src", "203.0.113.0/24", true),
		{"uuid": "11111111-0000-4000-8000-00000000000f", "type": "domain", "value": "revoked.example", "to_ids": true, "deleted": true},
		attr("11111111-0000-4000-8000-000000000010", "ja3-fingerprint-md5", "ADA70206E40642A3E4461F35503241D5", true),
	}
	objects := []map[string]any{{"name": "domain-ip", "Attribute": []map[string]any{
		attr("22222222-0000-4000-8000-000000000001", "domain", "object.spy.example", true),
	}}}
	s, err := LoadFS(fstest.MapFS{"event.json": {Data: mispEventJSON(t, evA, "Operation Example (synthetic)", attrs, objects)}}, "event.json")
	if err != nil {
		t.Fatal(err)
	}
	fi := s.Files[0]
	if fi.Error != "" {
		t.Fatal(fi.Error)
	}
	if fi.Indicators != 16 || fi.Unsupported != 2 {
		t.Errorf("indicators %d unsupported %d, want 16 and 2 (to_ids false, text); problems %+v", fi.Indicators, fi.Unsupported, s.Problems)
	}
	tests := []struct {
		o    model.Observable
		want string // "type=value" of the one match, "" for none
	}{
		{model.Observable{Kind: model.KindURL, Value: "https://a.lure.example/"}, "domain-name:value=lure.example"},
		{model.Observable{Kind: model.KindDomain, Value: "c2.spy.example"}, "domain-name:value=c2.spy.example"},
		{model.Observable{Kind: model.KindDomain, Value: "cdn.spy.example"}, "domain-name:value=cdn.spy.example"},
		{model.Observable{Kind: model.KindIP, Value: "198.51.100.23"}, "ipv4-addr:value=198.51.100.23"},
		{model.Observable{Kind: model.KindIP, Value: "2001:db8::7"}, "ipv6-addr:value=2001:db8::7"},
		{model.Observable{Kind: model.KindIP, Value: "203.0.113.77"}, "ipv4-addr:value=203.0.113.0/24"},
		{model.Observable{Kind: model.KindProcess, Value: "roleaccountd"}, "process:name=roleaccountd"},
		{model.Observable{Kind: model.KindFilePath, Value: "/var/mobile/bh"}, "file:name=bh"},
		{model.Observable{Kind: model.KindSHA256, Value: strings.Repeat("AB", 32)}, "file:hashes.sha256=" + strings.Repeat("ab", 32)},
		{model.Observable{Kind: model.KindFilePath, Value: "/var/tmp/implant/x"}, "file:path=/private/var/tmp/implant/"},
		{model.Observable{Kind: model.KindEmail, Value: "lure@spy.example"}, "email-addr:value=Lure@Spy.example"},
		{model.Observable{Kind: model.KindAppID, Value: "com.spy.updater"}, "app:id=com.spy.updater"},
		{model.Observable{Kind: model.KindCertSHA1, Value: "aabbcc"}, "app:cert.sha1=AA:BB:CC"},
		{model.Observable{Kind: model.KindDomain, Value: "object.spy.example"}, "domain-name:value=object.spy.example"},
		{model.Observable{Kind: model.KindJA3, Value: "ada70206e40642a3e4461f35503241d5"}, "ja3:md5=ADA70206E40642A3E4461F35503241D5"},
		{model.Observable{Kind: model.KindCertSHA1, Value: "ada70206e40642a3e4461f35503241d5"}, ""},
		{model.Observable{Kind: model.KindDomain, Value: "context-only.example"}, ""},
		{model.Observable{Kind: model.KindDomain, Value: "revoked.example"}, ""},
	}
	for _, tt := range tests {
		got := values(s.Match(tt.o))
		want := []string(nil)
		if tt.want != "" {
			want = []string{tt.want}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%+v: matched %v, want %v", tt.o, got, want)
		}
	}
	r := s.Match(model.Observable{Kind: model.KindDomain, Value: "lure.example"})
	if len(r) != 1 || r[0].ID != "indicator--11111111-0000-4000-8000-000000000001" || r[0].Campaign != "Operation Example (synthetic)" || r[0].File != "event.json" {
		t.Errorf("ref %+v: id is indicator--<attribute uuid>, campaign the event's info", r)
	}
}

func TestMISPExportShapes(t *testing.T) {
	one := mispEventJSON(t, evA, "A", []map[string]any{attr("11111111-0000-4000-8000-000000000001", "domain", "a.example", true)}, nil)
	two := mispEventJSON(t, evB, "B", []map[string]any{attr("11111111-0000-4000-8000-000000000002", "domain", "b.example", true)}, nil)
	list := "[" + string(one) + "," + string(two) + "]"
	response := `{"response":` + list + `}`
	for name, data := range map[string]string{"list.json": list, "response.json": response} {
		s, err := LoadFS(fstest.MapFS{name: {Data: []byte(data)}}, name)
		if err != nil || s.Files[0].Error != "" {
			t.Fatalf("%s: %v %+v", name, err, s.Files)
		}
		if s.Len() != 2 {
			t.Errorf("%s: %d indicators, want 2", name, s.Len())
		}
	}
}

func TestMISPFeedFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "feed")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := "5f0e1c2a-0000-4000-8000-00000000000c"
	manifest := map[string]any{}
	for _, id := range []string{evA, evB, missing} {
		manifest[id] = map[string]any{"info": "event " + id, "date": "2026-11-01", "timestamp": "1793000000", "Orgc": map[string]string{"name": "Example CERT"}}
	}
	mb, _ := json.Marshal(manifest)
	files := map[string][]byte{
		"manifest.json": mb,
		evA + ".json":   mispEventJSON(t, evA, "Feed event A", []map[string]any{attr("11111111-0000-4000-8000-000000000001", "domain", "a.example", true)}, nil),
		evB + ".json":   mispEventJSON(t, evB, "Feed event B", []map[string]any{attr("11111111-0000-4000-8000-000000000002", "sha1", strings.Repeat("c", 40), true)}, nil),
		"hashes.csv":    []byte("5d41402abc4b2a76b9719d911017c592," + evA + "\n"),
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, arg := range []string{dir, filepath.Join(dir, "manifest.json")} {
		s, err := Load(arg)
		if err != nil {
			t.Fatal(err)
		}
		var loaded, failed []string
		for _, f := range s.Files {
			if f.Error != "" {
				failed = append(failed, f.Name+": "+f.Error)
			} else {
				loaded = append(loaded, f.Name)
			}
		}
		if len(loaded) != 2 || len(failed) != 1 || !strings.Contains(failed[0], missing) {
			t.Errorf("Load(%s): loaded %v, failed %v; want the two events and the missing one reported", arg, loaded, failed)
		}
		if len(s.Match(model.Observable{Kind: model.KindURL, Value: "http://x.a.example/"})) != 1 ||
			len(s.Match(model.Observable{Kind: model.KindSHA1, Value: strings.Repeat("C", 40)})) != 1 {
			t.Errorf("Load(%s): feed indicators do not match", arg)
		}
	}
}

func TestMISPBadInput(t *testing.T) {
	for name, data := range map[string]string{
		"not-json":  `{"Event": `,
		"bad-event": `{"Event": {"Attribute": 3}}`,
		"bad-bool":  `{"Event": {"Attribute": [{"type":"domain","value":"a.example","to_ids":"maybe"}]}}`,
	} {
		s, err := LoadFS(fstest.MapFS{"x.json": {Data: []byte(data)}}, "x.json")
		if err != nil {
			t.Fatal(err)
		}
		if s.Files[0].Error == "" {
			t.Errorf("%s: loaded without error", name)
		}
	}
	// A STIX bundle is still a STIX bundle.
	s := loadBundle(t, mvtTestBundle())
	if s.Len() != 9 {
		t.Errorf("STIX bundle: %d indicators", s.Len())
	}
}

// FuzzLoadMISP: any bytes as a MISP file either fail with an error naming
// the file or compile indicators that each carry an id, a known type and
// the file's name.
func FuzzLoadMISP(f *testing.F) {
	f.Add(mispEventJSON(f, evA, "A", []map[string]any{
		attr("11111111-0000-4000-8000-000000000001", "domain|ip", "a.example|198.51.100.1", true),
		attr("11111111-0000-4000-8000-000000000002", "stix2-pattern", "[url:value = 'http://a.example/x']", "1"),
	}, []map[string]any{{"name": "file", "Attribute": []map[string]any{attr("x", "filename|md5", "a|b", true)}}}))
	f.Add([]byte(`{"response":[{"Event":{"Attribute":[{"type":"ip-src|port","value":"::1|8"}]}}]}`))
	f.Add([]byte(`[{"Event":{"info":"x","Object":[{"Attribute":[{"type":"hostname|port","value":"|"}]}]}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadFS(fstest.MapFS{"m.json": {Data: data}}, "m.json")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Files) != 1 {
			t.Fatalf("%d files", len(s.Files))
		}
		for _, r := range s.Refs() {
			if r.ID == "" || r.File != "m.json" || r.Value == "" {
				t.Fatalf("ref without provenance: %+v", r)
			}
			if _, ok := simplePaths[r.Type]; !ok && foldTypes[r.Type] == "" {
				t.Fatalf("unknown type %q", r.Type)
			}
		}
		s.Match(model.Observable{Kind: model.KindURL, Value: "http://a.example/x"})
	})
}

// Load (files on disk) and LoadFS (an fs.FS) share one loader: over the
// same tree, with the same names (a MISP feed folder, a nested bundle, a
// file named twice, a name that does not exist), they load the same files,
// report the same failures and compile the same indicators.
func TestLoadAndLoadFSAgree(t *testing.T) {
	root := t.TempDir()
	manifest, _ := json.Marshal(map[string]any{evA: map[string]any{"info": "a"}, evB: map[string]any{"info": "b"}})
	b := &bundle{}
	b.indicates(b.malware("Nested"), `[domain-name:value='nested.example']`)
	files := map[string][]byte{
		"feed/manifest.json":    manifest,
		"feed/" + evA + ".json": mispEventJSON(t, evA, "A", []map[string]any{attr("11111111-0000-4000-8000-000000000001", "domain", "a.example", true)}, nil),
		"more/deep/n.stix2":     b.bytes(t),
		"more/notes.txt":        []byte("not a feed"),
		"one.json":              []byte("{broken"),
	}
	for n, data := range files {
		p := filepath.Join(root, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"feed", "more", "one.json", "more/deep/n.stix2", "absent"}
	summary := func(s *Set) []string {
		var out []string
		for _, f := range s.Files {
			out = append(out, fmt.Sprintf("%s indicators=%d failed=%t", f.Name, f.Indicators, f.Error != ""))
		}
		sort.Strings(out)
		return append(out, fmt.Sprintf("total=%d", s.Len()))
	}
	var onDisk []string
	for _, n := range names {
		onDisk = append(onDisk, filepath.Join(root, filepath.FromSlash(n)))
	}
	a, err := Load(onDisk...)
	if err != nil {
		t.Fatal(err)
	}
	f, err := LoadFS(os.DirFS(root), names...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		evB + ".json indicators=0 failed=true", // listed in the manifest, missing
		evA + ".json indicators=1 failed=false",
		"absent indicators=0 failed=true",
		"n.stix2 indicators=1 failed=false", // once, though named twice
		"one.json indicators=0 failed=true",
		"total=2",
	}
	sort.Strings(want[:len(want)-1])
	if got := summary(a); !reflect.DeepEqual(got, want) {
		t.Errorf("Load:\n got %q\nwant %q", got, want)
	}
	if got := summary(f); !reflect.DeepEqual(got, want) {
		t.Errorf("LoadFS:\n got %q\nwant %q", got, want)
	}
}

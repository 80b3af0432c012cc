package indicators

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/model"
)

func loadBundle(t *testing.T, b *bundle) *Set {
	t.Helper()
	s, err := LoadFS(fstest.MapFS{"feed.stix2": {Data: b.bytes(t)}}, "feed.stix2")
	if err != nil {
		t.Fatal(err)
	}
	if s.Files[0].Error != "" {
		t.Fatalf("load: %s", s.Files[0].Error)
	}
	return s
}

// values lists "type=value" of matches, sorted, for compact expectations.
func values(rs []model.IndicatorRef) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Type+"="+r.Value)
	}
	sort.Strings(out)
	return out
}

func TestPatternSpellings(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string // "type=value" alternatives
	}{
		{`[domain-name:value='evil.com']`, []string{"domain-name:value=evil.com"}},
		{`[domain-name:value = 'evil.com']`, []string{"domain-name:value=evil.com"}},
		{`[ url:value  =  'https://x.com/?a=b&c=d' ]`, []string{"url:value=https://x.com/?a=b&c=d"}},
		{`[ipv4-addr:value='1.2.3.4']`, []string{"ipv4-addr:value=1.2.3.4"}},
		{`[ipv6-addr:value='2001:db8::1']`, []string{"ipv6-addr:value=2001:db8::1"}},
		{`[email-addr:value='a@b.com']`, []string{"email-addr:value=a@b.com"}},
		{`[process:name='Launch']`, []string{"process:name=Launch"}},
		{`[file:name='x.plist']`, []string{"file:name=x.plist"}},
		{`[file:path='/tmp/l/']`, []string{"file:path=/tmp/l/"}},
		{`[file:hashes.'SHA-256'='AB']`, []string{"file:hashes.sha256=AB"}},
		{`[file:hashes.SHA-256='ab']`, []string{"file:hashes.sha256=ab"}},
		{`[file:hashes.SHA256='ab']`, []string{"file:hashes.sha256=ab"}},
		{`[file:hashes.sha256='ab']`, []string{"file:hashes.sha256=ab"}},
		{`[file:hashes.'SHA-1'='ab']`, []string{"file:hashes.sha1=ab"}},
		{`[file:hashes.SHA-1='ab']`, []string{"file:hashes.sha1=ab"}},
		{`[file:hashes.SHA1='ab']`, []string{"file:hashes.sha1=ab"}},
		{`[file:hashes.sha1='ab']`, []string{"file:hashes.sha1=ab"}},
		{`[file:hashes.MD5='ab']`, []string{"file:hashes.md5=ab"}},
		{`[file:hashes.'MD5'='ab']`, []string{"file:hashes.md5=ab"}},
		{`[file:hashes.md5='ab']`, []string{"file:hashes.md5=ab"}},
		{`[app:id='com.x']`, []string{"app:id=com.x"}},
		{`[app:cert.sha1='AB']`, []string{"app:cert.sha1=AB"}},
		{`[app:cert.sha256='ab']`, []string{"app:cert.sha256=ab"}},
		{`[app:cert.md5='ab']`, []string{"app:cert.md5=ab"}},
		{`[configuration-profile:id='76DAB334-7E17-475D-A5D6-0794EB5818A5']`, []string{"configuration-profile:id=76DAB334-7E17-475D-A5D6-0794EB5818A5"}},
		{`[android-property:name='sys.brand.doc']`, []string{"android-property:name=sys.brand.doc"}},
		{`[process:name='it\'s']`, []string{`process:name=it's`}},
		{`[file:path='C:\\x']`, []string{`file:path=C:\x`}},
		{`[url:value='http://x.com/a=b=c']`, []string{"url:value=http://x.com/a=b=c"}},
		{`[domain-name:value='a.com' OR domain-name:value='b.com']`, []string{"domain-name:value=a.com", "domain-name:value=b.com"}},
		{`[domain-name:value='a.com'] OR [process:name='p']`, []string{"domain-name:value=a.com", "process:name=p"}},
		{`([domain-name:value='a.com'] OR ([url:value='http://u.com/']))`, []string{"domain-name:value=a.com", "url:value=http://u.com/"}},
		{`[domain-name:value IN ('a.com', 'b.com')]`, []string{"domain-name:value=a.com", "domain-name:value=b.com"}},
		{`[DOMAIN-NAME:VALUE='a.com']`, []string{"domain-name:value=a.com"}},
	}
	for _, tt := range tests {
		n, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tt.pattern, err)
			continue
		}
		alts, skipped := evaluate(n)
		var got []string
		for _, a := range alts {
			got = append(got, a.Type+"="+a.Value)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tt.want) || len(skipped) > 0 {
			t.Errorf("%s: got %q skipped %q, want %q", tt.pattern, got, skipped, tt.want)
		}
	}
}

func TestPatternUnsupported(t *testing.T) {
	tests := []struct{ pattern, reason string }{
		{`[domain-name:value='a.com' AND domain-name:value='b.com']`, "AND"},
		{`[domain-name:value='a.com'] AND [process:name='p']`, "AND"},
		{`[domain-name:value='a.com'] FOLLOWEDBY [process:name='p']`, "FOLLOWEDBY"},
		{`[domain-name:value LIKE '%.evil.com']`, "operator LIKE"},
		{`[domain-name:value MATCHES '^evil']`, "operator MATCHES"},
		{`[domain-name:value != 'a.com']`, "operator !="},
		{`[domain-name:value NOT = 'a.com']`, "NOT ="},
		{`[file:size > 100]`, "operator >"},
		{`[domain-name:value='a.com'] WITHIN 300 SECONDS`, "qualifier WITHIN 300 SECONDS"},
		{`[domain-name:value='a.com'] REPEATS 5 TIMES`, "qualifier REPEATS"},
		{`[domain-name:value='a.com'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`, "qualifier START"},
		{`[windows-registry-key:key='HKLM\\x']`, "unknown object path windows-registry-key:key"},
		{`[file:hashes.'SHA-512'='ab']`, "unknown object path file:hashes.'SHA-512'"},
		{`[file:hashes.'SHA-256'.extra='ab']`, "unknown object path file:hashes.'SHA-256'.extra"},
		{`[x509-certificate:serial_number='ab']`, "unknown object path"},
		{`[network-traffic:dst_ref.value='1.2.3.4']`, "unknown object path"},
		{`[domain-name:value=1]`, "int value"},
		{`[domain-name:value='  ']`, "empty value"},
	}
	for _, tt := range tests {
		n, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tt.pattern, err)
			continue
		}
		alts, skipped := evaluate(n)
		if len(alts) != 0 || !strings.Contains(strings.Join(skipped, ";"), tt.reason) {
			t.Errorf("%s: alts %v skipped %q, want reason %q", tt.pattern, alts, skipped, tt.reason)
		}
	}
}

// TestPatternEqualitySpellings: "==" is read as "=" (some feeds write it).
func TestPatternEqualitySpellings(t *testing.T) {
	for _, p := range []string{`[domain-name:value = 'a.com']`, `[domain-name:value == 'a.com']`, `[domain-name:value='a.com']`} {
		n, err := ParsePattern(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		alts, skipped := evaluate(n)
		if len(alts) != 1 || alts[0] != (alternative{TypeDomain, "a.com"}) || len(skipped) != 0 {
			t.Errorf("%s: alts %v skipped %v", p, alts, skipped)
		}
	}
}

// TestOtherPatternTypesAreNotParsedAsSTIX: an indicator whose pattern_type
// is not stix is reported, never compiled, even when its text happens to
// read as a STIX pattern.
func TestOtherPatternTypesAreNotParsedAsSTIX(t *testing.T) {
	b := &bundle{}
	id := b.indicates(b.malware("M"), `[domain-name:value='pcre.example']`)
	b.objects[len(b.objects)-2]["pattern_type"] = "pcre"
	s := loadBundle(t, b)
	if got := s.Match(model.Observable{Kind: model.KindDomain, Value: "pcre.example"}); len(got) != 0 {
		t.Errorf("a pcre pattern was compiled: %v", got)
	}
	if fi := s.Files[0]; fi.Unsupported != 1 {
		t.Errorf("unsupported %d, want 1", fi.Unsupported)
	}
	if len(s.Problems) != 1 || s.Problems[0].ID != id || !strings.Contains(s.Problems[0].Reason, "pattern_type pcre") {
		t.Errorf("problems %+v", s.Problems)
	}
}

func TestPatternSyntaxErrors(t *testing.T) {
	for _, p := range []string{
		``, `domain-name:value='a'`, `[domain-name:value='a'`, `[domain-name:value='a]`,
		`[domain-name:value=]`, `[domain-name value='a']`, `[domain-name:value='a\x']`,
		`[domain-name:value='a'] OR`, `[a:b='c'] WITHIN SECONDS`, `[a:b IN ('c',)]`,
		strings.Repeat("(", 100) + `[a:b='c']` + strings.Repeat(")", 100),
		"[a:b='" + strings.Repeat("x", maxStringLen+1) + "']",
	} {
		if _, err := ParsePattern(p); err == nil {
			t.Errorf("ParsePattern(%.60q) succeeded, want an error", p)
		}
	}
}

func TestLoadReportsUnsupportedWithFileAndID(t *testing.T) {
	b := &bundle{}
	mw := b.malware("M")
	good := b.indicates(mw, `[domain-name:value='ok.com']`)
	bad := b.indicates(mw, `[domain-name:value='a.com' AND process:name='p']`)
	broken := b.indicates(mw, `[domain-name:value='unterminated]`)
	partial := b.indicates(mw, `[domain-name:value='p.com' OR file:size=3]`)
	yara := b.indicator(`rule x { condition: true }`)
	b.objects[len(b.objects)-1]["pattern_type"] = "yara"
	s := loadBundle(t, b)
	fi := s.Files[0]
	if fi.Indicators != 5 || fi.Unsupported != 3 {
		t.Errorf("indicators %d unsupported %d, want 5 and 3", fi.Indicators, fi.Unsupported)
	}
	if want := map[string]int{TypeDomain: 2}; !reflect.DeepEqual(fi.Counts, want) {
		t.Errorf("counts %v, want %v", fi.Counts, want)
	}
	byID := map[string]Problem{}
	for _, p := range s.Problems {
		byID[p.ID] = p
	}
	for _, id := range []string{bad, broken, partial, yara} {
		p, ok := byID[id]
		if !ok || p.File != "feed.stix2" || p.Reason == "" || p.Pattern == "" {
			t.Errorf("problem for %s = %+v", id, p)
		}
	}
	if _, ok := byID[good]; ok {
		t.Errorf("good indicator reported as a problem")
	}
	if got := values(s.Match(model.Observable{Kind: model.KindDomain, Value: "p.com"})); len(got) != 1 {
		t.Errorf("partly evaluated OR lost its supported alternative: %v", got)
	}
}

func TestLoadMalformedFileDoesNotStopOthers(t *testing.T) {
	dir := t.TempDir()
	b := &bundle{}
	b.indicates(b.malware("Good"), `[domain-name:value='good.example']`)
	b.write(t, dir, "a/good.stix2")
	os.WriteFile(filepath.Join(dir, "bad.stix2"), []byte(`{"type":"bundle","objects":[{`), 0o644)
	os.WriteFile(filepath.Join(dir, "notbundle.json"), []byte(`{"type":"indicator"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "ignored.txt"), []byte(`garbage`), 0o644)
	s, err := Load(dir, filepath.Join(dir, "missing.stix2"))
	if err != nil {
		t.Fatal(err)
	}
	errs := map[string]bool{}
	for _, f := range s.Files {
		errs[f.Name] = f.Error != ""
	}
	want := map[string]bool{"good.stix2": false, "bad.stix2": true, "notbundle.json": true, "missing.stix2": true}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("files %v, want %v", errs, want)
	}
	if s.Len() != 1 || len(s.Match(model.Observable{Kind: model.KindDomain, Value: "good.example"})) != 1 {
		t.Errorf("good file not loaded: len %d", s.Len())
	}
	if _, err := Load(filepath.Join(dir, "nope"), filepath.Join(dir, "nope2")); err == nil {
		t.Errorf("Load of only missing paths gave no error")
	}
}

func TestLoadSizeCap(t *testing.T) {
	b := &bundle{}
	b.indicates(b.malware("M"), `[domain-name:value='big.example']`)
	src := fsFeeds(fstest.MapFS{"big.stix2": {Data: b.bytes(t)}})
	src.limit = 100
	s, err := load(src, []string{"big.stix2"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Files[0].Error, "limit") || s.Len() != 0 {
		t.Errorf("oversized file: %+v len %d", s.Files[0], s.Len())
	}
}

func TestCampaignAttribution(t *testing.T) {
	b := &bundle{}
	mw := b.malware("Pegasus")
	viaRel := b.indicates(mw, `[domain-name:value='rel.example']`)
	viaReport := b.indicator(`[domain-name:value='report.example']`)
	both := b.indicates(mw, `[domain-name:value='both.example']`)
	b.report("Report 2024", viaReport, both)
	orphan := b.indicator(`[domain-name:value='orphan.example']`)
	b.relate(orphan, "indicates", "malware--does-not-exist")
	s := loadBundle(t, b)
	tests := []struct{ host, id, campaign string }{
		{"rel.example", viaRel, "Pegasus"},
		{"report.example", viaReport, "Report 2024"},
		{"both.example", both, "Pegasus"},
		{"orphan.example", orphan, "feed"},
	}
	for _, tt := range tests {
		got := s.Match(model.Observable{Kind: model.KindDomain, Value: tt.host})
		if len(got) != 1 || got[0].Campaign != tt.campaign || got[0].ID != tt.id || got[0].File != "feed.stix2" || len(got[0].FileSHA256) != 64 {
			t.Errorf("%s: %+v, want campaign %q id %s", tt.host, got, tt.campaign, tt.id)
		}
	}
}

func TestMatch(t *testing.T) {
	b := &bundle{}
	mw := b.malware("M")
	for _, p := range []string{
		`[domain-name:value='evil.com']`,
		`[domain-name:value='sub.shared.example']`,
		`[domain-name:value='bücher.example']`,
		`[domain-name:value='xn--mnchen-3ya.example']`,
		`[domain-name:value='Trailing.Example.']`,
		`[domain-name:value='203.0.113.9']`,
		`[domain-name:value='hostwithpath.xyz/x']`,
		`[ipv4-addr:value='1.2.3.4']`,
		`[ipv6-addr:value='2001:db8::1']`,
		`[ipv4-addr:value='192.0.2.0/24']`,
		`[url:value='https://phish.example/Login?id=1']`,
		`[url:value='http://short.example/abc']`,
		`[url:value='http://root.example/']`,
		`[email-addr:value='Bad@Example.org']`,
		`[process:name='Launch']`,
		`[process:name='com.apple.rapports.events']`,
		`[process:name='abcdefghijklmnopqrst']`,
		`[file:name='roleaccountd.plist']`,
		`[file:path='/private/var/tmp/l/']`,
		`[file:path='/private/var/db/x.db']`,
		`[file:path='/private/var/tmp/hooker']`,
		`[file:path='/private/var/tmp/stop']`,
		`[file:path='Library/Preferences/com.apple.photolibraryd.plist']`,
		`[file:hashes.'SHA-256'='570CD76BF49CF52E0CB347A68BDCF0590B2EAECE134E1B1EBA7E8D66261BDBE6']`,
		`[file:hashes.md5='d41d8cd98f00b204e9800998ecf8427e']`,
		`[app:id='seC.fqjx.sqBB']`,
		`[app:cert.sha1='AABBCCDDEEFF00112233445566778899AABBCCDD']`,
		`[configuration-profile:id='76DAB334-7E17-475D-A5D6-0794EB5818A5']`,
		`[android-property:name='sys.brand.doc']`,
	} {
		b.indicates(mw, p)
	}
	s := loadBundle(t, b)
	tests := []struct {
		kind  model.Kind
		value string
		want  []string
	}{
		// Domains: host and sub-domains, never look-alikes.
		{model.KindDomain, "evil.com", []string{"domain-name:value=evil.com"}},
		{model.KindDomain, "a.b.EVIL.com.", []string{"domain-name:value=evil.com"}},
		{model.KindDomain, "notevil.com", nil},
		{model.KindDomain, "evil.com.example.net", nil},
		{model.KindDomain, "shared.example", nil},
		{model.KindDomain, "x.sub.shared.example", []string{"domain-name:value=sub.shared.example"}},
		{model.KindDomain, "xn--bcher-kva.example", []string{"domain-name:value=bücher.example"}},
		{model.KindDomain, "www.BÜCHER.example", []string{"domain-name:value=bücher.example"}},
		{model.KindDomain, "münchen.example", []string{"domain-name:value=xn--mnchen-3ya.example"}},
		{model.KindDomain, "trailing.example", []string{"domain-name:value=Trailing.Example."}},
		{model.KindDomain, "203.0.113.9", []string{"domain-name:value=203.0.113.9"}},
		{model.KindDomain, "1.2.3.4", []string{"ipv4-addr:value=1.2.3.4"}},
		// URLs: host, IP literal, userinfo, port, missing scheme.
		{model.KindURL, "http://user@a.evil.com:8080/x", []string{"domain-name:value=evil.com"}},
		{model.KindURL, "http://evil.com@good.example/", nil},
		{model.KindURL, "evil.com/x", []string{"domain-name:value=evil.com"}},
		{model.KindURL, "https://1.2.3.4:8443/", []string{"ipv4-addr:value=1.2.3.4"}},
		{model.KindURL, "https://11.2.3.45/", nil},
		{model.KindURL, "http://[2001:db8:0::1]:8080/", []string{"ipv6-addr:value=2001:db8::1"}},
		{model.KindURL, "http://192.0.2.77/", []string{"ipv4-addr:value=192.0.2.0/24"}},
		{model.KindURL, "HTTPS://PHISH.example:443/Login?id=1", []string{"url:value=https://phish.example/Login?id=1"}},
		{model.KindURL, "http://phish.example/Login?id=1#top", []string{"url:value=https://phish.example/Login?id=1"}},
		{model.KindURL, "https://phish.example/login?id=1", nil},
		{model.KindURL, "https://phish.example/Login?id=2", nil},
		{model.KindURL, "short.example/abc?utm=1", []string{"url:value=http://short.example/abc"}},
		{model.KindURL, "http://short.example/abcd", nil},
		{model.KindURL, "http://root.example", []string{"url:value=http://root.example/"}},
		{model.KindURL, "https://hostwithpath.xyz/x", []string{"domain-name:value=hostwithpath.xyz/x"}},
		{model.KindURL, "https://hostwithpath.xyz/y", nil},
		{model.KindIP, "1.2.3.4", []string{"ipv4-addr:value=1.2.3.4"}},
		{model.KindIP, "::ffff:1.2.3.4", []string{"ipv4-addr:value=1.2.3.4"}},
		{model.KindIP, "11.2.3.45", nil},
		// Exact sets.
		{model.KindEmail, "bad@example.ORG", []string{"email-addr:value=Bad@Example.org"}},
		{model.KindEmail, "mailto:bad@example.org", []string{"email-addr:value=Bad@Example.org"}},
		{model.KindEmail, "notbad@example.org", nil},
		{model.KindProcess, "Launch", []string{"process:name=Launch"}},
		{model.KindProcess, "launch", nil},
		{model.KindProcess, "/usr/libexec/Launch", []string{"process:name=Launch"}},
		{model.KindProcess, "com.apple.rappo", []string{"process:name=com.apple.rapports.events"}},
		{model.KindProcess, "com.apple.rappor", []string{"process:name=com.apple.rapports.events"}},
		{model.KindProcess, "com.apple.rapp", nil},
		{model.KindProcess, "abcdefghijklmnop", []string{"process:name=abcdefghijklmnopqrst"}},
		{model.KindFilePath, "/var/mobile/Library/roleaccountd.plist", []string{"file:name=roleaccountd.plist"}},
		{model.KindFilePath, "/var/tmp/l/payload", []string{"file:path=/private/var/tmp/l/"}},
		{model.KindFilePath, "/tmp/l/payload", nil},
		{model.KindFilePath, "/private/var/tmp/l", []string{"file:path=/private/var/tmp/l/"}},
		{model.KindFilePath, "/private/var/tmp/lib/x", nil},
		{model.KindFilePath, "/var/db/x.db", []string{"file:path=/private/var/db/x.db"}},
		{model.KindFilePath, "/var/db/x.db2", nil},
		// A path without a trailing slash still covers what is below it, on a
		// '/' boundary only (Predator's hooker folder; MVT's raw prefix test
		// would also take stopwatchd for stop).
		{model.KindFilePath, "/private/var/tmp/hooker/libhook.dylib", []string{"file:path=/private/var/tmp/hooker"}},
		{model.KindFilePath, "/var/tmp/hooker", []string{"file:path=/private/var/tmp/hooker"}},
		{model.KindFilePath, "/private/var/tmp/hookers", nil},
		{model.KindFilePath, "/private/var/tmp/stopwatchd", nil},
		{model.KindFilePath, "/private/var/tmp/stop", []string{"file:path=/private/var/tmp/stop"}},
		{model.KindFilePath, "/private/var/db/x.db/inner", []string{"file:path=/private/var/db/x.db"}},
		{model.KindFilePath, "/private/var/mobile/Library/Preferences/com.apple.photolibraryd.plist", []string{"file:path=Library/Preferences/com.apple.photolibraryd.plist"}},
		{model.KindFilePath, "/var/mobile/XLibrary/Preferences/com.apple.photolibraryd.plist", nil},
		{model.KindSHA256, "570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6", []string{"file:hashes.sha256=570CD76BF49CF52E0CB347A68BDCF0590B2EAECE134E1B1EBA7E8D66261BDBE6"}},
		{model.KindMD5, "D41D8CD98F00B204E9800998ECF8427E", []string{"file:hashes.md5=d41d8cd98f00b204e9800998ecf8427e"}},
		{model.KindSHA1, "d41d8cd98f00b204e9800998ecf8427e00000000", nil},
		{model.KindAppID, "sec.fqjx.sqbb", []string{"app:id=seC.fqjx.sqBB"}},
		{model.KindCertSHA1, "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd", []string{"app:cert.sha1=AABBCCDDEEFF00112233445566778899AABBCCDD"}},
		{model.KindProfileID, "76dab334-7e17-475d-a5d6-0794eb5818a5", []string{"configuration-profile:id=76DAB334-7E17-475D-A5D6-0794EB5818A5"}},
		{model.KindProfileID, "76DAB334", nil},
		{model.KindAndroidProperty, "SYS.brand.doc", []string{"android-property:name=sys.brand.doc"}},
		{model.KindAndroidProperty, "sys.brand", nil},
	}
	for _, tt := range tests {
		got := values(s.Match(model.Observable{Kind: tt.kind, Value: tt.value}))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Match(%s %q) = %q, want %q", tt.kind, tt.value, got, tt.want)
		}
	}
}

func TestSearch(t *testing.T) {
	s := loadBundle(t, mvtTestBundle())
	tests := []struct {
		q    string
		want []string
	}{
		{"www.example.org", []string{"domain-name:value=example.org"}},
		{"Launch", []string{"process:name=Launch"}},
		{"FOOBAR@example.org", []string{"email-addr:value=foobar@example.org"}},
		{"sys.foobar", []string{"android-property:name=sys.foobar"}},
		{"http://example.com/thisisbad", []string{"url:value=http://example.com/thisisbad"}},
		{"/var/foobar/txt", nil},
		{"DA0611A300A9CE9AA7A09D1212F203FCA5856794", []string{"file:hashes.sha1=da0611a300a9ce9aa7a09d1212f203fca5856794"}},
		{"github.com", nil},
	}
	for _, tt := range tests {
		if got := values(s.Search(tt.q)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Search(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestDuplicatesAcrossFilesKeepEachFeed(t *testing.T) {
	a := &bundle{}
	a.indicates(a.malware("A"), `[domain-name:value='dup.example']`)
	b := &bundle{}
	b.indicates(b.malware("B"), `[domain-name:value='DUP.example']`)
	s, err := LoadFS(fstest.MapFS{"a.stix2": {Data: a.bytes(t)}, "b.stix2": {Data: b.bytes(t)}}, "a.stix2", "b.stix2", "a.stix2")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Match(model.Observable{Kind: model.KindDomain, Value: "x.dup.example"})
	var campaigns []string
	for _, r := range got {
		campaigns = append(campaigns, r.Campaign)
	}
	sort.Strings(campaigns)
	if !reflect.DeepEqual(campaigns, []string{"A", "B"}) || s.Len() != 1 {
		t.Errorf("campaigns %v len %d, want [A B] and 1", campaigns, s.Len())
	}
}

func TestMatchNoAllocOnMiss(t *testing.T) {
	s := loadBundle(t, mvtTestBundle())
	obs := []model.Observable{
		{Kind: model.KindURL, Value: "https://www.github.com/some/path?q=1"},
		{Kind: model.KindDomain, Value: "cdn.apple.com"},
		{Kind: model.KindIP, Value: "8.8.8.8"},
		{Kind: model.KindEmail, Value: "Someone@Example.net"},
		{Kind: model.KindProcess, Value: "SpringBoard"},
		{Kind: model.KindFilePath, Value: "/private/var/mobile/Library/SMS/sms.db"},
		{Kind: model.KindSHA256, Value: "00cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6"},
	}
	for _, o := range obs {
		if n := testing.AllocsPerRun(50, func() { s.Match(o) }); n != 0 {
			t.Errorf("Match(%v) allocates %v times on a miss", o, n)
		}
	}
}

func TestResolvePaths(t *testing.T) {
	dir := t.TempDir()
	sep := string(os.PathListSeparator)
	got := ResolvePaths([]string{"a.stix2", "./a.stix2", "b"}, "c"+sep+sep+"b/"+sep+"d", dir)
	want := []string{"a.stix2", "b", "c", "d", dir}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ResolvePaths(nil, "", filepath.Join(dir, "absent")); len(got) != 0 {
		t.Errorf("absent cache dir listed: %v", got)
	}
}

// TestReadUnder: a file declaring more than the limit is refused before a
// byte is read, one that declares less but holds more is refused after
// limit+1 bytes, and one of exactly the limit is read whole.
func TestReadUnder(t *testing.T) {
	for _, c := range []struct {
		name       string
		data       string
		size, lim  int64
		want, fail string
	}{
		{"within", "abcd", 4, 4, "abcd", ""},
		{"declared over", "ab", 5, 4, "", "file is 5 bytes, over the 4-byte limit"},
		{"grew while read", "abcdefgh", 2, 4, "", "grew over the 4-byte limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &countingReader{r: strings.NewReader(c.data)}
			got, err := readUnder(r, c.size, c.lim)
			switch {
			case c.fail == "" && (err != nil || string(got) != c.want):
				t.Errorf("got %q, %v; want %q", got, err, c.want)
			case c.fail != "" && (err == nil || !strings.Contains(err.Error(), c.fail)):
				t.Errorf("error %v, want %q", err, c.fail)
			case r.n > c.lim+1 || c.size > c.lim && r.n > 0:
				t.Errorf("read %d bytes (limit %d, declared %d)", r.n, c.lim, c.size)
			}
		})
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

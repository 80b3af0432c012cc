package warninglists

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"os"
	"strings"
	"testing"
)

func TestDomain(t *testing.T) {
	tests := []struct {
		g     Group
		host  string
		entry string // "" when not listed
	}{
		{Infrastructure, "www.googleapis.com", "googleapis.com"},
		{Infrastructure, "YouTube.com.", "youtube.com"},
		{Infrastructure, "login.live.com", "live.com"},
		{Infrastructure, "googleapis.com.evil.example", ""},
		{Infrastructure, "notgoogleapis.com", ""},
		{DynamicDNS, "home.duckdns.org", "duckdns.org"},
		{DynamicDNS, "cam.ddns.net", "ddns.net"},
		{DynamicDNS, "example.org", ""},
		{PublicDNS, "dns.google", "dns.google"},
		{PublicDNS, "dns.quad9.net", "dns.quad9.net"},
		{PublicDNS, "www.example.com", ""},
	}
	for _, tt := range tests {
		m, ok := Domain(tt.g, tt.host)
		if ok != (tt.entry != "") || ok && m.Entry != tt.entry {
			t.Errorf("Domain(%s, %q) = %+v, %v; want entry %q", tt.g, tt.host, m, ok, tt.entry)
		}
		if ok && (m.List == "" || m.Name == "" || m.Group != tt.g) {
			t.Errorf("Domain(%s, %q): incomplete match %+v", tt.g, tt.host, m)
		}
	}
}

func TestIP(t *testing.T) {
	tests := []struct {
		g    Group
		ip   string
		list string
	}{
		{Infrastructure, "17.253.144.10", "apple"},
		{Infrastructure, "::ffff:17.1.2.3", "apple"},
		{Infrastructure, "104.16.1.1", "cloudflare"},
		{Infrastructure, "151.101.1.69", "fastly"},
		{Infrastructure, "203.0.113.9", ""},
		{Infrastructure, "2001:db8::1", ""},
		{PublicDNS, "8.8.8.8", "public-dns-v4"},
		{PublicDNS, "1.1.1.1", "public-dns-v4"},
		{PublicDNS, "2001:4860:4860::8888", "public-dns-v6"},
		{PublicDNS, "198.51.100.53", ""},
		{DynamicDNS, "8.8.8.8", ""},
	}
	for _, tt := range tests {
		m, ok := IP(tt.g, netip.MustParseAddr(tt.ip))
		if ok != (tt.list != "") || ok && m.List != tt.list {
			t.Errorf("IP(%s, %s) = %+v, %v; want list %q", tt.g, tt.ip, m, ok, tt.list)
		}
	}
	if _, ok := IP(Infrastructure, netip.Addr{}); ok {
		t.Error("the zero address matched")
	}
}

// The README describes the files as they are: every vendored list is in
// its table with its title, version, entry count and SHA-256, and nothing
// else is.
func TestREADMEDescribesTheFiles(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "| `") && strings.Contains(line, ".json`") {
			name := strings.TrimSuffix(strings.TrimPrefix(strings.Fields(line)[1], "`"), ".json`")
			rows[name] = line
		}
	}
	lists := Lists()
	if len(lists) != len(sources) || len(rows) != len(lists) {
		t.Fatalf("%d lists loaded, %d sources, %d README rows", len(lists), len(sources), len(rows))
	}
	for _, l := range lists {
		row, ok := rows[l.File]
		if !ok {
			t.Errorf("%s: not in the README", l.File)
			continue
		}
		b, err := files.ReadFile("lists/" + l.File + ".json")
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		for _, want := range []string{l.Name, "| " + l.Version + " |", "| " + l.Type + " |", "| " + itoa(l.Entries) + " |", hex.EncodeToString(sum[:])} {
			if !strings.Contains(row, want) {
				t.Errorf("%s: README row lacks %q:\n%s", l.File, want, row)
			}
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := build(); err != nil {
			b.Fatal(err)
		}
	}
}

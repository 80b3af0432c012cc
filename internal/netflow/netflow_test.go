package netflow

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

type sink struct {
	records  []*model.Record
	findings []rules.Finding
	on       []*model.Record
	warnings []string
}

func (s *sink) Emit(r *model.Record) { s.records = append(s.records, r) }
func (s *sink) Report(f *rules.Finding, r *model.Record) {
	s.findings = append(s.findings, *f)
	s.on = append(s.on, r)
}
func (s *sink) Warn(format string, args ...any) {
	s.warnings = append(s.warnings, fmt.Sprintf(format, args...))
}

func (s *sink) rules() []string {
	var out []string
	for _, f := range s.findings {
		out = append(out, f.Rule+":"+f.Severity.String())
	}
	return out
}

var t0 = time.Date(2024, 2, 20, 10, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

var phone = netip.MustParseAddr("192.168.1.20")

func conn(min int, ip string, port uint16, host string) ConnEvent {
	return ConnEvent{Time: at(min), Client: phone, IP: netip.MustParseAddr(ip), Port: port, Proto: "tcp", Host: host, HostFrom: "tls",
		NewConn: true, Started: true, Packets: 10, Bytes: 4000, Source: "pcap/c.pcapng"}
}

func lookup(min int, name string, answers ...string) DNSEvent {
	return DNSEvent{Time: at(min), Client: phone, Resolver: netip.MustParseAddr("192.168.1.1"), Name: name, Type: "A",
		Answers: answers, Response: true, RCode: "NOERROR", Source: "pcap/c.pcapng"}
}

// One record per key, whatever the number of observations; the rules see
// every record once, with the facts of the whole capture.
func TestAggregate(t *testing.T) {
	s := &sink{}
	a := New(DefaultLimits, s)
	a.DNS(lookup(0, "www.apple.com", "17.253.144.10"))
	a.DNS(lookup(0, "WWW.Apple.com.", "17.253.144.10"))
	a.DNS(lookup(5, "news.example.org", "203.0.113.10"))
	for i := 0; i < 3; i++ {
		a.Conn(conn(1+i, "17.253.144.10", 443, "www.apple.com"))
	}
	a.Conn(conn(6, "203.0.113.10", 443, "news.example.org"))
	a.Conn(conn(7, "203.0.113.66", 443, ""))             // no DNS answer: a lead
	a.Conn(conn(8, "17.57.144.20", 5223, ""))            // Apple push: known network
	a.Conn(conn(9, "203.0.113.77", 31337, "c2.example")) // no DNS and an odd port
	a.DNS(lookup(10, "x7k2.duckdns.org", "198.51.100.23"))
	a.Conn(conn(11, "198.51.100.23", 443, "x7k2.duckdns.org"))
	a.Close()

	if len(s.records) != 3+6 {
		var sums []string
		for _, r := range s.records {
			sums = append(sums, r.Summary)
		}
		t.Fatalf("%d records:\n%s", len(s.records), strings.Join(sums, "\n"))
	}
	apple := s.records[0].Data.(*Lookup)
	if apple.Name != "www.apple.com" || apple.Count != 2 || !slices.Equal(apple.Answers, []string{"17.253.144.10"}) {
		t.Errorf("lookup %+v", apple)
	}
	var pushed *Connection
	for _, r := range s.records {
		if c, ok := r.Data.(*Connection); ok && c.Host == "www.apple.com" {
			pushed = c
			if c.Connections != 3 || c.Packets != 30 || !c.First.Equal(at(1)) || !c.Last.Equal(at(3)) || c.DNSName != "" {
				t.Errorf("connection %+v", c)
			}
			if len(r.Times) != 2 || r.Times[0].Desc != DescConnFirst || r.Times[1].Desc != DescConnLast {
				t.Errorf("stamps %+v", r.Times)
			}
		}
	}
	if pushed == nil {
		t.Fatal("no connection record for www.apple.com")
	}
	want := []string{"net.domain.dynamic_dns:medium", "net.ip.no_dns:low", "net.ip.no_dns:medium", "net.port.unusual:low"}
	got := s.rules()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	for i, f := range s.findings {
		if f.Rule == "net.ip.no_dns" && f.Params["ip"] != "203.0.113.66" && f.Params["ip"] != "203.0.113.77" {
			t.Errorf("no_dns on %s", f.Params["ip"])
		}
		if s.on[i] == nil {
			t.Errorf("%s without a record", f.Rule)
		}
	}
}

// The rules know the capture: a connection in its first minutes, or one
// open before it began (no handshake), is not judged for a missing DNS
// answer, nor one after the phone began sending DNS encrypted (then only
// as a note).
func TestNoDNSContext(t *testing.T) {
	s := &sink{}
	a := New(DefaultLimits, s)
	a.Conn(conn(0, "203.0.113.1", 443, "")) // first minute
	mid := conn(5, "203.0.113.2", 443, "")  // open before the capture
	mid.Started, mid.NewConn = false, false
	a.Conn(mid)
	a.Conn(conn(10, "203.0.113.3", 443, "")) // judged: low
	a.Conn(conn(20, "8.8.8.8", 443, "dns.google"))
	a.Conn(conn(30, "203.0.113.4", 443, "")) // after DoH began: informational
	a.Close()
	got := s.rules()
	slices.Sort(got)
	want := []string{"net.dns.encrypted_known:informational", "net.ip.no_dns:informational", "net.ip.no_dns:low"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

// Memory stays bounded: a table at its limit is written out early, and a
// rule reports at most Limits.Findings times, the rest in a warning.
func TestLimits(t *testing.T) {
	s := &sink{}
	lim := DefaultLimits
	lim.Connections, lim.Findings = 100, 10
	a := New(lim, s)
	a.Conn(conn(0, "203.0.113.250", 443, "")) // starts the capture
	for i := 0; i < 1000; i++ {
		ip := netip.AddrFrom4([4]byte{198, 51, byte(100 + i/250), byte(i % 250)})
		a.Conn(ConnEvent{Time: at(10), IP: ip, Port: 443, Proto: "tcp", NewConn: true, Started: true})
		if len(a.conns) > lim.Connections {
			t.Fatalf("%d connections held", len(a.conns))
		}
	}
	a.Close()
	if len(s.records) != 1001 {
		t.Errorf("%d records, want 1001", len(s.records))
	}
	if n := len(s.findings); n != 10 {
		t.Errorf("%d findings, want 10", n)
	}
	w := strings.Join(s.warnings, "\n")
	if !strings.Contains(w, "990 more findings of net.ip.no_dns") || !strings.Contains(w, "written out") {
		t.Errorf("warnings:\n%s", w)
	}
}

// A time that is no date is counted, never placed: the record keeps it raw.
func TestBadTimes(t *testing.T) {
	s := &sink{}
	a := New(DefaultLimits, s)
	e := conn(0, "203.0.113.9", 443, "")
	e.Time = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	e.RawTime = "253370764800"
	a.Conn(e)
	a.DNS(DNSEvent{TimeErr: fmt.Errorf("bad"), RawTime: "x", Name: "a.example", Type: "A"})
	a.Close()
	for _, r := range s.records {
		if len(r.Times) != 0 || len(r.RawTimes) != 1 {
			t.Errorf("%s: times %v raw %v", r.Summary, r.Times, r.RawTimes)
		}
	}
	if !strings.Contains(strings.Join(s.warnings, "\n"), "2 observations had no plausible time") {
		t.Errorf("warnings %v", s.warnings)
	}
}

func TestHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"WWW.Example.COM.", "www.example.com"},
		{"_dmarc.example.com", "_dmarc.example.com"},
		{"xn--pple-43d.com", "xn--pple-43d.com"},
		{"::ffff:1.2.3.4", "1.2.3.4"},
		{"[2001:db8::1]", "2001:db8::1"},
		{"", ""},
	}
	for _, tt := range tests {
		if got, ok := Host(tt.in); !ok || got != tt.want {
			t.Errorf("Host(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"a..b", ".", "a b.example", "é.example", "a\x00.example", strings.Repeat("a", 64) + ".example", strings.Repeat("a.", 127) + "aa"} {
		if got, ok := Host(bad); ok {
			t.Errorf("Host(%q) = %q, accepted", bad, got)
		}
	}
}

// A lookup answered milliseconds after its query, or a short connection,
// is one timeline event; activity that spans more than a minute gets a
// second event for its last time. The record keeps both times.
func TestStampsApart(t *testing.T) {
	s := &sink{}
	a := New(DefaultLimits, s)
	q := lookup(0, "short.example.org", "203.0.113.10")
	q.Response, q.Answers = false, nil
	a.DNS(q)
	ans := lookup(0, "short.example.org", "203.0.113.10")
	ans.Time = ans.Time.Add(8 * time.Millisecond)
	a.DNS(ans)
	a.DNS(lookup(0, "long.example.org", "203.0.113.11"))
	a.DNS(lookup(3, "long.example.org", "203.0.113.11"))
	a.Close()
	descs := map[string][]string{}
	for _, r := range s.records {
		l := r.Data.(*Lookup)
		for _, st := range r.Times {
			descs[l.Name] = append(descs[l.Name], st.Desc)
		}
		if l.Name == "short.example.org" && !l.Last.Equal(at(0).Add(8*time.Millisecond)) {
			t.Errorf("short lookup's last time %s", l.Last)
		}
	}
	if got := descs["short.example.org"]; !slices.Equal(got, []string{DescDNSFirst}) {
		t.Errorf("short lookup: %v", got)
	}
	if got := descs["long.example.org"]; !slices.Equal(got, []string{DescDNSFirst, DescDNSLast}) {
		t.Errorf("long lookup: %v", got)
	}
}

// FuzzDecodeDNS: any bytes are a DNS message or not; one keeps at most
// maxDNSItems questions and answers, answers are addresses or names, and a
// result code only comes with a response.
func FuzzDecodeDNS(f *testing.F) {
	f.Add([]byte("\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x01a\x07example\x00\x00\x01\x00\x01\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04\xcb\x00\x71\x05"))
	f.Add([]byte("\x00\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07example\x00\x00\x1c\x00\x01"))
	var d layers.DNS
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := DecodeDNS(&d, b)
		if !ok {
			return
		}
		if len(m.Questions) == 0 || len(m.Questions) > maxDNSItems || len(m.Answers) > maxDNSItems || !m.Response && m.RCode != "" {
			t.Fatalf("%+v", m)
		}
		for _, a := range m.Answers {
			if len(a) > len(b)*4+64 {
				t.Fatalf("answer of %d bytes from %d", len(a), len(b))
			}
		}
	})
}

// Only TCP and UDP are connections: ICMP, or whatever a log's protocol
// field holds, has no port or name to judge and makes no record.
func TestOnlyTCPAndUDP(t *testing.T) {
	s := &sink{}
	a := New(DefaultLimits, s)
	for _, proto := range []string{"icmp", "ipv6-icmp", "shadap", "", "TCP", "udp"} {
		e := conn(1, "203.0.113.10", 443, "a.example")
		e.Proto = proto
		a.Conn(e)
	}
	a.Close()
	var got []string
	for _, r := range s.records {
		got = append(got, r.Data.(*Connection).Proto)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"tcp", "udp"}) {
		t.Errorf("connections %v", got)
	}
}

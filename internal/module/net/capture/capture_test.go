package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/netflow/netflowtest"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
)

func captureBytes(t testing.TB, seed int64, plant, classic bool) []byte {
	t.Helper()
	var b bytes.Buffer
	tr := samplegen.PhoneTraffic(seed, plant)
	var err error
	if classic {
		err = tr.WritePcap(&b, seed)
	} else {
		err = tr.WritePcapNG(&b, seed)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func runCapture(t *testing.T, name string, data []byte) *moduletest.Sink {
	t.Helper()
	dir := t.TempDir()
	moduletest.File(t, dir, filepath.Join("capture", name), data)
	return moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.Network, dir))
}

func connections(s *moduletest.Sink) map[string]*netflow.Connection {
	out := map[string]*netflow.Connection{}
	for _, r := range s.Records {
		if c, ok := r.Data.(*netflow.Connection); ok {
			out[fmt.Sprintf("%s:%d/%s", c.IP, c.Port, c.Proto)] = c
		}
	}
	return out
}

func TestCapture(t *testing.T) {
	var summaries [2][]string
	for i, classic := range []bool{false, true} {
		s := runCapture(t, "traffic.bin", captureBytes(t, 7, true, classic))
		conns := connections(s)
		planted := conns["203.0.113.66:443/tcp"]
		if planted == nil || planted.Host != samplegen.PlantedDomain || planted.HostFrom != "tls" || planted.Connections != 1 || planted.Packets < 8 || len(planted.JA3) != 1 {
			t.Fatalf("planted connection %+v", planted)
		}
		// Every TLS connection is named, the ClientHellos longer than one
		// segment included; the planted one sent no name.
		for k, c := range conns {
			if c.Proto == "tcp" && c.Port == 443 && c.Host == "" && c.IP != samplegen.PlantedNoDNSIP {
				t.Errorf("%s: no server name", k)
			}
		}
		captive := conns["17.253.119.201:80/tcp"]
		if captive == nil || captive.Host != "captive.apple.com" || !slices.Equal(captive.URLs, []string{"http://captive.apple.com/hotspot-detect.html"}) {
			t.Errorf("HTTP connection %+v", captive)
		}
		if c := conns["2a00:1450:4003:80f::200a:443/tcp"]; c == nil || c.Host != "play.googleapis.com" {
			t.Errorf("IPv6 connection %+v", c)
		}
		if c := conns["17.57.146.20:5223/tcp"]; c == nil || c.Connections != 0 || c.Packets == 0 {
			t.Errorf("connection open before the capture %+v", c)
		}
		if c := conns["142.250.186.46:443/udp"]; c == nil || c.App != "quic" || c.DNSName != "www.youtube.com" {
			t.Errorf("QUIC %+v", c)
		}
		for _, r := range s.Records {
			summaries[i] = append(summaries[i], r.Summary)
			if c, ok := r.Data.(*netflow.Connection); ok && c == planted && !moduletest.Has(r, model.KindJA3, planted.JA3[0]) {
				t.Errorf("the JA3 fingerprint is no observable: %+v", r.Observables)
			}
			if l, ok := r.Data.(*netflow.Lookup); ok && l.Name == samplegen.PlantedDomain {
				if l.Count != 1 || !slices.Equal(l.Answers, []string{"203.0.113.66"}) || !moduletest.Has(r, model.KindIP, "203.0.113.66") {
					t.Errorf("lookup %+v", l)
				}
			}
			for _, st := range r.Times {
				if st.Time.Before(samplegen.NetStart) || st.Time.After(samplegen.NetStart.Add(31*time.Minute)) {
					t.Errorf("%s: stamp %s outside the capture", r.Summary, st.Time)
				}
			}
		}
		got := s.Rules()
		sort.Strings(got)
		want := []string{"net.dns.encrypted_known", "net.domain.dynamic_dns", "net.ip.no_dns", "net.port.unusual"}
		if !slices.Equal(got, want) {
			t.Errorf("rules %v, want %v", got, want)
		}
		for _, d := range s.Detections {
			if d.Rule == "net.ip.no_dns" && d.Params["ip"] != samplegen.PlantedNoDNSIP {
				t.Errorf("no_dns on %s", d.Params["ip"])
			}
		}
		if len(s.Warnings) > 0 {
			t.Errorf("warnings %v", s.Warnings)
		}
	}
	// A pcap of raw IP packets holds the same traffic as the pcapng of
	// Ethernet frames.
	sort.Strings(summaries[0])
	sort.Strings(summaries[1])
	if !slices.Equal(summaries[0], summaries[1]) {
		t.Errorf("pcap and pcapng differ:\n%s\n---\n%s", strings.Join(summaries[0], "\n"), strings.Join(summaries[1], "\n"))
	}
	// The clean twin: only the note that DNS went encrypted.
	s := runCapture(t, "clean.pcapng", captureBytes(t, 7, false, false))
	if got := s.Rules(); !slices.Equal(got, []string{"net.dns.encrypted_known"}) {
		t.Errorf("clean twin: %v", got)
	}
}

// A capture cut while it was written ends mid-packet: what came before is
// read and it is no part left unchecked. Damage after the start is one
// (env.Unreadable: moduletest's sink keeps it as a warning naming the
// file).
func TestDamagedCapture(t *testing.T) {
	data := captureBytes(t, 3, true, false)
	s := runCapture(t, "cut.pcapng", data[:len(data)-30])
	w := strings.Join(s.Warnings, "\n")
	if len(s.Records) < 30 || strings.Contains(w, "damaged") || !strings.Contains(w, "ends in the middle of a packet") {
		t.Errorf("cut capture: %d records, warnings %v", len(s.Records), s.Warnings)
	}
	// A section header with no valid byte order after the last packet.
	bad := append(append([]byte(nil), data...), []byte("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x00\x00\x00\x00")...)
	s = runCapture(t, "damaged.pcapng", bad)
	if w := strings.Join(s.Warnings, "\n"); len(s.Records) == 0 || !strings.Contains(w, "capture/damaged.pcapng: the capture is damaged after") {
		t.Errorf("damaged capture: %d records, warnings %v", len(s.Records), s.Warnings)
	}
	s = runCapture(t, "empty.pcap", nil)
	if len(s.Records) != 0 || !strings.Contains(strings.Join(s.Warnings, "\n"), "capture/empty.pcap: not a capture") {
		t.Errorf("empty capture: warnings %v", s.Warnings)
	}
}

// A pcapng block declaring gigabytes is refused once it has pulled more
// than maxBlockRead from the file, before it is held.
func TestBlockTooLarge(t *testing.T) {
	var head bytes.Buffer
	ng, _ := samplegen.NewPcapNG(&head)
	ng.Flush()
	epb := make([]byte, 28)
	binary.LittleEndian.PutUint32(epb[0:], 6)      // enhanced packet block
	binary.LittleEndian.PutUint32(epb[4:], 1<<31)  // its length
	binary.LittleEndian.PutUint32(epb[20:], 1<<30) // captured length: 1 GiB
	binary.LittleEndian.PutUint32(epb[24:], 1<<30) // original length
	r := io.MultiReader(&head, bytes.NewReader(epb), io.LimitReader(zeros{}, 1<<30))
	_, err := readCapture(context.Background(), r, "big.pcapng", netflow.New(netflow.DefaultLimits, discard{}))
	if !errors.Is(err, errBlockTooLarge) {
		t.Errorf("err %v", err)
	}
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type discard struct{}

func (discard) Emit(*model.Record)                   {}
func (discard) Report(*rules.Finding, *model.Record) {}
func (discard) Warn(string, ...any)                  {}

func TestParseClientHello(t *testing.T) {
	rng := newRand()
	for _, big := range []bool{false, true} {
		ch := samplegen.ClientHello("www.example.org", big, rng)
		for cut := 0; cut < len(ch); cut++ {
			if h, st := parseClientHello(ch[:cut]); st != helloNeedMore || h != (hello{}) {
				t.Fatalf("big %v, %d of %d bytes: %+v %v", big, cut, len(ch), h, st)
			}
		}
		if h, st := parseClientHello(ch); st != helloDone || h.sni != "www.example.org" || len(h.ja3) != 32 {
			t.Errorf("big %v: %+v %v", big, h, st)
		}
	}
	tests := []struct {
		name string
		b    []byte
		sni  string
		st   helloState
	}{
		{"no name", samplegen.ClientHello("", false, rng), "", helloDone},
		{"application data", []byte{0x17, 3, 3, 0, 5, 1, 2, 3, 4, 5}, "", helloNot},
		{"server hello", []byte{0x16, 3, 3, 0, 4, 2, 0, 0, 0}, "", helloNot},
		{"HTTP", []byte("GET / HTTP/1.1\r\n"), "", helloNot},
		{"zero-length record", []byte{0x16, 3, 1, 0, 0}, "", helloNot},
		{"hello larger than kept", []byte{0x16, 3, 1, 0x40, 0, 1, 0, 0xff, 0xff}, "", helloNot},
		{"lying extension length", record(append(append([]byte{3, 3}, make([]byte, 32)...), 0, 0, 2, 0x13, 1, 1, 0, 0, 0x10, 0, 0, 0, 4)), "", helloNot},
	}
	for _, tt := range tests {
		if h, st := parseClientHello(tt.b); h.sni != tt.sni || st != tt.st {
			t.Errorf("%s: %+v %v, want %q %v", tt.name, h, st, tt.sni, tt.st)
		}
	}
}

// The JA3 fingerprint of the example in JA3's own description: a TLS 1.0
// hello with 12 ciphers, the extensions server_name, supported_groups and
// ec_point_formats, groups 23-24-25 and point format 0, whose JA3 string
// "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"
// hashes to ada70206e40642a3e4461f35503241d5. GREASE values anywhere in the
// lists change nothing.
func TestJA3(t *testing.T) {
	u16 := func(v ...int) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x>>8), byte(x))
		}
		return b
	}
	vec16 := func(b []byte) []byte { return append(u16(len(b)), b...) }
	ext := func(typ int, data []byte) []byte { return append(u16(typ), vec16(data)...) }
	build := func(grease bool) []byte {
		ciphers := []int{47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4}
		groups := []int{23, 24, 25}
		var exts []byte
		if grease {
			ciphers = append([]int{0x2a2a}, ciphers...)
			groups = append([]int{0xbaba}, groups...)
			exts = append(exts, ext(0x1a1a, nil)...)
		}
		name := []byte("www.example.org")
		exts = append(exts, ext(0, vec16(append([]byte{0}, vec16(name)...)))...)
		exts = append(exts, ext(10, vec16(u16(groups...)))...)
		exts = append(exts, ext(11, []byte{1, 0})...)
		body := append(u16(769), make([]byte, 32)...)
		body = append(body, 0) // no session id
		body = append(body, vec16(u16(ciphers...))...)
		body = append(body, 1, 0) // null compression
		body = append(body, vec16(exts)...)
		return record(body)
	}
	for _, g := range []bool{false, true} {
		h, st := parseClientHello(build(g))
		if st != helloDone || h.sni != "www.example.org" || h.ja3 != "ada70206e40642a3e4461f35503241d5" {
			t.Errorf("grease %v: %+v %v", g, h, st)
		}
	}
}

// record wraps a ClientHello body in its handshake and record headers.
func record(body []byte) []byte {
	hs := append([]byte{1, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{0x16, 3, 1, byte(len(hs) >> 8), byte(len(hs))}, hs...)
}

func TestParseHTTPRequest(t *testing.T) {
	tests := []struct {
		in   string
		port uint16
		host string
		url  string
		ok   bool
	}{
		{"GET /a?b=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: x\r\n\r\n", 80, "www.example.com", "http://www.example.com/a?b=1", true},
		{"POST /up HTTP/1.1\r\nhost: h.example:8080\r\n\r\n", 8080, "h.example", "http://h.example:8080/up", true},
		{"GET /x HTTP/1.1\r\nHost: h.example\r\n\r\n", 8000, "h.example", "http://h.example:8000/x", true},
		{"GET http://proxy.example/p HTTP/1.1\r\n\r\n", 3128, "proxy.example", "http://proxy.example/p", true},
		{"CONNECT tunnel.example:443 HTTP/1.1\r\n\r\n", 8080, "tunnel.example", "", true},
		{"GET /x HTTP/1.1\r\nHost: bad\x01host\r\n\r\n", 80, "", "", false},
		{"GET", 80, "", "", false},
	}
	for _, tt := range tests {
		req, ok := parseHTTPRequest([]byte(tt.in), tt.port)
		if ok != tt.ok || req.host != tt.host || req.url != tt.url {
			t.Errorf("%q: %+v %v; want host %q url %q %v", tt.in, req, ok, tt.host, tt.url, tt.ok)
		}
	}
}

type collect struct{ recs []*model.Record }

func (c *collect) Emit(r *model.Record)                 { c.recs = append(c.recs, r) }
func (c *collect) Report(*rules.Finding, *model.Record) {}
func (c *collect) Warn(string, ...any)                  {}

// smallCapture is a seed short enough to fuzz fast: a lookup, a TLS
// connection (its ClientHello in two segments) and an HTTP request.
func smallCapture(t testing.TB, classic bool) []byte {
	p := samplegen.NewPacketizer(1, classic)
	at := samplegen.NetStart
	phone := netip.MustParseAddr("192.168.1.23")
	p.DNS(at, netip.AddrPortFrom(phone, 5353), netip.MustParseAddr("192.168.1.1"), "a.example", "A", []netip.Addr{netip.MustParseAddr("203.0.113.5")})
	p.TCPSession(at.Add(time.Second), netip.AddrPortFrom(phone, 50000), netip.MustParseAddrPort("203.0.113.5:443"), samplegen.ClientHello("a.example", true, newRand()), 1, 100, false)
	p.TCPSession(at.Add(2*time.Second), netip.AddrPortFrom(phone, 50001), netip.MustParseAddrPort("203.0.113.5:80"), []byte("GET /x HTTP/1.1\r\nHost: a.example\r\n\r\n"), 1, 50, false)
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzCapture reads arbitrary bytes as a capture: never a panic, records
// within the invariants, at most a few per packet.
func FuzzCapture(f *testing.F) {
	f.Add(smallCapture(f, false))
	f.Add(smallCapture(f, true))
	f.Add([]byte("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a"))
	f.Add([]byte("\xd4\xc3\xb2\xa1\x02\x00\x04\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &collect{}
		agg := netflow.New(netflow.DefaultLimits, c)
		st, _ := readCapture(context.Background(), bytes.NewReader(data), "f.pcap", agg)
		agg.Close()
		if int64(len(c.recs)) > 70*st.Packets {
			t.Fatalf("%d records from %d packets", len(c.recs), st.Packets)
		}
		netflowtest.CheckRecords(t, c.recs)
	})
}

// FuzzClientHello: never a panic, never a name longer than the input, a
// name and a fingerprint only from a complete hello, and then always a
// fingerprint.
func FuzzClientHello(f *testing.F) {
	rng := newRand()
	f.Add(samplegen.ClientHello("a.example", false, rng))
	f.Add(samplegen.ClientHello("b.example", true, rng))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, st := parseClientHello(data)
		if len(h.sni) > len(data) || st != helloDone && h != (hello{}) || st == helloDone && len(h.ja3) != 32 {
			t.Fatalf("%+v %v from %d bytes", h, st, len(data))
		}
	})
}

// FuzzHTTPRequest: a link and host without control characters, bounded.
func FuzzHTTPRequest(f *testing.F) {
	f.Add([]byte("GET /a HTTP/1.1\r\nHost: x.example\r\n\r\n"), uint16(80))
	f.Fuzz(func(t *testing.T, data []byte, port uint16) {
		req, _ := parseHTTPRequest(data, port)
		if len(req.url) > 2048 || !printable(req.host) || !printable(req.url) || strings.ContainsAny(req.url, "\r\n") {
			t.Fatalf("%+v", req)
		}
	})
}

package samplegen

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Network evidence: a phone's traffic over half an hour, written in every
// format huella reads (pcapng, pcap, Zeek, Suricata eve.json, Pi-hole,
// AdGuard Home, NextDNS), with optional planted traces. The ordinary part
// is what an iPhone or Android phone does every day: Apple and Google
// services, content networks, push, time, a captive-portal probe, DNS over
// HTTPS to a public resolver near the end. Addresses of well-known services
// are real ones of their owners' ranges; planted ones are in the
// documentation ranges (RFC 5737) and names use .example (RFC 2606), except
// the dynamic-DNS name, which must be under a real provider's domain to be
// one.

// Planted network traces.
const (
	PlantedNoDNSIP     = "198.51.100.77"     // contacted by address, no DNS answer gave it
	PlantedDynamicName = "upd7x.duckdns.org" // a name under a dynamic-DNS provider
	PlantedOddPortHost = "sync.quietcdn.example"
	PlantedOddPort     = 31337
	plantedDomainIP    = "203.0.113.66"
	plantedDynamicIP   = "203.0.113.80"
	plantedOddPortIP   = "203.0.113.90"
	PlantedSuricataSID = 9100001
	// The certificate the planted server presented: its SHA-256 as Zeek
	// logs it, its SHA-1 as Suricata does (a synthetic value, no real
	// certificate's).
	PlantedCertSHA256   = "d3a0c0ffee5eed0000000000000000000000000000000000000000000000d301"
	PlantedCertSHA1     = "d3a0c0ffee5eed00000000000000000000d30101"
	plantedSuricataText = "HUELLA DEMO DemoSpy (synthetic) domain in TLS SNI"
)

// The phone and its network.
var (
	netPhone    = netip.MustParseAddr("192.168.1.23")
	netPhone6   = netip.MustParseAddr("2001:db8:1::23")
	netRouter   = netip.MustParseAddr("192.168.1.1")
	netPhoneMAC = []byte{0x02, 0x00, 0x5e, 0x10, 0x00, 0x23}
	netGateMAC  = []byte{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}
)

// NetStart is when the generated capture begins.
var NetStart = time.Date(2024, 2, 20, 3, 0, 0, 0, time.UTC)

// lookup is one DNS query and its answer.
type lookup struct {
	at      time.Time
	name    string
	qtype   string // A or AAAA
	answers []netip.Addr
}

// connection is one TCP or UDP exchange with an internet server.
type connection struct {
	at      time.Time
	ip      netip.Addr
	port    uint16
	proto   string // tcp, udp
	sni     string // TLS server name sent in the ClientHello
	http    string // plain HTTP: the Host header
	path    string
	bulk    int  // server packets of data after the hello or request
	bigShow bool // a ClientHello longer than one segment (post-quantum key share)
	app     string
	srcPort uint16
}

// Traffic is a phone's generated traffic: lookups and connections in time
// order, and the detections a check must find in it.
type Traffic struct {
	Lookups     []lookup
	Connections []connection
	Alerts      []alert
	Planted     bool
	End         time.Time
}

type alert struct {
	at        time.Time
	srcPort   uint16 // the phone's port of the connection it is about (unique in a traffic)
	sid       int
	signature string
	category  string
	priority  int
}

// service is an ordinary service the phone uses.
type service struct {
	name  string
	ip    string
	port  uint16
	proto string
	http  string // path, for plain HTTP
	bulk  int
}

var ordinary = []service{
	{"www.apple.com", "17.253.144.10", 443, "tcp", "", 6},
	{"gateway.icloud.com", "17.248.185.72", 443, "tcp", "", 4},
	{"captive.apple.com", "17.253.119.201", 80, "tcp", "/hotspot-detect.html", 1},
	{"time.apple.com", "17.253.14.125", 123, "udp", "", 1},
	{"mesu.apple.com", "17.253.144.12", 443, "tcp", "", 3},
	{"www.google.com", "142.250.184.196", 443, "tcp", "", 5},
	{"www.googleapis.com", "142.250.185.10", 443, "tcp", "", 3},
	{"fonts.gstatic.com", "142.250.185.99", 443, "tcp", "", 2},
	{"www.youtube.com", "142.250.186.46", 443, "udp", "", 8},
	{"i.ytimg.com", "142.250.186.118", 443, "tcp", "", 12},
	{"www.wikipedia.org", "185.15.59.224", 443, "tcp", "", 4},
	{"cdn.jsdelivr.net", "151.101.1.229", 443, "tcp", "", 3},
	{"www.cloudflare.com", "104.16.123.96", 443, "tcp", "", 2},
	{"g.whatsapp.net", "157.240.221.60", 443, "tcp", "", 4},
	{"api.signal.org", "76.223.92.165", 443, "tcp", "", 2},
	{"play.googleapis.com", "2a00:1450:4003:80f::200a", 443, "tcp", "", 2},
}

// PhoneTraffic generates the traffic. The same seed gives the same
// traffic; plant adds the traces (and clean twins leave them out).
func PhoneTraffic(seed int64, plant bool) *Traffic {
	rng := newGen(seed, 21).r
	t := &Traffic{Planted: plant}
	at := NetStart.Add(30 * time.Second)
	port := uint16(49152)
	nextPort := func() uint16 {
		port++
		if port == 0 {
			port = 49152
		}
		return port
	}
	use := func(s service, when time.Time) {
		ip := netip.MustParseAddr(s.ip)
		qtype := "A"
		if ip.Is6() {
			qtype = "AAAA"
		}
		t.Lookups = append(t.Lookups, lookup{at: when, name: s.name, qtype: qtype, answers: []netip.Addr{ip}})
		c := connection{at: when.Add(40 * time.Millisecond), ip: ip, port: s.port, proto: s.proto, bulk: s.bulk, srcPort: nextPort()}
		switch {
		case s.proto == "udp" && s.port == 123:
			c.app = "ntp"
		case s.proto == "udp":
			c.app = "quic"
		case s.http != "":
			c.http, c.path = s.name, s.http
		default:
			c.sni = s.name
			c.bigShow = rng.IntN(3) == 0
		}
		t.Connections = append(t.Connections, c)
	}
	// Push (Apple's courier) was connected before the capture began: no
	// handshake, no lookup in the capture, a known network.
	t.Connections = append(t.Connections, connection{at: NetStart.Add(5 * time.Second), ip: netip.MustParseAddr("17.57.146.20"),
		port: 5223, proto: "tcp", bulk: 2, srcPort: 62011, app: "midstream"})
	for round := 0; round < 3; round++ {
		for _, s := range ordinary {
			use(s, at)
			at = at.Add(time.Duration(20+rng.IntN(40)) * time.Second)
		}
	}
	if plant {
		when := NetStart.Add(14 * time.Minute)
		use(service{PlantedDomain, plantedDomainIP, 443, "tcp", "", 3}, when)
		t.Alerts = append(t.Alerts, alert{at: when.Add(50 * time.Millisecond), srcPort: t.Connections[len(t.Connections)-1].srcPort, sid: PlantedSuricataSID,
			signature: plantedSuricataText, category: "A Network Trojan was detected", priority: 1})
		t.Connections = append(t.Connections, connection{at: when.Add(20 * time.Second), ip: netip.MustParseAddr(PlantedNoDNSIP),
			port: 443, proto: "tcp", bulk: 2, srcPort: nextPort()})
		use(service{PlantedDynamicName, plantedDynamicIP, 443, "tcp", "", 2}, when.Add(40*time.Second))
		use(service{PlantedOddPortHost, plantedOddPortIP, PlantedOddPort, "tcp", "", 2}, when.Add(60*time.Second))
	}
	// Near the end a browser turns on DNS over HTTPS to Google's resolver,
	// reached by its address.
	t.Connections = append(t.Connections, connection{at: NetStart.Add(27 * time.Minute), ip: netip.MustParseAddr("8.8.8.8"),
		port: 443, proto: "tcp", sni: "dns.google", bulk: 3, srcPort: nextPort()})
	sort.SliceStable(t.Lookups, func(i, j int) bool { return t.Lookups[i].at.Before(t.Lookups[j].at) })
	sort.SliceStable(t.Connections, func(i, j int) bool { return t.Connections[i].at.Before(t.Connections[j].at) })
	t.End = NetStart.Add(30 * time.Minute)
	return t
}

// ExpectedNetwork lists what a check of the traffic must find, for the
// given module (each format is read by its own module). DNS resolver logs
// hold lookups only, so only the lookup traces apply to them.
func (t *Traffic) ExpectedNetwork(module string, lookupsOnly bool) []ExpectedDetection {
	if !t.Planted {
		return nil
	}
	out := []ExpectedDetection{
		{Module: module, Rule: "indicator.feed.match", Value: PlantedDomain, Why: "a lookup of the indicator domain " + PlantedDomain},
		{Module: module, Rule: "net.domain.dynamic_dns", Value: PlantedDynamicName, Why: "a lookup of the dynamic-DNS name " + PlantedDynamicName},
	}
	if lookupsOnly {
		return out
	}
	return append(out,
		ExpectedDetection{Module: module, Rule: "net.ip.no_dns", Value: PlantedNoDNSIP, Why: "a connection to " + PlantedNoDNSIP + " without a DNS answer for it"},
		ExpectedDetection{Module: module, Rule: "net.port.unusual", Value: fmt.Sprint(PlantedOddPort), Why: fmt.Sprintf("a connection to %s on TCP port %d", PlantedOddPortHost, PlantedOddPort)},
	)
}

// NetFormat is a format GenerateNetwork writes.
type NetFormat string

const (
	NetPcapNG   NetFormat = "pcapng"
	NetPcap     NetFormat = "pcap"
	NetPiRogue  NetFormat = "pirogue"   // a PiRogue capture folder
	NetZeek     NetFormat = "zeek"      // dns, conn, ssl and http logs, TSV
	NetZeekJSON NetFormat = "zeek-json" // the same, JSON lines
	NetEve      NetFormat = "eve"       // Suricata eve.json
	NetPihole   NetFormat = "pihole"
	NetAdGuard  NetFormat = "adguard"
	NetNextDNS  NetFormat = "nextdns"
)

// NetFormats lists every format, for tests that try them all.
var NetFormats = []NetFormat{NetPcapNG, NetPcap, NetPiRogue, NetZeek, NetZeekJSON, NetEve, NetPihole, NetAdGuard, NetNextDNS}

// GenerateNetwork writes the phone's traffic in one format under dir and
// returns the path to check (a file or a folder) and what the check must
// find (nothing high for a clean twin: plant false).
func GenerateNetwork(dir string, f NetFormat, seed int64, plant bool) (string, *Expected, error) {
	t := PhoneTraffic(seed, plant)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	exp := &Expected{Kind: "network", Seed: seed, Records: map[string]int{"lookups": len(t.Lookups), "connections": len(t.Connections)}}
	write := func(name string, fn func(io.Writer) error) (string, error) {
		p := filepath.Join(dir, name)
		fh, err := os.Create(p)
		if err != nil {
			return "", err
		}
		err = fn(fh)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		return p, err
	}
	var p string
	var err error
	module, lookupsOnly := "net.capture", false
	switch f {
	case NetPcapNG:
		p, err = write("capture.pcapng", func(w io.Writer) error { return t.WritePcapNG(w, seed) })
	case NetPcap:
		p, err = write("capture.pcap", func(w io.Writer) error { return t.WritePcap(w, seed) })
	case NetPiRogue:
		p = filepath.Join(dir, "pirogue-capture")
		err = t.writePiRogue(p, seed)
	case NetZeek, NetZeekJSON:
		module = "net.zeek"
		p = filepath.Join(dir, "zeek")
		err = t.WriteZeek(p, f == NetZeekJSON)
		exp.Detections = append(exp.Detections, ExpectedDetection{Module: module, Rule: "indicator.feed.match", Value: PlantedCertSHA256,
			Why: "the planted server's certificate (SHA-256 in ssl.log's cert_chain_fps)"})
	case NetEve:
		module = "net.suricata"
		p, err = write("eve.json", t.WriteEve)
		exp.Detections = append(exp.Detections, ExpectedDetection{Module: module, Rule: "net.suricata.alert", Value: fmt.Sprint(PlantedSuricataSID),
			Why: "Suricata's alert on the indicator domain"},
			ExpectedDetection{Module: module, Rule: "indicator.feed.match", Value: PlantedCertSHA1,
				Why: "the planted server's certificate (SHA-1 in the tls event's fingerprint)"})
	case NetPihole:
		module, lookupsOnly = "net.dns_log", true
		p, err = write("pihole.log", t.WritePihole)
		if err == nil {
			// dnsmasq's dates have no year: the file's date gives it.
			err = os.Chtimes(p, t.End, t.End)
		}
	case NetAdGuard:
		module, lookupsOnly = "net.dns_log", true
		p, err = write("querylog.json", t.WriteAdGuard)
	case NetNextDNS:
		module, lookupsOnly = "net.dns_log", true
		p, err = write("nextdns.csv", t.WriteNextDNS)
	default:
		return "", nil, fmt.Errorf("unknown network format %q", f)
	}
	if err != nil {
		return "", nil, err
	}
	if !plant {
		exp.Detections = nil
	}
	exp.Detections = append(t.ExpectedNetwork(module, lookupsOnly), exp.Detections...)
	return p, exp, nil
}

// writePiRogue writes a PiRogue capture folder as pirogue-intercept
// leaves it: the capture (traffic.pcap), experiment.json (when it began),
// device.json (the phone's properties read over adb), and the TLS key log
// huella does not use.
func (t *Traffic) writePiRogue(dir string, seed int64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fh, err := os.Create(filepath.Join(dir, "traffic.pcap"))
	if err != nil {
		return err
	}
	err = t.WritePcapNG(fh, seed)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	start := float64(NetStart.UnixMilli())
	files := map[string]any{
		"experiment.json": map[string]any{"network": map[string]any{"start_capture_time": start, "file": "traffic.pcap"},
			"device": map[string]any{"start_capture_time": start - 800, "file": "device.json"}, "sslkeylog": map[string]any{"file": "sslkeylog.txt"}},
		"device.json": map[string]any{"brand": "google", "device": "demo", "manufacturer": "Google", "model": "Pixel 7 (synthetic)",
			"name": "demo-phone", "serialno": "DEMO0000SERIAL", "android_version": "14", "api_level": "34"},
	}
	for name, v := range files {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "sslkeylog.txt"), []byte("CLIENT_RANDOM 00 00\n"), 0o644)
}

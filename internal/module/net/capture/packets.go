package capture

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/huella-project/huella/internal/heuristics/network"
	"github.com/huella-project/huella/internal/netflow"
)

// Bounds of the packet reader, whatever the capture holds.
const (
	// maxSnaplen caps a classic pcap's declared snapshot length (libpcap's
	// own maximum): a larger packet is not a real one.
	maxSnaplen = 262144
	// maxBlockRead bounds what one packet read may pull from the file: a
	// pcapng block declaring gigabytes is refused before it is held.
	maxBlockRead = 16 << 20
	// maxFlows is the number of connections followed at once; past it the
	// idle ones (and, if need be, all) are handed to the aggregator.
	maxFlows = 65536
	// maxPendingHellos bounds the connections whose ClientHello is being
	// joined from several segments.
	maxPendingHellos = 1024
	// idleFlow is when a quiet connection is handed over first.
	idleFlow = 2 * time.Minute
	// decideAfter: a connection whose first client bytes said nothing
	// within this many packets is named by its address alone.
	decideAfter = 12
)

// errBlockTooLarge stops a capture whose packet or block is larger than
// any real one.
var errBlockTooLarge = fmt.Errorf("a packet or block larger than %d MiB: not a real capture", maxBlockRead>>20)

// guard counts the bytes one packet read pulls from the file.
type guard struct {
	r io.Reader
	n int64
}

func (g *guard) Read(p []byte) (int, error) {
	if g.n > maxBlockRead {
		return 0, errBlockTooLarge
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// packetSource is a pcap or pcapng reader.
type packetSource interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// Stats says what a capture held.
type Stats struct {
	Packets   int64 // packets read
	Decoded   int64 // IP packets with TCP or UDP
	LinkTypes []string
	Skipped   int64 // packets of a link type huella does not decode
}

// readCapture streams a pcap or pcapng file into agg. It returns what it
// read; an error after some packets says the rest of the file was not read.
func readCapture(ctx context.Context, r io.Reader, source string, agg *netflow.Aggregator) (Stats, error) {
	var st Stats
	g := &guard{r: r}
	br := bufio.NewReaderSize(g, 64<<10)
	magic, err := br.Peek(4)
	if err != nil {
		return st, fmt.Errorf("not a capture: %w", err)
	}
	var src packetSource
	var link func(gopacket.CaptureInfo) layers.LinkType
	if string(magic) == "\x0a\x0d\x0d\x0a" {
		ng, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return st, fmt.Errorf("pcapng: %w", err)
		}
		src = ng
		link = func(ci gopacket.CaptureInfo) layers.LinkType {
			if len(ci.AncillaryData) > 0 {
				if lt, ok := ci.AncillaryData[0].(layers.LinkType); ok {
					return lt
				}
			}
			return ng.LinkType()
		}
	} else {
		pr, err := pcapgo.NewReader(br)
		if err != nil {
			return st, fmt.Errorf("pcap: %w", err)
		}
		if pr.Snaplen() > maxSnaplen || pr.Snaplen() == 0 {
			pr.SetSnaplen(maxSnaplen)
		}
		src = pr
		lt := pr.LinkType()
		link = func(gopacket.CaptureInfo) layers.LinkType { return lt }
	}
	d := newDecoder(source, agg)
	defer d.finish()
	seenLinks := map[layers.LinkType]bool{}
	for {
		if st.Packets%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		g.n = 0
		data, ci, err := src.ZeroCopyReadPacketData()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if err != nil {
			return st, err
		}
		st.Packets++
		lt := link(ci)
		if !seenLinks[lt] {
			seenLinks[lt] = true
			st.LinkTypes = append(st.LinkTypes, lt.String())
		}
		switch d.packet(lt, data, ci) {
		case decodedIP:
			st.Decoded++
		case unknownLink:
			st.Skipped++
		}
	}
}

type outcome int

const (
	decodedIP outcome = iota
	notIP
	unknownLink
)

// decoder turns packets into the aggregator's observations, following
// TCP and UDP connections in a bounded table.
type decoder struct {
	source string
	agg    *netflow.Aggregator

	parsers map[layers.LinkType]*gopacket.DecodingLayerParser
	eth     layers.Ethernet
	dot1q   layers.Dot1Q
	sll     layers.LinuxSLL
	sll2    layers.LinuxSLL2
	loop    layers.Loopback
	ip4     layers.IPv4
	ip6     layers.IPv6
	tcp     layers.TCP
	udp     layers.UDP
	dns     layers.DNS
	decoded []gopacket.LayerType

	flows   map[flowKey]*flow
	pending int // flows joining a ClientHello
	now     time.Time
}

func newDecoder(source string, agg *netflow.Aggregator) *decoder {
	return &decoder{source: source, agg: agg, parsers: map[layers.LinkType]*gopacket.DecodingLayerParser{}, flows: map[flowKey]*flow{}}
}

func (d *decoder) parser(lt layers.LinkType, data []byte) *gopacket.DecodingLayerParser {
	var first gopacket.LayerType
	switch lt {
	case layers.LinkTypeEthernet:
		first = layers.LayerTypeEthernet
	case layers.LinkTypeLinuxSLL:
		first = layers.LayerTypeLinuxSLL
	case layers.LinkTypeLinuxSLL2:
		first = layers.LayerTypeLinuxSLL2
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		first = layers.LayerTypeLoopback
	case layers.LinkTypeRaw, layers.LinkTypeIPv4, layers.LinkTypeIPv6, 12: // 12: raw IP on some BSDs
		// Raw IP: the version nibble says which.
		if len(data) > 0 && data[0]>>4 == 6 {
			first = layers.LayerTypeIPv6
		} else {
			first = layers.LayerTypeIPv4
		}
		return d.parserFrom(first)
	default:
		return nil
	}
	if p := d.parsers[lt]; p != nil {
		return p
	}
	p := d.parserFrom(first)
	d.parsers[lt] = p
	return p
}

func (d *decoder) parserFrom(first gopacket.LayerType) *gopacket.DecodingLayerParser {
	key := layers.LinkType(0xfff0)
	if first == layers.LayerTypeIPv6 {
		key = 0xfff1
	}
	if first == layers.LayerTypeIPv4 || first == layers.LayerTypeIPv6 {
		if p := d.parsers[key]; p != nil {
			return p
		}
	}
	p := gopacket.NewDecodingLayerParser(first, &d.eth, &d.dot1q, &d.sll, &d.sll2, &d.loop, &d.ip4, &d.ip6, &d.tcp, &d.udp)
	p.IgnoreUnsupported = true
	if first == layers.LayerTypeIPv4 || first == layers.LayerTypeIPv6 {
		d.parsers[key] = p
	}
	return p
}

// packet handles one packet.
func (d *decoder) packet(lt layers.LinkType, data []byte, ci gopacket.CaptureInfo) outcome {
	p := d.parser(lt, data)
	if p == nil {
		return unknownLink
	}
	d.decoded = d.decoded[:0]
	if err := p.DecodeLayers(data, &d.decoded); err != nil {
		// A truncated or malformed layer: what decoded before it is used.
		_ = err
	}
	var src, dst netip.Addr
	var proto uint8
	var sport, dport uint16
	var payload []byte
	var tcp *layers.TCP
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeIPv4:
			src, _ = netip.AddrFromSlice(d.ip4.SrcIP)
			dst, _ = netip.AddrFromSlice(d.ip4.DstIP)
		case layers.LayerTypeIPv6:
			src, _ = netip.AddrFromSlice(d.ip6.SrcIP)
			dst, _ = netip.AddrFromSlice(d.ip6.DstIP)
		case layers.LayerTypeTCP:
			proto, sport, dport, payload, tcp = 6, uint16(d.tcp.SrcPort), uint16(d.tcp.DstPort), d.tcp.Payload, &d.tcp
		case layers.LayerTypeUDP:
			proto, sport, dport, payload = 17, uint16(d.udp.SrcPort), uint16(d.udp.DstPort), d.udp.Payload
		}
	}
	if proto == 0 || !src.IsValid() || !dst.IsValid() {
		return notIP
	}
	src, dst = src.Unmap(), dst.Unmap()
	t := ci.Timestamp
	if !t.IsZero() && t.After(d.now) {
		d.now = t
	}
	if sport == 53 || dport == 53 {
		d.dnsPayload(src, dst, sport, payload, proto == 6, t)
	}
	d.track(netip.AddrPortFrom(src, sport), netip.AddrPortFrom(dst, dport), proto, tcp, payload, int64(ci.Length), t)
	return decodedIP
}

// dnsPayload reads a DNS message; over TCP only one whose length prefix
// says it is whole in this segment.
func (d *decoder) dnsPayload(src, dst netip.Addr, sport uint16, b []byte, overTCP bool, t time.Time) {
	if overTCP {
		if len(b) < 2 || int(b[0])<<8|int(b[1]) != len(b)-2 {
			return
		}
		b = b[2:]
	}
	m, ok := netflow.DecodeDNS(&d.dns, b)
	if !ok {
		return
	}
	client, resolver := src, dst
	if m.Response || sport == 53 {
		client, resolver = dst, src
	}
	via := "udp"
	if overTCP {
		via = "tcp"
	}
	for _, q := range m.Questions {
		d.agg.DNS(netflow.DNSEvent{Time: t, RawTime: rawTime(t), Client: client, Resolver: resolver, Name: q.Name, Type: q.Type,
			Answers: m.Answers, RCode: m.RCode, Response: m.Response, Via: via, Source: d.source})
	}
}

func rawTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// flowKey names a connection whatever the direction of a packet.
type flowKey struct {
	lo, hi netip.AddrPort
	proto  uint8
}

func keyOf(a, b netip.AddrPort, proto uint8) flowKey {
	if a.Compare(b) > 0 {
		a, b = b, a
	}
	return flowKey{lo: a, hi: b, proto: proto}
}

// flow is one followed connection. Counts build up until they are handed
// to the aggregator, once the connection is named (its ClientHello or
// HTTP request read) and again when it is handed over for good.
type flow struct {
	client, server netip.AddrPort
	proto          uint8
	started        bool // the handshake (or the first datagram) is in the capture
	counted        bool // handed to the aggregator as a new connection
	decided        bool // its name is settled
	host, hostFrom string
	app            string
	first, last    time.Time // of the counts not yet handed over
	seen           time.Time // the latest packet, for eviction
	packets, bytes int64
	clientPackets  int
	hello          []byte // the client's first bytes while a ClientHello arrives
	helloNext      uint32 // the sequence number the next hello segment must have
	urls           []string
	userAgent      string
	ja3            string // the ClientHello's JA3 fingerprint
	finClient      bool
	finServer      bool
}

// wellKnown ports are servers' side of a connection.
func wellKnown(p uint16) bool {
	switch p {
	case 443, 853, 5223, 5228, 5222, 8080, 8443, 4244, 5242, 3478, 3479, 1194, 51820, 5349:
		return true
	}
	return p < 1024
}

// isClient says whether a (sending to b) is the connection's client when
// the handshake is not in the capture: the phone's side is the private
// one, else the one on the higher port.
func isClient(a, b netip.AddrPort) bool {
	ar, br := network.Routable(a.Addr()), network.Routable(b.Addr())
	if ar != br {
		return !ar
	}
	switch {
	case wellKnown(b.Port()) && !wellKnown(a.Port()):
		return true
	case wellKnown(a.Port()) && !wellKnown(b.Port()):
		return false
	}
	return a.Port() >= b.Port()
}

func (d *decoder) track(src, dst netip.AddrPort, proto uint8, tcp *layers.TCP, payload []byte, size int64, t time.Time) {
	if !network.Routable(src.Addr()) && !network.Routable(dst.Addr()) {
		return // the phone's own network (router, printers, multicast): not its traffic to the internet
	}
	k := keyOf(src, dst, proto)
	f := d.flows[k]
	if f == nil {
		if tcp != nil && !tcp.SYN && len(payload) == 0 {
			return // a lone ACK or FIN of a connection that was not followed
		}
		if len(d.flows) >= maxFlows {
			d.evict()
		}
		f = &flow{proto: proto}
		switch {
		case tcp != nil && tcp.SYN && !tcp.ACK:
			f.client, f.server, f.started = src, dst, true
		case tcp != nil && tcp.SYN && tcp.ACK:
			f.client, f.server, f.started = dst, src, true
		case isClient(src, dst):
			f.client, f.server = src, dst
		default:
			f.client, f.server = dst, src
		}
		if proto == 17 {
			f.started, f.decided = true, true
			switch f.server.Port() {
			case 443:
				f.app = "quic"
			case 53:
				f.app = "dns"
			case 123:
				f.app = "ntp"
			case 853:
				f.app = "doq"
			}
		}
		d.flows[k] = f
	}
	if !t.IsZero() {
		if f.first.IsZero() || t.Before(f.first) {
			f.first = t
		}
		if t.After(f.last) {
			f.last = t
		}
		if t.After(f.seen) {
			f.seen = t
		}
	}
	f.packets++
	f.bytes += size
	fromClient := src == f.client
	if tcp != nil {
		if tcp.RST {
			d.handOver(k, f)
			return
		}
		if tcp.FIN {
			if fromClient {
				f.finClient = true
			} else {
				f.finServer = true
			}
		}
		if fromClient && len(payload) > 0 {
			d.clientBytes(f, tcp.Seq, payload)
		}
		if fromClient {
			f.clientPackets++
			if !f.decided && f.clientPackets >= decideAfter {
				d.decide(f, "", "")
			}
		}
		if f.finClient && f.finServer {
			d.handOver(k, f)
		}
	}
}

// clientBytes reads what the client sends first: a ClientHello (joined
// from consecutive segments) or an HTTP request.
func (d *decoder) clientBytes(f *flow, seq uint32, payload []byte) {
	if isHTTPRequest(payload) {
		req, ok := parseHTTPRequest(payload, f.server.Port())
		if ok {
			if !f.decided {
				d.decide(f, req.host, "http")
				f.app = "http"
			}
			if req.url != "" && len(f.urls) < 16 {
				f.urls = append(f.urls, req.url)
			}
			if f.userAgent == "" {
				f.userAgent = req.userAgent
			}
		}
		return
	}
	if f.decided {
		return
	}
	if f.hello == nil {
		if len(payload) < 2 || payload[0] != 0x16 || payload[1] != 3 || d.pending >= maxPendingHellos {
			d.decide(f, "", "")
			return
		}
		d.pending++
		f.hello = make([]byte, 0, min(len(payload)*2, maxHello))
	} else if seq != f.helloNext {
		return // out of order or repeated: wait for the next segment in sequence
	}
	if len(f.hello)+len(payload) > maxHello {
		d.decide(f, "", "")
		return
	}
	f.hello = append(f.hello, payload...)
	f.helloNext = seq + uint32(len(payload))
	switch h, st := parseClientHello(f.hello); st {
	case helloDone:
		f.app, f.ja3 = "tls", h.ja3
		d.decide(f, h.sni, "tls")
	case helloNot:
		d.decide(f, "", "")
	}
}

// decide settles a connection's name and hands its counts so far over.
func (d *decoder) decide(f *flow, host, from string) {
	if f.hello != nil {
		d.pending--
		f.hello = nil
	}
	f.decided = true
	if host != "" {
		f.host, f.hostFrom = host, from
	}
	d.push(f)
}

// push hands a connection's counts since the last push to the aggregator.
func (d *decoder) push(f *flow) {
	if !f.decided {
		return
	}
	proto := "tcp"
	if f.proto == 17 {
		proto = "udp"
	}
	e := netflow.ConnEvent{Time: f.first, End: f.last, RawTime: rawTime(f.first), Client: f.client.Addr(), IP: f.server.Addr(),
		Port: f.server.Port(), Proto: proto, Host: f.host, HostFrom: f.hostFrom, App: f.app,
		NewConn: !f.counted && f.started, Started: f.started, Packets: f.packets, Bytes: f.bytes, UserAgent: f.userAgent, JA3: f.ja3, Source: d.source}
	if len(f.urls) > 0 {
		e.URL = f.urls[0]
	}
	d.agg.Conn(e)
	for _, u := range f.urls[min(1, len(f.urls)):] {
		d.agg.Conn(netflow.ConnEvent{Time: f.first, Client: f.client.Addr(), IP: f.server.Addr(), Port: f.server.Port(), Proto: proto,
			Host: f.host, HostFrom: f.hostFrom, App: f.app, URL: u, Source: d.source})
	}
	f.counted = true
	f.packets, f.bytes, f.urls = 0, 0, f.urls[:0]
	f.first, f.last = time.Time{}, time.Time{}
}

// handOver pushes a finished connection and forgets it.
func (d *decoder) handOver(k flowKey, f *flow) {
	if !f.decided {
		d.decide(f, "", "")
	} else {
		d.push(f)
	}
	delete(d.flows, k)
}

// evict makes room in the table: quiet connections first, all of them if
// that is not enough.
func (d *decoder) evict() {
	for k, f := range d.flows {
		if !d.now.IsZero() && f.seen.Before(d.now.Add(-idleFlow)) {
			d.handOver(k, f)
		}
	}
	if len(d.flows) >= maxFlows*9/10 {
		for k, f := range d.flows {
			d.handOver(k, f)
		}
	}
}

// finish hands every connection still followed to the aggregator.
func (d *decoder) finish() {
	for k, f := range d.flows {
		d.handOver(k, f)
	}
}

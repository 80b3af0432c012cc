package samplegen

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sort"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// A packet of a generated capture.
type packet struct {
	at   time.Time
	data []byte
}

// Packetizer builds the packets of a phone's traffic (Ethernet, IPv4 or
// IPv6, TCP or UDP) with gopacket's serializer. The benchmark uses it to
// write captures of any size.
type Packetizer struct {
	buf  gopacket.SerializeBuffer
	opts gopacket.SerializeOptions
	rng  *rand.Rand
	out  []packet
	raw  bool // no Ethernet header (LINKTYPE_RAW, as PCAPdroid writes)
}

// NewPacketizer starts an empty list of packets: raw IP packets (written
// as a classic pcap) or Ethernet frames (written as pcapng).
func NewPacketizer(seed int64, raw bool) *Packetizer {
	return &Packetizer{buf: gopacket.NewSerializeBuffer(), opts: gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		rng: newGen(seed, 22).r, raw: raw}
}

func (p *Packetizer) emit(at time.Time, ls ...gopacket.SerializableLayer) {
	if !p.raw {
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr(netPhoneMAC), DstMAC: net.HardwareAddr(netGateMAC), EthernetType: layers.EthernetTypeIPv4}
		if ip6, ok := ls[0].(*layers.IPv6); ok {
			eth.EthernetType = layers.EthernetTypeIPv6
			_ = ip6
		}
		ls = append([]gopacket.SerializableLayer{eth}, ls...)
	}
	if err := gopacket.SerializeLayers(p.buf, p.opts, ls...); err != nil {
		panic(err) // the layers are built here: an error is a bug of this file
	}
	p.out = append(p.out, packet{at: at, data: append([]byte(nil), p.buf.Bytes()...)})
}

func ipLayer(src, dst netip.Addr, proto layers.IPProtocol) gopacket.NetworkLayer {
	if src.Is6() {
		return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
	}
	return &layers.IPv4{Version: 4, TTL: 64, Protocol: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice(), Flags: layers.IPv4DontFragment}
}

// UDP adds one datagram.
func (p *Packetizer) UDP(at time.Time, src, dst netip.AddrPort, payload []byte) {
	ip := ipLayer(src.Addr(), dst.Addr(), layers.IPProtocolUDP)
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	udp.SetNetworkLayerForChecksum(ip)
	p.emit(at, ip.(gopacket.SerializableLayer), udp, gopacket.Payload(payload))
}

type tcpFlags struct{ syn, ack, fin, psh bool }

func (p *Packetizer) tcp(at time.Time, src, dst netip.AddrPort, seq, ack uint32, f tcpFlags, payload []byte) {
	ip := ipLayer(src.Addr(), dst.Addr(), layers.IPProtocolTCP)
	t := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()), Seq: seq, Ack: ack,
		SYN: f.syn, ACK: f.ack, FIN: f.fin, PSH: f.psh, Window: 65535}
	t.SetNetworkLayerForChecksum(ip)
	p.emit(at, ip.(gopacket.SerializableLayer), t, gopacket.Payload(payload))
}

// TCPSession adds a whole TCP connection: the handshake (unless
// midstream), the client's first bytes in segments of at most 1400
// bytes, the server's reply and bulk data packets, and the close.
func (p *Packetizer) TCPSession(at time.Time, client, server netip.AddrPort, first []byte, bulk, bulkSize int, midstream bool) time.Time {
	cs, ss := p.rng.Uint32(), p.rng.Uint32()
	step := func(d time.Duration) time.Time { at = at.Add(d); return at }
	if !midstream {
		p.tcp(at, client, server, cs, 0, tcpFlags{syn: true}, nil)
		p.tcp(step(12*time.Millisecond), server, client, ss, cs+1, tcpFlags{syn: true, ack: true}, nil)
		cs, ss = cs+1, ss+1
		p.tcp(step(time.Millisecond), client, server, cs, ss, tcpFlags{ack: true}, nil)
	}
	for len(first) > 0 {
		n := min(len(first), 1400)
		p.tcp(step(time.Millisecond), client, server, cs, ss, tcpFlags{ack: true, psh: true}, first[:n])
		cs += uint32(n)
		first = first[n:]
	}
	chunk := make([]byte, bulkSize)
	for i := 0; i < bulk; i++ {
		fillAppData(chunk, p.rng)
		p.tcp(step(3*time.Millisecond), server, client, ss, cs, tcpFlags{ack: true, psh: i == bulk-1}, chunk)
		ss += uint32(len(chunk))
	}
	p.tcp(step(40*time.Millisecond), client, server, cs, ss, tcpFlags{ack: true, fin: true}, nil)
	p.tcp(step(10*time.Millisecond), server, client, ss, cs+1, tcpFlags{ack: true, fin: true}, nil)
	p.tcp(step(time.Millisecond), client, server, cs+1, ss+1, tcpFlags{ack: true}, nil)
	return at
}

// fillAppData writes a TLS application-data record's look: header and
// random bytes.
func fillAppData(b []byte, r *rand.Rand) {
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	if len(b) >= 5 {
		b[0], b[1], b[2] = 0x17, 3, 3
		binary.BigEndian.PutUint16(b[3:], uint16(len(b)-5))
	}
}

// DNS adds a query and its answer between the phone and its router.
func (p *Packetizer) DNS(at time.Time, client netip.AddrPort, resolver netip.Addr, name, qtype string, answers []netip.Addr) {
	typ := layers.DNSTypeA
	if qtype == "AAAA" {
		typ = layers.DNSTypeAAAA
	}
	id := uint16(p.rng.Uint32())
	q := layers.DNSQuestion{Name: []byte(name), Type: typ, Class: layers.DNSClassIN}
	query := &layers.DNS{ID: id, RD: true, QDCount: 1, Questions: []layers.DNSQuestion{q}}
	resp := &layers.DNS{ID: id, QR: true, RD: true, RA: true, QDCount: 1, Questions: []layers.DNSQuestion{q}}
	for _, a := range answers {
		rr := layers.DNSResourceRecord{Name: []byte(name), Type: typ, Class: layers.DNSClassIN, TTL: 300, IP: a.AsSlice()}
		resp.Answers = append(resp.Answers, rr)
	}
	resp.ANCount = uint16(len(resp.Answers))
	server := netip.AddrPortFrom(resolver, 53)
	p.UDP(at, client, server, dnsWire(query))
	p.UDP(at.Add(8*time.Millisecond), server, client, dnsWire(resp))
}

func dnsWire(d *layers.DNS) []byte {
	b := gopacket.NewSerializeBuffer()
	if err := d.SerializeTo(b, gopacket.SerializeOptions{FixLengths: true}); err != nil {
		panic(err)
	}
	return append([]byte(nil), b.Bytes()...)
}

// ClientHello builds a TLS 1.3 ClientHello record naming sni; big adds a
// post-quantum key share, which makes it longer than one TCP segment as
// current browsers' are.
func ClientHello(sni string, big bool, r *rand.Rand) []byte {
	var ext []byte
	addExt := func(typ uint16, data []byte) {
		ext = binary.BigEndian.AppendUint16(ext, typ)
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(data)))
		ext = append(ext, data...)
	}
	if sni != "" {
		var sn []byte
		sn = binary.BigEndian.AppendUint16(sn, uint16(len(sni)+3))
		sn = append(sn, 0)
		sn = binary.BigEndian.AppendUint16(sn, uint16(len(sni)))
		sn = append(sn, sni...)
		addExt(0, sn)
	}
	addExt(10, []byte{0, 4, 0x11, 0xec, 0, 0x1d})                                     // supported groups
	addExt(43, []byte{4, 3, 4, 3, 3})                                                 // supported versions: TLS 1.3, 1.2
	addExt(16, []byte{0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'}) // ALPN
	share := []byte{0, 0x1d, 0, 32}
	share = append(share, randBytes(r, 32)...)
	if big {
		share = append(share, 0x11, 0xec, 0x04, 0xc0)
		share = append(share, randBytes(r, 1216)...)
	}
	addExt(51, append(binary.BigEndian.AppendUint16(nil, uint16(len(share))), share...))
	var body []byte
	body = append(body, 3, 3)
	body = append(body, randBytes(r, 32)...)
	body = append(body, 32)
	body = append(body, randBytes(r, 32)...)
	body = append(body, 0, 6, 0x13, 1, 0x13, 2, 0x13, 3) // cipher suites
	body = append(body, 1, 0)                            // compression: none
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	hs := []byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	hs = append(hs, body...)
	rec := []byte{0x16, 3, 1}
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(hs)))
	return append(rec, hs...)
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// packets renders the traffic.
func (t *Traffic) packets(raw bool, seed int64) []packet {
	p := NewPacketizer(seed, raw)
	dnsPort := uint16(53000)
	for _, l := range t.Lookups {
		dnsPort++
		client := netip.AddrPortFrom(netPhone, dnsPort)
		p.DNS(l.at, client, netRouter, l.name, l.qtype, l.answers)
	}
	for _, c := range t.Connections {
		phone := netPhone
		if c.ip.Is6() {
			phone = netPhone6
		}
		client := netip.AddrPortFrom(phone, c.srcPort)
		server := netip.AddrPortFrom(c.ip, c.port)
		switch {
		case c.proto == "udp":
			first := randBytes(p.rng, 1200)
			if c.app == "ntp" {
				first = make([]byte, 48)
				first[0] = 0x23
			} else {
				first[0] = 0xc3
			}
			p.UDP(c.at, client, server, first)
			for i := 0; i < c.bulk; i++ {
				p.UDP(c.at.Add(time.Duration(20+i)*time.Millisecond), server, client, randBytes(p.rng, 1200))
			}
		case c.http != "":
			req := "GET " + c.path + " HTTP/1.1\r\nHost: " + c.http + "\r\nUser-Agent: CaptiveNetworkSupport-481 wispr\r\nAccept: */*\r\n\r\n"
			p.TCPSession(c.at, client, server, []byte(req), c.bulk, 400, false)
		case c.app == "midstream":
			p.TCPSession(c.at, client, server, randBytes(p.rng, 90), c.bulk, 200, true)
		default:
			var first []byte
			if c.sni != "" {
				first = ClientHello(c.sni, c.bigShow, p.rng)
			} else {
				first = ClientHello("", false, p.rng)
			}
			p.TCPSession(c.at, client, server, first, c.bulk, 1400, false)
		}
	}
	sort.SliceStable(p.out, func(i, j int) bool { return p.out[i].at.Before(p.out[j].at) })
	return p.out
}

// Write writes the packets built so far, in time order: a classic pcap
// of raw IP packets or a pcapng of Ethernet frames.
func (p *Packetizer) Write(w io.Writer) error {
	sort.SliceStable(p.out, func(i, j int) bool { return p.out[i].at.Before(p.out[j].at) })
	if p.raw {
		return writePcap(w, p.out)
	}
	return writePcapNG(w, p.out)
}

func writePcapNG(w io.Writer, pks []packet) error {
	ng, err := NewPcapNG(w)
	if err != nil {
		return err
	}
	for _, pk := range pks {
		if err := ng.WritePacket(gopacket.CaptureInfo{Timestamp: pk.at, CaptureLength: len(pk.data), Length: len(pk.data)}, pk.data); err != nil {
			return err
		}
	}
	return ng.Flush()
}

func writePcap(w io.Writer, pks []packet) error {
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeRaw); err != nil {
		return err
	}
	for _, pk := range pks {
		if err := pw.WritePacket(gopacket.CaptureInfo{Timestamp: pk.at, CaptureLength: len(pk.data), Length: len(pk.data)}, pk.data); err != nil {
			return err
		}
	}
	return nil
}

// WritePcapNG writes the traffic as a pcapng capture of the phone's Wi-Fi
// (Ethernet frames), as tcpdump and PiRogue take it.
func (t *Traffic) WritePcapNG(w io.Writer, seed int64) error {
	return writePcapNG(w, t.packets(false, seed))
}

// NewPcapNG starts a pcapng file with one Ethernet interface and a fixed
// section header, so the same packets give the same bytes.
func NewPcapNG(w io.Writer) (*pcapgo.NgWriter, error) {
	return pcapgo.NewNgWriterInterface(w, pcapgo.NgInterface{Name: "wlan0", LinkType: layers.LinkTypeEthernet, SnapLength: 262144,
		TimestampResolution: 9}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "huella samplegen"}})
}

// WritePcap writes the traffic as a classic pcap of raw IP packets (no
// link header), as Android capture apps write it.
func (t *Traffic) WritePcap(w io.Writer, seed int64) error {
	return writePcap(w, t.packets(true, seed))
}

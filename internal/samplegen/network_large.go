package samplegen

import (
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
)

// countWriter counts what passes through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// LargeBlock is how long one block of WriteLargeCapture's traffic lasts.
const LargeBlock = 31 * time.Minute

// WriteLargeCapture writes a pcapng of at least size bytes for the memory
// benchmark: the phone's ordinary half hour (PhoneTraffic) again and
// again, one block after the other in time, each with video downloads
// that make it about 4.5 MB and servers of its own (so the number of
// distinct endpoints grows with the file, as a phone's day of browsing
// does; 20 per block is ordinary, thousands the worst case of a scan),
// the planted traces in the first block when plant is set. It streams:
// one block of packets is held at a time. It returns the bytes written
// and the number of blocks.
func WriteLargeCapture(w io.Writer, size, seed int64, servers int, plant bool) (int64, int, error) {
	cw := &countWriter{w: w}
	ng, err := NewPcapNG(cw)
	if err != nil {
		return 0, 0, err
	}
	blocks := 0
	for i := int64(0); cw.n < size; i++ {
		t := PhoneTraffic(seed+i, plant && i == 0)
		t.shift(time.Duration(i) * LargeBlock)
		for j := range t.Connections {
			if t.Connections[j].app == "" && t.Connections[j].sni != "" && j%3 == 0 {
				t.Connections[j].bulk *= 40 // a video or an app update
			}
		}
		t.addServers(int(i), servers)
		for _, pk := range t.packets(false, seed+i) {
			if err := ng.WritePacket(gopacket.CaptureInfo{Timestamp: pk.at, CaptureLength: len(pk.data), Length: len(pk.data)}, pk.data); err != nil {
				return cw.n, blocks, err
			}
		}
		if err := ng.Flush(); err != nil {
			return cw.n, blocks, err
		}
		blocks++
	}
	return cw.n, blocks, nil
}

// shift moves the whole traffic later by d.
func (t *Traffic) shift(d time.Duration) {
	for i := range t.Lookups {
		t.Lookups[i].at = t.Lookups[i].at.Add(d)
	}
	for i := range t.Connections {
		t.Connections[i].at = t.Connections[i].at.Add(d)
	}
	for i := range t.Alerts {
		t.Alerts[i].at = t.Alerts[i].at.Add(d)
	}
	t.End = t.End.Add(d)
}

// addServers adds n servers only block i uses, each looked up and then
// reached over TLS: content-network names with addresses in a large
// provider's range, as a phone's browsing spreads over many of them.
func (t *Traffic) addServers(i, n int) {
	start := t.Lookups[0].at
	for j := 0; j < n; j++ {
		k := i*n + j
		name := fmt.Sprintf("r%d---sn-%06x.googlevideo.com", k%20, k)
		ip := netip.AddrFrom4([4]byte{173, byte(192 + k>>16&3), byte(k >> 8), byte(k)})
		at := start.Add(time.Duration(j) * (28 * time.Minute) / time.Duration(n))
		t.Lookups = append(t.Lookups, lookup{at: at, name: name, qtype: "A", answers: []netip.Addr{ip}})
		t.Connections = append(t.Connections, connection{at: at.Add(30 * time.Millisecond), ip: ip, port: 443, proto: "tcp",
			sni: name, bulk: 1, srcPort: uint16(40000 + j%20000)})
	}
}

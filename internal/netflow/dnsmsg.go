package netflow

import (
	"strconv"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// DNSMessage is what huella keeps of one DNS message in wire format.
type DNSMessage struct {
	Response  bool
	RCode     string
	Questions []DNSQuestion
	Answers   []string // addresses and names (CNAME, HTTPS/SVCB targets are not decoded)
}

// DNSQuestion is one name asked for.
type DNSQuestion struct{ Name, Type string }

// maxDNSItems bounds the questions and answers kept from one message: a
// real one has one question and a few answers.
const maxDNSItems = 64

// DecodeDNS reads a DNS message (a UDP payload, a TCP message without its
// length, AdGuard Home's stored answer) with gopacket's decoder; d is reused
// between calls to spare allocations. ok is false for anything that is not
// a DNS message.
func DecodeDNS(d *layers.DNS, b []byte) (DNSMessage, bool) {
	var m DNSMessage
	if d.DecodeFromBytes(b, gopacket.NilDecodeFeedback) != nil || d.OpCode != layers.DNSOpCodeQuery {
		return m, false
	}
	m.Response = d.QR
	if m.Response {
		m.RCode = RCode(int(d.ResponseCode))
	}
	for i, q := range d.Questions {
		if i >= maxDNSItems {
			break
		}
		m.Questions = append(m.Questions, DNSQuestion{Name: string(q.Name), Type: DNSType(int(q.Type))})
	}
	for i, a := range d.Answers {
		if i >= maxDNSItems {
			break
		}
		switch a.Type {
		case layers.DNSTypeA, layers.DNSTypeAAAA:
			if a.IP != nil {
				m.Answers = append(m.Answers, a.IP.String())
			}
		case layers.DNSTypeCNAME:
			m.Answers = append(m.Answers, string(a.CNAME))
		}
	}
	return m, len(m.Questions) > 0
}

var rcodes = map[int]string{0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

// RCode names a DNS result code as resolvers log it.
func RCode(c int) string {
	if s, ok := rcodes[c]; ok {
		return s
	}
	return "RCODE" + strconv.Itoa(c)
}

var dnsTypes = map[int]string{1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA",
	33: "SRV", 35: "NAPTR", 43: "DS", 48: "DNSKEY", 64: "SVCB", 65: "HTTPS", 255: "ANY"}

// DNSType names a DNS record type as resolvers log it ("TYPE99" for the
// rest, as RFC 3597 writes them).
func DNSType(t int) string {
	if s, ok := dnsTypes[t]; ok {
		return s
	}
	return "TYPE" + strconv.Itoa(t)
}

package netflow

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/network"
	"github.com/huella-project/huella/internal/model"
)

// Connection is everything seen between the phone and one remote endpoint
// under one name: the record of a connection key.
type Connection struct {
	Host        string    `json:"host,omitempty"`      // server name the phone sent
	HostFrom    string    `json:"host_from,omitempty"` // tls, http, quic
	DNSName     string    `json:"dns_name,omitempty"`  // a name a DNS answer in the same traffic gave this address
	IP          string    `json:"ip"`
	Port        uint16    `json:"port"`
	Proto       string    `json:"proto"`
	App         string    `json:"app,omitempty"`
	First       time.Time `json:"first_seen,omitzero"`
	Last        time.Time `json:"last_seen,omitzero"`
	Connections int64     `json:"connections"`
	Packets     int64     `json:"packets,omitempty"`
	Bytes       int64     `json:"bytes,omitempty"`
	URLs        []string  `json:"urls,omitempty"`
	MoreURLs    int64     `json:"more_urls,omitempty"`
	UserAgents  []string  `json:"user_agents,omitempty"`
	CertSHA1    []string  `json:"cert_sha1,omitempty"`
	CertSHA256  []string  `json:"cert_sha256,omitempty"`
	// TLS fingerprints as the capture computed them or Suricata or Zeek
	// logged them: JA3 is matched (MISP's ja3-fingerprint-md5); JA3S and
	// JA4, which no feed format carries, are kept for the analyst.
	JA3     []string `json:"ja3,omitempty"`
	JA3S    []string `json:"ja3s,omitempty"`
	JA4     []string `json:"ja4,omitempty"`
	Clients []string `json:"clients,omitempty"` // the phone's addresses
	Sources []string `json:"sources,omitempty"` // files it was read from
}

// Lookup is one DNS name and type the phone asked for.
type Lookup struct {
	Name        string    `json:"name"`
	Type        string    `json:"type,omitempty"`
	First       time.Time `json:"first_seen,omitzero"`
	Last        time.Time `json:"last_seen,omitzero"`
	Count       int64     `json:"lookups"`
	Answers     []string  `json:"answers,omitempty"`
	MoreAnswers int64     `json:"more_answers,omitempty"`
	RCode       string    `json:"rcode,omitempty"`
	Blocked     bool      `json:"blocked,omitempty"`
	Via         []string  `json:"via,omitempty"`
	Resolvers   []string  `json:"resolvers,omitempty"`
	Clients     []string  `json:"clients,omitempty"`
	Sources     []string  `json:"sources,omitempty"`
}

// Alert is one Suricata signature matched between two endpoints.
type Alert struct {
	SID       int64     `json:"sid"`
	Signature string    `json:"signature"`
	Category  string    `json:"category,omitempty"`
	Priority  int       `json:"priority,omitempty"`
	Src       string    `json:"src,omitempty"`
	Dst       string    `json:"dest,omitempty"`
	DstPort   uint16    `json:"dest_port,omitempty"`
	Proto     string    `json:"proto,omitempty"`
	First     time.Time `json:"first_seen,omitzero"`
	Last      time.Time `json:"last_seen,omitzero"`
	Count     int64     `json:"alerts"`
	Actions   []string  `json:"actions,omitempty"`
	Sources   []string  `json:"sources,omitempty"`
}

// Timeline descriptions of the records' stamps.
const (
	DescConnFirst  = "connection_first"
	DescConnLast   = "connection_last"
	DescDNSFirst   = "dns_lookup_first"
	DescDNSLast    = "dns_lookup_last"
	DescAlertFirst = "alert_first"
	DescAlertLast  = "alert_last"
)

// hostFromWords are how a summary says where a host name came from
// (translated by the report's summaries.yaml).
var hostFromWords = map[string]string{"tls": "TLS server name", "http": "HTTP host", "quic": "QUIC server name"}

// lastApart is how long after the first time the last must be to be a
// timeline event of its own. A lookup's answer a few milliseconds after
// its query, or a connection of a few seconds, is one moment for the
// reader; a second event each would double the timeline (and the report
// that embeds it) for nothing. The record keeps both times.
const lastApart = time.Minute

func stamps(r *model.Record, first, last time.Time, descFirst, descLast string) {
	r.Stamp(first, descFirst)
	if last.Sub(first) >= lastApart || first.IsZero() && !last.IsZero() {
		r.Stamp(last, descLast)
	}
}

func firstSource(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

func (c *Connection) record() *model.Record {
	r := &model.Record{Source: firstSource(c.Sources), Data: c}
	var b strings.Builder
	fmt.Fprintf(&b, "Connection to %s port %d/%s", c.dest(), c.Port, strings.ToUpper(c.Proto))
	if c.Host != "" {
		how := hostFromWords[c.HostFrom]
		if how == "" {
			how = "server name"
		}
		fmt.Fprintf(&b, " named %s (%s)", c.Host, how)
	}
	if c.DNSName != "" {
		fmt.Fprintf(&b, ", DNS name %s", c.DNSName)
	}
	switch {
	case c.Connections > 0:
		fmt.Fprintf(&b, ", connections: %d", c.Connections)
	case c.Packets > 0:
		fmt.Fprintf(&b, ", packets: %d", c.Packets)
	}
	r.Summary = b.String()
	stamps(r, c.First, c.Last, DescConnFirst, DescConnLast)
	r.Add(model.KindDomain, c.Host, "host")
	r.Add(model.KindDomain, c.DNSName, "dns_name")
	r.Add(model.KindIP, c.IP, "ip")
	for _, u := range c.URLs {
		r.Add(model.KindURL, u, "url")
	}
	for _, h := range c.CertSHA1 {
		r.Add(model.KindTLSCertSHA1, h, "cert_sha1")
	}
	for _, h := range c.CertSHA256 {
		r.Add(model.KindTLSCertSHA256, h, "cert_sha256")
	}
	for _, h := range c.JA3 {
		// An MD5 in hex, or a log's garbage that no indicator can be.
		if h = strings.ToLower(h); len(h) == 32 && strings.Trim(h, "0123456789abcdef") == "" {
			r.Add(model.KindJA3, h, "ja3")
		}
	}
	return r
}

func (l *Lookup) record() *model.Record {
	r := &model.Record{Source: firstSource(l.Sources), Data: l}
	var b strings.Builder
	b.WriteString("DNS lookup of ")
	b.WriteString(l.Name)
	if l.Type != "" {
		fmt.Fprintf(&b, " (%s)", l.Type)
	}
	if len(l.Answers) > 0 {
		b.WriteString(", answers: ")
		b.WriteString(strings.Join(l.Answers, ", "))
		if l.MoreAnswers > 0 {
			fmt.Fprintf(&b, " (+%d)", l.MoreAnswers)
		}
	}
	if l.RCode != "" && l.RCode != "NOERROR" {
		fmt.Fprintf(&b, ", result %s", l.RCode)
	}
	if l.Blocked {
		b.WriteString(", blocked by the resolver")
	}
	fmt.Fprintf(&b, ", lookups: %d", l.Count)
	r.Summary = b.String()
	stamps(r, l.First, l.Last, DescDNSFirst, DescDNSLast)
	r.Add(model.KindDomain, l.Name, "name")
	for _, a := range l.Answers {
		if _, err := netip.ParseAddr(a); err == nil {
			r.Add(model.KindIP, a, "answer")
		} else {
			r.Add(model.KindDomain, a, "answer")
		}
	}
	return r
}

func (al *Alert) record() *model.Record {
	r := &model.Record{Source: firstSource(al.Sources), Data: al}
	var b strings.Builder
	fmt.Fprintf(&b, "Suricata alert %d: %s", al.SID, al.Signature)
	if al.Category != "" {
		fmt.Fprintf(&b, " (%s)", al.Category)
	}
	if al.Dst != "" {
		d := al.Dst
		if strings.IndexByte(d, ':') >= 0 {
			d = "[" + d + "]"
		}
		fmt.Fprintf(&b, ", to %s port %s", d, strconv.Itoa(int(al.DstPort)))
	}
	fmt.Fprintf(&b, ", alerts: %d", al.Count)
	r.Summary = b.String()
	stamps(r, al.First, al.Last, DescAlertFirst, DescAlertLast)
	for _, v := range []struct{ ip, field string }{{al.Dst, "dest"}, {al.Src, "src"}} {
		if a, err := netip.ParseAddr(v.ip); err == nil && network.Routable(a) {
			r.Add(model.KindIP, v.ip, v.field)
		}
	}
	return r
}

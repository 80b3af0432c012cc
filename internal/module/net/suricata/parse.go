package suricata

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/net/netfile"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/timestamp"
)

// event is the part of an eve.json line huella reads. Fields absent from a
// line stay zero.
type event struct {
	Timestamp string          `json:"timestamp"`
	FlowID    json.RawMessage `json:"flow_id"`
	EventType string          `json:"event_type"`
	SrcIP     string          `json:"src_ip"`
	SrcPort   int             `json:"src_port"`
	DestIP    string          `json:"dest_ip"`
	DestPort  int             `json:"dest_port"`
	Proto     string          `json:"proto"`
	AppProto  string          `json:"app_proto"`
	DNS       *struct {
		Version int    `json:"version"`
		Type    string `json:"type"`
		RRName  string `json:"rrname"`
		RRType  string `json:"rrtype"`
		RCode   string `json:"rcode"`
		Queries []struct {
			RRName string `json:"rrname"`
			RRType string `json:"rrtype"`
		} `json:"queries"`
		Answers json.RawMessage     `json:"answers"`
		Grouped map[string][]string `json:"grouped"`
	} `json:"dns"`
	TLS *struct {
		SNI         string `json:"sni"`
		Fingerprint string `json:"fingerprint"`
		JA3         *hash  `json:"ja3"`
		JA3S        *hash  `json:"ja3s"`
		JA4         string `json:"ja4"`
	} `json:"tls"`
	QUIC *struct {
		SNI string `json:"sni"`
		JA3 *hash  `json:"ja3"`
		JA4 string `json:"ja4"`
	} `json:"quic"`
	HTTP *struct {
		Hostname  string `json:"hostname"`
		URL       string `json:"url"`
		UserAgent string `json:"http_user_agent"`
		Port      int    `json:"http_port"`
	} `json:"http"`
	Flow *struct {
		PktsToServer  int64  `json:"pkts_toserver"`
		PktsToClient  int64  `json:"pkts_toclient"`
		BytesToServer int64  `json:"bytes_toserver"`
		BytesToClient int64  `json:"bytes_toclient"`
		Start         string `json:"start"`
		End           string `json:"end"`
	} `json:"flow"`
	TCP *struct {
		SYN bool `json:"syn"`
	} `json:"tcp"`
	Alert *struct {
		SID       int64  `json:"signature_id"`
		Signature string `json:"signature"`
		Category  string `json:"category"`
		Severity  int    `json:"severity"`
		Action    string `json:"action"`
	} `json:"alert"`
}

type hash struct {
	Hash string `json:"hash"`
}

func (h *hash) value() string {
	if h == nil {
		return ""
	}
	return h.Hash
}

// eveLog names what an eve.json holds in its warnings and gaps.
var eveLog = netfile.Log{Entries: "events", Lines: "lines", None: "none of its %d lines is an eve.json event", SaysLong: true}

// parse reads one eve.json, one traffic: its tls, http and quic events
// name its flows through their flow_id.
func parse(ctx context.Context, _ *module.Env, name string, r io.Reader, agg *netflow.Aggregator) (netfile.Tally, error) {
	join := netflow.NewJoiner(agg, netflow.DefaultJoinNames)
	defer join.Close()
	var t netfile.Tally
	var err error
	t.Long, err = netfile.Lines(ctx, r, func(line []byte) error {
		if len(line) == 0 {
			return nil
		}
		var e event
		if json.Unmarshal(line, &e) != nil {
			t.Bad++
			return nil
		}
		if handle(&e, name, agg, join) {
			t.Entries++
		}
		return nil
	})
	return t, err
}

// evetime reads eve's timestamps: "2024-02-20T03:14:00.050000+0000".
func evetime(v string) (time.Time, error) {
	return timestamp.ParseText(v, "2006-01-02T15:04:05.999999-0700", time.RFC3339Nano)
}

func port(p int) uint16 {
	if p < 0 || p > 65535 {
		return 0
	}
	return uint16(p)
}

// handle turns one event into observations; false when it holds none.
func handle(e *event, source string, agg *netflow.Aggregator, join *netflow.Joiner) bool {
	at, terr := evetime(e.Timestamp)
	src, dst := netfile.Addr(e.SrcIP), netfile.Addr(e.DestIP)
	proto := strings.ToLower(e.Proto)
	id := string(e.FlowID)
	base := netflow.ConnEvent{Time: at, TimeErr: terr, RawTime: e.Timestamp, Client: src, IP: dst, Port: port(e.DestPort), Proto: proto, Source: source}
	switch {
	case e.EventType == "alert" && e.Alert != nil:
		agg.Alert(netflow.AlertEvent{Time: at, TimeErr: terr, RawTime: e.Timestamp, Src: src, Dst: dst, SrcPort: port(e.SrcPort),
			DstPort: port(e.DestPort), Proto: proto, SID: e.Alert.SID, Signature: e.Alert.Signature, Category: e.Alert.Category,
			Priority: e.Alert.Severity, Action: e.Alert.Action, Source: source})
		return true
	case e.EventType == "dns" && e.DNS != nil:
		return dnsEvent(e, at, terr, src, dst, source, agg)
	case e.EventType == "tls" && e.TLS != nil:
		c := base
		c.Host, c.HostFrom, c.App = e.TLS.SNI, "tls", "tls"
		c.JA3, c.JA3S, c.JA4 = e.TLS.JA3.value(), e.TLS.JA3S.value(), e.TLS.JA4
		// eve's fingerprint is the SHA-1 of the server certificate, in
		// colon-separated hex.
		if fp := strings.ToLower(strings.ReplaceAll(e.TLS.Fingerprint, ":", "")); len(fp) == 40 {
			c.CertSHA1 = []string{fp}
		}
		join.Named(id, c)
		return true
	case e.EventType == "quic" && e.QUIC != nil:
		c := base
		c.Host, c.HostFrom, c.App, c.JA3, c.JA4 = e.QUIC.SNI, "quic", "quic", e.QUIC.JA3.value(), e.QUIC.JA4
		join.Named(id, c)
		return true
	case e.EventType == "http" && e.HTTP != nil:
		c := base
		c.Host, c.HostFrom, c.App, c.UserAgent = e.HTTP.Hostname, "http", "http", e.HTTP.UserAgent
		if strings.HasPrefix(e.HTTP.URL, "/") && e.HTTP.Hostname != "" {
			u := "http://" + e.HTTP.Hostname
			if p := port(e.DestPort); p != 80 && p != 0 {
				u += fmt.Sprintf(":%d", p)
			}
			c.URL = u + e.HTTP.URL
		} else if strings.HasPrefix(strings.ToLower(e.HTTP.URL), "http://") {
			c.URL = e.HTTP.URL
		}
		join.Named(id, c)
		return true
	case e.EventType == "flow" && e.Flow != nil:
		c := base
		c.App, c.NewConn = e.AppProto, true
		c.Packets = max(e.Flow.PktsToServer, 0) + max(e.Flow.PktsToClient, 0)
		c.Bytes = max(e.Flow.BytesToServer, 0) + max(e.Flow.BytesToClient, 0)
		if s, err := evetime(e.Flow.Start); err == nil && !s.IsZero() {
			c.Time, c.TimeErr, c.RawTime = s, nil, e.Flow.Start
		}
		if end, err := evetime(e.Flow.End); err == nil {
			c.End = end
		}
		// Suricata saw the connection begin when it logged its SYN; a
		// flow without TCP flags (UDP) is taken as whole.
		c.Started = proto != "tcp" || e.TCP == nil || e.TCP.SYN
		join.Totals(id, c)
		return true
	}
	return false
}

// dnsEvent reads a DNS event of eve's format 2 (one query or answer per
// event) or 3 (queries and answers in lists).
func dnsEvent(e *event, at time.Time, terr error, src, dst netip.Addr, source string, agg *netflow.Aggregator) bool {
	d := e.DNS
	response := d.Type == "answer" || d.Type == "response"
	client, resolver := src, dst
	if response {
		client, resolver = dst, src
	}
	type q struct{ name, typ string }
	var qs []q
	if d.RRName != "" {
		qs = append(qs, q{d.RRName, d.RRType})
	}
	for i, x := range d.Queries {
		if i >= 16 {
			break
		}
		qs = append(qs, q{x.RRName, x.RRType})
	}
	var answers []string
	var list []struct {
		RRName string `json:"rrname"`
		RRType string `json:"rrtype"`
		RData  string `json:"rdata"`
	}
	if len(d.Answers) > 0 && json.Unmarshal(d.Answers, &list) == nil {
		for i, a := range list {
			if i >= 64 {
				break
			}
			switch a.RRType {
			case "A", "AAAA", "CNAME":
				answers = append(answers, a.RData)
			}
		}
	}
	if len(answers) == 0 {
		for _, typ := range []string{"A", "AAAA", "CNAME"} {
			for i, v := range d.Grouped[typ] {
				if i >= 64 {
					break
				}
				answers = append(answers, v)
			}
		}
	}
	if len(qs) == 0 && len(list) > 0 {
		qs = append(qs, q{list[0].RRName, list[0].RRType})
	}
	for _, x := range qs {
		agg.DNS(netflow.DNSEvent{Time: at, TimeErr: terr, RawTime: e.Timestamp, Client: client, Resolver: resolver, Name: x.name, Type: x.typ,
			Answers: answers, RCode: d.RCode, Response: response, Via: strings.ToLower(e.Proto), Source: source})
	}
	return len(qs) > 0
}

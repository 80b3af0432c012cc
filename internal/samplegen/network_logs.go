package samplegen

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// The log formats of the same traffic. Each writer describes the traffic
// the way its tool does; none copies a tool's code.

func zeekTS(t time.Time) string { return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000) }

func evePort(p uint16) int { return int(p) }

func eveTS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000-0700") }

type zeekLog struct {
	path   string
	fields []string
	types  []string
	rows   [][]string
	at     []time.Time
}

func (z *zeekLog) add(at time.Time, vals ...string) {
	z.rows = append(z.rows, vals)
	z.at = append(z.at, at)
}

func (z *zeekLog) tsv(w io.Writer) error {
	fmt.Fprintf(w, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t%s\n#open\t%s\n", z.path, NetStart.Format("2006-01-02-15-04-05"))
	fmt.Fprintf(w, "#fields\t%s\n#types\t%s\n", strings.Join(z.fields, "\t"), strings.Join(z.types, "\t"))
	for _, r := range z.rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	_, err := fmt.Fprintf(w, "#close\t%s\n", NetStart.Add(30*time.Minute).Format("2006-01-02-15-04-05"))
	return err
}

func (z *zeekLog) json(w io.Writer) error {
	enc := json.NewEncoder(w)
	for i, r := range z.rows {
		obj := map[string]any{}
		for j, f := range z.fields {
			v := r[j]
			if v == "-" {
				continue
			}
			switch {
			case f == "ts":
				obj[f] = float64(z.at[i].UnixNano()) / 1e9
			case strings.HasPrefix(z.types[j], "vector") || strings.HasPrefix(z.types[j], "set"):
				obj[f] = strings.Split(v, ",")
			case z.types[j] == "port" || z.types[j] == "count":
				var n int64
				fmt.Sscan(v, &n)
				obj[f] = n
			case z.types[j] == "bool":
				obj[f] = v == "T"
			default:
				obj[f] = v
			}
		}
		if err := enc.Encode(obj); err != nil {
			return err
		}
	}
	return nil
}

// zeekLogs renders the traffic as Zeek's dns, conn, ssl and http logs.
func (t *Traffic) zeekLogs() []*zeekLog {
	dns := &zeekLog{path: "dns",
		fields: []string{"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "query", "qtype_name", "rcode_name", "answers", "TTLs"},
		types:  []string{"time", "string", "addr", "port", "addr", "port", "enum", "count", "string", "string", "string", "vector[string]", "vector[interval]"}}
	conn := &zeekLog{path: "conn",
		fields: []string{"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration", "orig_bytes", "resp_bytes", "conn_state", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes"},
		types:  []string{"time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count", "string", "string", "count", "count", "count", "count"}}
	ssl := &zeekLog{path: "ssl",
		fields: []string{"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version", "cipher", "server_name", "established", "cert_chain_fps"},
		types:  []string{"time", "string", "addr", "port", "addr", "port", "string", "string", "string", "bool", "vector[string]"}}
	http := &zeekLog{path: "http",
		fields: []string{"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "trans_depth", "method", "host", "uri", "user_agent", "status_code"},
		types:  []string{"time", "string", "addr", "port", "addr", "port", "count", "string", "string", "string", "string", "count"}}
	for i, l := range t.Lookups {
		var ans, ttl []string
		for _, a := range l.answers {
			ans, ttl = append(ans, a.String()), append(ttl, "300.000000")
		}
		dns.add(l.at, zeekTS(l.at), fmt.Sprintf("CD%05d", i), netPhone.String(), fmt.Sprint(53001+i), netRouter.String(), "53", "udp",
			fmt.Sprint(1000+i), l.name, l.qtype, "NOERROR", strings.Join(ans, ","), strings.Join(ttl, ","))
	}
	for i, c := range t.Connections {
		uid := fmt.Sprintf("CC%05d", i)
		phone := netPhone
		if c.ip.Is6() {
			phone = netPhone6
		}
		state, history, service := "SF", "ShADadFf", ""
		switch {
		case c.app == "midstream":
			state, history = "OTH", "Dd"
		case c.proto == "udp":
			state, history = "SF", "Dd"
		}
		switch {
		case c.sni != "":
			service = "ssl"
		case c.http != "":
			service = "http"
		case c.app == "ntp":
			service = "ntp"
		}
		conn.add(c.at, zeekTS(c.at), uid, phone.String(), fmt.Sprint(c.srcPort), c.ip.String(), fmt.Sprint(c.port), c.proto, cmp.Or(service, "-"),
			"0.500000", "517", fmt.Sprint(1400*c.bulk), state, history, "6", "837", fmt.Sprint(c.bulk+3), fmt.Sprint(1452*c.bulk+120))
		if c.sni != "" {
			ssl.add(c.at, zeekTS(c.at.Add(20*time.Millisecond)), uid, phone.String(), fmt.Sprint(c.srcPort), c.ip.String(), fmt.Sprint(c.port),
				"TLSv13", "TLS_AES_128_GCM_SHA256", c.sni, "T", cmp.Or(certOf(c.sni, PlantedCertSHA256), "-"))
		}
		if c.http != "" {
			http.add(c.at, zeekTS(c.at.Add(20*time.Millisecond)), uid, phone.String(), fmt.Sprint(c.srcPort), c.ip.String(), fmt.Sprint(c.port),
				"1", "GET", c.http, c.path, "CaptiveNetworkSupport-481 wispr", "200")
		}
	}
	return []*zeekLog{dns, conn, ssl, http}
}

// certOf is the certificate hash logged for a server name: the planted
// one for the planted server, none for the others (Zeek logs no
// certificates of TLS 1.3, whose certificates are encrypted; the planted
// server's is there as if the log came with its TLS keys).
func certOf(sni, planted string) string {
	if sni == PlantedDomain {
		return planted
	}
	return ""
}

// colonHex writes hex as Suricata does: pairs separated by colons.
func colonHex(h string) string {
	var b strings.Builder
	for i := 0; i+1 < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// WriteZeek writes dns.log, conn.log, ssl.log and http.log into dir, as
// TSV (Zeek's default) or JSON lines.
func (t *Traffic) WriteZeek(dir string, asJSON bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, z := range t.zeekLogs() {
		f, err := os.Create(filepath.Join(dir, z.path+".log"))
		if err != nil {
			return err
		}
		if asJSON {
			err = z.json(f)
		} else {
			err = z.tsv(f)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteEve writes Suricata's eve.json: DNS queries and answers (format 2),
// TLS and HTTP events, flows, and the planted alert.
func (t *Traffic) WriteEve(w io.Writer) error {
	type ev struct {
		at  time.Time
		obj map[string]any
	}
	var evs []ev
	add := func(at time.Time, typ string, src, dst netip.AddrPort, proto string, flow int, extra map[string]any) {
		o := map[string]any{"timestamp": eveTS(at), "flow_id": 1000000 + flow, "in_iface": "wlan0", "event_type": typ,
			"src_ip": src.Addr().String(), "src_port": evePort(src.Port()), "dest_ip": dst.Addr().String(), "dest_port": evePort(dst.Port()), "proto": proto}
		for k, v := range extra {
			o[k] = v
		}
		evs = append(evs, ev{at, o})
	}
	for i, l := range t.Lookups {
		client := netip.AddrPortFrom(netPhone, uint16(53001+i))
		server := netip.AddrPortFrom(netRouter, 53)
		add(l.at, "dns", client, server, "UDP", 500000+i, map[string]any{"dns": map[string]any{"type": "query", "id": 1000 + i, "rrname": l.name, "rrtype": l.qtype, "tx_id": 0}})
		var answers []map[string]any
		var grouped []string
		for _, a := range l.answers {
			answers = append(answers, map[string]any{"rrname": l.name, "rrtype": l.qtype, "ttl": 300, "rdata": a.String()})
			grouped = append(grouped, a.String())
		}
		add(l.at.Add(8*time.Millisecond), "dns", server, client, "UDP", 500000+i, map[string]any{"dns": map[string]any{"version": 2, "type": "answer",
			"id": 1000 + i, "flags": "8180", "qr": true, "rd": true, "ra": true, "rrname": l.name, "rrtype": l.qtype, "rcode": "NOERROR",
			"answers": answers, "grouped": map[string]any{l.qtype: grouped}}})
	}
	for i, c := range t.Connections {
		phone := netPhone
		if c.ip.Is6() {
			phone = netPhone6
		}
		client, server := netip.AddrPortFrom(phone, c.srcPort), netip.AddrPortFrom(c.ip, c.port)
		proto, app := strings.ToUpper(c.proto), c.app
		switch {
		case c.sni != "":
			app = "tls"
			tls := map[string]any{"sni": c.sni, "version": "TLS 1.3",
				"ja3": map[string]any{"hash": "e58f0b3c1f2a9f4dd1b9e0b2c4c9a7d1", "string": "771,4865-4866-4867,0-10-43-16-51,4588-29,0"},
				"ja4": "t13d0305h2_a2c7d4b1e9f0_5e1b6a7c8d90"}
			if fp := certOf(c.sni, PlantedCertSHA1); fp != "" {
				tls["fingerprint"] = colonHex(fp)
			}
			add(c.at.Add(20*time.Millisecond), "tls", client, server, proto, i, map[string]any{"tls": tls})
		case c.http != "":
			app = "http"
			add(c.at.Add(20*time.Millisecond), "http", client, server, proto, i, map[string]any{"http": map[string]any{"hostname": c.http, "url": c.path,
				"http_user_agent": "CaptiveNetworkSupport-481 wispr", "http_method": "GET", "protocol": "HTTP/1.1", "status": 200, "length": 68}})
		}
		tcp := map[string]any{"syn": c.app != "midstream", "fin": true, "ack": true}
		add(c.at.Add(600*time.Millisecond), "flow", client, server, proto, i, map[string]any{"app_proto": orFailed(app),
			"flow": map[string]any{"pkts_toserver": 6, "pkts_toclient": c.bulk + 3, "bytes_toserver": 837, "bytes_toclient": 1452*c.bulk + 120,
				"start": eveTS(c.at), "end": eveTS(c.at.Add(500 * time.Millisecond)), "state": "closed", "reason": "timeout", "alerted": false},
			"tcp": tcp})
	}
	for _, a := range t.Alerts {
		// The connections were sorted after the alert was planted: find
		// its connection (and flow) again by the phone's port.
		i := slices.IndexFunc(t.Connections, func(c connection) bool { return c.srcPort == a.srcPort })
		if i < 0 {
			return fmt.Errorf("alert %d: no connection from port %d", a.sid, a.srcPort)
		}
		c := t.Connections[i]
		client, server := netip.AddrPortFrom(netPhone, c.srcPort), netip.AddrPortFrom(c.ip, c.port)
		add(a.at, "alert", client, server, "TCP", i, map[string]any{"alert": map[string]any{"action": "allowed", "gid": 1,
			"signature_id": a.sid, "rev": 1, "signature": a.signature, "category": a.category, "severity": a.priority},
			"app_proto": "tls", "tls": map[string]any{"sni": c.sni}})
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	enc := json.NewEncoder(w)
	for _, e := range evs {
		if err := enc.Encode(e.obj); err != nil {
			return err
		}
	}
	return nil
}

func orFailed(app string) string {
	switch app {
	case "", "midstream":
		return "failed"
	case "ntp":
		return "ntp"
	}
	return app
}

// WritePihole writes the lookups as Pi-hole's pihole.log (dnsmasq's
// log-queries lines: query, forwarded, reply), in the resolver's local
// time, which the lines write without a year.
func (t *Traffic) WritePihole(w io.Writer) error {
	for _, l := range t.Lookups {
		at := l.at.Format("Jan _2 15:04:05")
		fmt.Fprintf(w, "%s dnsmasq[812]: query[%s] %s from %s\n", at, l.qtype, l.name, netPhone)
		fmt.Fprintf(w, "%s dnsmasq[812]: forwarded %s to 9.9.9.9\n", at, l.name)
		for _, a := range l.answers {
			fmt.Fprintf(w, "%s dnsmasq[812]: reply %s is %s\n", l.at.Add(8*time.Millisecond).Format("Jan _2 15:04:05"), l.name, a)
		}
	}
	return nil
}

// WriteAdGuard writes the lookups as AdGuard Home's querylog.json: one JSON
// object per line with the answer in DNS wire format, base64.
func (t *Traffic) WriteAdGuard(w io.Writer) error {
	enc := json.NewEncoder(w)
	for i, l := range t.Lookups {
		typ := layers.DNSTypeA
		if l.qtype == "AAAA" {
			typ = layers.DNSTypeAAAA
		}
		q := layers.DNSQuestion{Name: []byte(l.name), Type: typ, Class: layers.DNSClassIN}
		resp := &layers.DNS{ID: uint16(i), QR: true, RD: true, RA: true, QDCount: 1, Questions: []layers.DNSQuestion{q}}
		for _, a := range l.answers {
			resp.Answers = append(resp.Answers, layers.DNSResourceRecord{Name: []byte(l.name), Type: typ, Class: layers.DNSClassIN, TTL: 300, IP: a.AsSlice()})
		}
		resp.ANCount = uint16(len(resp.Answers))
		line := map[string]any{"IP": netPhone.String(), "T": l.at.Format(time.RFC3339Nano), "QH": l.name, "QT": l.qtype, "QC": "IN",
			"CP": "", "Answer": base64.StdEncoding.EncodeToString(dnsWire(resp)), "Result": map[string]any{},
			"Upstream": "https://dns10.quad9.net:443/dns-query", "Elapsed": 12345678}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

// WriteNextDNS writes the lookups as NextDNS's CSV export of its query log.
func (t *Traffic) WriteNextDNS(w io.Writer) error {
	fmt.Fprintln(w, "timestamp,domain,query_type,dnssec,protocol,client_ip,status,reasons,destination_country,root_domain,device_id,device_name,device_model,device_local_ip,matched_name,client_name")
	for _, l := range t.Lookups {
		root := l.name
		if parts := strings.Split(l.name, "."); len(parts) > 2 {
			root = strings.Join(parts[len(parts)-2:], ".")
		}
		if _, err := fmt.Fprintf(w, "%s,%s,%s,false,DNS-over-HTTPS,203.0.113.200,default,,US,%s,8A1B2C,Demo iPhone,iPhone,%s,,\n",
			l.at.UTC().Format("2006-01-02T15:04:05.000Z"), l.name, l.qtype, root, netPhone); err != nil {
			return err
		}
	}
	return nil
}

package zeek

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/network"
	"github.com/huella-project/huella/internal/jsonx"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/net/netfile"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/source/netcap"
	"github.com/huella-project/huella/internal/timestamp"
)

// row is one log entry, whatever the log's format.
type row interface {
	get(field string) string
	list(field string) []string
}

// tsvRow is a line of a tab-separated log.
type tsvRow struct {
	h    *header
	vals [][]byte
}

func (r tsvRow) get(f string) string {
	i, ok := r.h.index[f]
	if !ok || i >= len(r.vals) {
		return ""
	}
	v := r.vals[i]
	if bytes.Equal(v, r.h.unset) || bytes.Equal(v, r.h.empty) {
		return ""
	}
	return unescape(v)
}

func (r tsvRow) list(f string) []string {
	v := r.get(f)
	if v == "" {
		return nil
	}
	return strings.Split(v, r.h.setSep)
}

// unescape undoes Zeek's \xNN escapes of bytes that are not printable.
func unescape(v []byte) string {
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v)
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+3 < len(v) && v[i+1] == 'x' {
			if n, err := strconv.ParseUint(string(v[i+2:i+4]), 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// header is a TSV log's header lines.
type header struct {
	sep, setSep  string
	unset, empty []byte
	path         string
	index        map[string]int
}

func newHeader() *header {
	return &header{sep: "\t", setSep: ",", unset: []byte("-"), empty: []byte("(empty)"), index: map[string]int{}}
}

// directive reads one "#name value" header line.
func (h *header) directive(line []byte) {
	name, val, _ := bytes.Cut(line[1:], []byte(h.sep))
	if bytes.HasPrefix(line, []byte("#separator ")) {
		name, val = []byte("separator"), line[len("#separator "):]
	}
	switch string(name) {
	case "separator":
		if s := unescape(bytes.TrimSpace(val)); s != "" {
			h.sep = s
		}
	case "set_separator":
		h.setSep = unescape(val)
	case "unset_field":
		h.unset = append([]byte(nil), val...)
	case "empty_field":
		h.empty = append([]byte(nil), val...)
	case "path":
		h.path = string(val)
	case "fields":
		h.index = map[string]int{}
		for i, f := range bytes.Split(val, []byte(h.sep)) {
			if i >= 512 {
				break
			}
			h.index[string(f)] = i
		}
	}
}

// jsonRow is a line of a JSON log.
type jsonRow map[string]json.RawMessage

func (r jsonRow) get(f string) string {
	raw, ok := r[f]
	if !ok {
		return ""
	}
	if s, ok := jsonx.Text(raw); ok {
		return s
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		if b {
			return "T"
		}
		return "F"
	}
	return ""
}

func (r jsonRow) list(f string) []string {
	raw, ok := r[f]
	if !ok {
		return nil
	}
	var vals []json.RawMessage
	if json.Unmarshal(raw, &vals) != nil {
		if s := r.get(f); s != "" {
			return []string{s}
		}
		return nil
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out = append(out, s)
			continue
		}
		var n json.Number
		if json.Unmarshal(v, &n) == nil {
			out = append(out, n.String())
		}
	}
	return out
}

// kindOf names the log a file is: its #path header, else its file name,
// else the fields of its first entry.
func kindOf(env *module.Env, name string) (string, error) {
	f, err := env.Open(name, netcap.Capture)
	if err != nil {
		return "", err
	}
	r, err := netcap.Decompress(f)
	if err != nil {
		return "", err
	}
	defer r.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	if bytes.HasPrefix(head, []byte("#")) {
		h := newHeader()
		for _, line := range bytes.Split(head, []byte("\n")) {
			if !bytes.HasPrefix(line, []byte("#")) {
				break
			}
			h.directive(bytes.TrimRight(line, "\r"))
		}
		if h.path == "" {
			h.path = netcap.ZeekLogName(name)
		}
		return h.path, nil
	}
	if k := netcap.ZeekLogName(name); k != "" {
		if _, known := order[k]; known {
			return k, nil
		}
	}
	line, _, _ := bytes.Cut(head, []byte("\n"))
	var r0 jsonRow
	if json.Unmarshal(line, &r0) != nil {
		return "", errors.New("not a Zeek log: neither #fields headers nor JSON lines")
	}
	return kindByFields(r0), nil
}

// kindByFields names a JSON entry's log by the fields it has.
func kindByFields(r row) string {
	switch {
	case r.get("query") != "" || r.get("qtype_name") != "":
		return "dns"
	case r.get("server_name") != "" || r.get("ssl_history") != "" || r.get("cipher") != "":
		return "ssl"
	case r.get("method") != "" || r.get("uri") != "":
		return "http"
	case r.get("conn_state") != "" || r.get("history") != "" || r.get("orig_pkts") != "":
		return "conn"
	}
	return ""
}

// zeekLog names what a Zeek log holds in its warnings and gaps.
var zeekLog = netfile.Log{Entries: "entries", Lines: "entries", None: "none of its %d entries could be read", SaysLong: true}

// readLog reads one log into the aggregation of its group.
func readLog(ctx context.Context, env *module.Env, l logFile, agg *netflow.Aggregator, join *netflow.Joiner) error {
	return netfile.Read(ctx, env, l.name, func(r io.Reader) (netfile.Tally, error) {
		return parseLog(ctx, l, r, agg, join)
	}, zeekLog.End)
}

// parseLog streams a log's entries, TSV under #fields headers or JSON
// lines, into the aggregation.
func parseLog(ctx context.Context, l logFile, r io.Reader, agg *netflow.Aggregator, join *netflow.Joiner) (netfile.Tally, error) {
	h := newHeader()
	var t netfile.Tally
	var err error
	t.Long, err = netfile.Lines(ctx, r, func(line []byte) error {
		switch {
		case len(line) == 0:
			return nil
		case line[0] == '#':
			h.directive(line)
			return nil
		case line[0] == '{':
			var jr jsonRow
			if json.Unmarshal(line, &jr) != nil {
				t.Bad++
				return nil
			}
			kind := l.kind
			if k := kindByFields(jr); k != "" {
				kind = k
			}
			if entry(kind, jr, l.name, agg, join) {
				t.Entries++
			} else {
				t.Bad++
			}
			return nil
		}
		if len(h.index) == 0 {
			t.Bad++
			return nil
		}
		if entry(l.kind, tsvRow{h: h, vals: bytes.Split(line, []byte(h.sep))}, l.name, agg, join) {
			t.Entries++
		} else {
			t.Bad++
		}
		return nil
	})
	return t, err
}

// ts reads Zeek's time: seconds since 1970 with a fraction, or ISO 8601
// (JSON logs written with JSON::TS_ISO8601).
func ts(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	// Zeek writes microseconds: read "seconds.fraction" exactly, since a
	// float64 of today's seconds keeps only about a microsecond and would
	// show .040000 as .039999962.
	if sec, frac, ok := strings.Cut(v, "."); ok && len(sec) > 0 && len(sec) <= 11 && len(frac) > 0 && len(frac) <= 9 && digits(sec) && digits(frac) {
		s, _ := strconv.ParseInt(sec, 10, 64)
		ns, _ := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
		t := time.Unix(s, int64(ns)).UTC()
		if err := timestamp.Check(t); err != nil {
			return time.Time{}, err
		}
		return t, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return time.Time{}, fmt.Errorf("time %q is not a number", v)
		}
		return timestamp.FromFloat(f, timestamp.UnixEpoch, timestamp.Seconds)
	}
	return timestamp.ParseText(v, time.RFC3339Nano)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func port(v string) uint16 {
	n, err := strconv.ParseUint(v, 10, 16)
	if err != nil {
		return 0
	}
	return uint16(n)
}

func count(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// endpoints reads a connection's ends: Zeek's originator is the client,
// unless it is the internet side of a connection to the phone's network.
func endpoints(r row) (client, server netip.Addr, sport uint16) {
	oh, rh := netfile.Addr(r.get("id.orig_h")), netfile.Addr(r.get("id.resp_h"))
	op, rp := port(r.get("id.orig_p")), port(r.get("id.resp_p"))
	if network.Routable(oh) && !network.Routable(rh) {
		return rh, oh, op
	}
	return oh, rh, rp
}

// entry turns one log entry into an observation; false when it holds none.
func entry(kind string, r row, source string, agg *netflow.Aggregator, join *netflow.Joiner) bool {
	at, terr := ts(r.get("ts"))
	raw := r.get("ts")
	if kind == "dns" {
		name := r.get("query")
		if name == "" {
			return false
		}
		agg.DNS(netflow.DNSEvent{Time: at, TimeErr: terr, RawTime: raw, Client: netfile.Addr(r.get("id.orig_h")), Resolver: netfile.Addr(r.get("id.resp_h")),
			Name: name, Type: r.get("qtype_name"), Answers: r.list("answers"), RCode: r.get("rcode_name"), Response: true,
			Via: r.get("proto"), Source: source})
		return true
	}
	// The other logs name a connection.
	client, server, sp := endpoints(r)
	if !server.IsValid() {
		return false
	}
	e := netflow.ConnEvent{Time: at, TimeErr: terr, RawTime: raw, Client: client, IP: server, Port: sp, Proto: "tcp", Source: source}
	switch kind {
	case "ssl", "quic":
		e.Host, e.HostFrom, e.App, e.JA3, e.JA3S, e.JA4 = r.get("server_name"), "tls", "tls", r.get("ja3"), r.get("ja3s"), r.get("ja4")
		if kind == "quic" {
			e.Proto, e.HostFrom, e.App = "udp", "quic", "quic"
		}
		if fps := r.list("cert_chain_fps"); len(fps) > 0 {
			// The first certificate of the chain is the server's own.
			switch h := strings.ToLower(strings.ReplaceAll(fps[0], ":", "")); len(h) {
			case 40:
				e.CertSHA1 = []string{h}
			case 64:
				e.CertSHA256 = []string{h}
			}
		}
		join.Named(r.get("uid"), e)
		return true
	case "http":
		host := r.get("host")
		e.Host, e.HostFrom, e.App, e.UserAgent = hostOnly(host), "http", "http", r.get("user_agent")
		e.URL = netfile.RequestURL(host, sp, r.get("uri"))
		join.Named(r.get("uid"), e)
		return true
	case "conn":
		e.Proto = strings.ToLower(r.get("proto"))
		switch e.Proto {
		case "tcp", "udp":
		case "icmp":
			return true // an entry, but no connection to a port
		default:
			return false
		}
		e.App, e.NewConn = r.get("service"), true
		e.Packets = count(r.get("orig_pkts")) + count(r.get("resp_pkts"))
		e.Bytes = count(r.get("orig_ip_bytes")) + count(r.get("resp_ip_bytes"))
		if d, err := strconv.ParseFloat(r.get("duration"), 64); err == nil && d > 0 && d < 1e9 && !at.IsZero() {
			e.End = at.Add(time.Duration(d * float64(time.Second)))
		}
		// The connection began in the log's traffic when Zeek saw its
		// handshake; OTH means it saw none (mid-stream).
		hist := r.get("history")
		e.Started = e.Proto != "tcp" || r.get("conn_state") != "OTH" && (hist == "" || strings.ContainsAny(hist, "Ss"))
		join.Totals(r.get("uid"), e)
		return true
	}
	return false
}

// hostOnly drops a port from a Host header value.
func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		return h[:i]
	}
	return strings.Trim(h, "[]")
}

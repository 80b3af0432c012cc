package dnslog

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/net/netfile"
	"github.com/huella-project/huella/internal/netflow"
	"github.com/huella-project/huella/internal/timestamp"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// addr reads an address of a resolver's log, where fields may be padded.
func addr(v string) netip.Addr { return netfile.Addr(strings.TrimSpace(v)) }

// dnsmasqLine is one line of dnsmasq's log (Pi-hole's pihole.log): a
// syslog date without a year ("Feb 20 03:14:00") or an ISO date, an
// optional host name, the process, and the message.
var dnsmasqLine = regexp.MustCompile(`^(?:([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)?|(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?) +(?:\S+ +)?(?:dnsmasq|pihole-FTL)\[\d+\]: +(.+)$`)

// dnsmasqQuery: "query[A] www.example.com from 192.168.1.23"; type may be
// written "type=65".
var dnsmasqQuery = regexp.MustCompile(`^query\[([A-Za-z0-9=]+)\] (\S+) from (\S+)$`)

var months = map[string]time.Month{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}

// blockedVerbs start a line saying the resolver refused a name
// (Pi-hole's gravity and its deny lists).
var blockedVerbs = []string{"gravity blocked ", "regex blacklisted ", "exactly blacklisted ", "regex denied ", "exactly denied ",
	"special domain ", "gravity blocked (CNAME) "}

// readDnsmasq reads dnsmasq's log-queries lines. Their dates have no year
// and are in the resolver's local time: the year is the one of the file's
// modification time (a date later than it by more than two days is taken
// from the year before), and the time is read as UTC, which a warning
// says.
func readDnsmasq(ctx context.Context, env *module.Env, name string, r io.Reader, agg *netflow.Aggregator) (netfile.Tally, error) {
	ref := time.Time{}
	if fi, err := fs.Stat(env.Evidence.FS, name); err == nil {
		ref = fi.ModTime().UTC()
	}
	if ref.IsZero() || ref.Year() < 1971 {
		ref = time.Now().UTC()
	}
	lastType := map[string]string{}
	n, bad, syslogDates := 0, 0, false
	_, err := netfile.Lines(ctx, r, func(line []byte) error {
		m := dnsmasqLine.FindSubmatch(line)
		if m == nil {
			if len(bytes.TrimSpace(line)) > 0 {
				bad++
			}
			return nil
		}
		var at time.Time
		var terr error
		if len(m[1]) > 0 {
			syslogDates = true
			at, terr = syslogTime(ref, string(m[1]), string(m[2]), string(m[3]), string(m[4]), string(m[5]))
		} else {
			at, terr = timestamp.ParseText(string(m[6])+" "+string(m[7]), "2006-01-02 15:04:05")
		}
		raw := string(line[:min(len(line), 24)])
		msg := string(m[8])
		e := netflow.DNSEvent{Time: at, TimeErr: terr, RawTime: raw, Source: name}
		if q := dnsmasqQuery.FindStringSubmatch(msg); q != nil {
			e.Type, e.Name, e.Client = queryType(q[1]), q[2], addr(q[3])
			if len(lastType) > 10_000 {
				clear(lastType)
			}
			lastType[strings.ToLower(e.Name)] = e.Type
			agg.DNS(e)
			n++
			return nil
		}
		e.Response = true
		for _, verb := range blockedVerbs {
			if rest, ok := strings.CutPrefix(msg, verb); ok {
				e.Name, _, _ = strings.Cut(rest, " ")
				e.Blocked = true
				e.Type = lastType[strings.ToLower(e.Name)]
				agg.DNS(e)
				n++
				return nil
			}
		}
		verb, rest, _ := strings.Cut(msg, " ")
		switch verb {
		case "reply", "cached", "cached-stale", "config", "/etc/hosts":
			nm, val, ok := strings.Cut(rest, " is ")
			if !ok {
				return nil
			}
			e.Name, e.Type = nm, lastType[strings.ToLower(nm)]
			switch {
			case val == "NXDOMAIN":
				e.RCode = "NXDOMAIN"
			case strings.HasPrefix(val, "NODATA"):
				e.RCode = "NOERROR"
			case strings.HasPrefix(val, "<"):
				// <CNAME>, <HTTPS>: the value is on another line or not logged.
			default:
				e.Answers = []string{val}
			}
		case "forwarded":
			nm, up, ok := strings.Cut(rest, " to ")
			if !ok {
				return nil
			}
			host, _, _ := strings.Cut(up, "#")
			e.Name, e.Type, e.Resolver = nm, lastType[strings.ToLower(nm)], addr(host)
		default:
			return nil // dnsmasq's other lines: start-up, DHCP, cache statistics
		}
		agg.DNS(e)
		n++
		return nil
	})
	if syslogDates {
		env.Warn("%s: its dates have no year and no time zone: they are read as UTC, in the year of the file's last change (%d)", name, ref.Year())
	}
	return netfile.Tally{Entries: n, Bad: bad}, err
}

func syslogTime(ref time.Time, mon, day, h, m, s string) (time.Time, error) {
	month, ok := months[mon]
	d, err1 := strconv.Atoi(day)
	hh, err2 := strconv.Atoi(h)
	mm, err3 := strconv.Atoi(m)
	ss, err4 := strconv.Atoi(s)
	if !ok || err1 != nil || err2 != nil || err3 != nil || err4 != nil || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, fmt.Errorf("%s %s %s:%s:%s is not a date", mon, day, h, m, s)
	}
	t := time.Date(ref.Year(), month, d, hh, mm, ss, 0, time.UTC)
	if t.After(ref.Add(48 * time.Hour)) {
		t = t.AddDate(-1, 0, 0)
	}
	return t, nil
}

func queryType(t string) string {
	if n, ok := strings.CutPrefix(t, "type="); ok {
		if v, err := strconv.Atoi(n); err == nil {
			return netflow.DNSType(v)
		}
	}
	return strings.ToUpper(t)
}

// adguardEntry is one line of AdGuard Home's querylog.json.
type adguardEntry struct {
	T        string `json:"T"`
	QH       string `json:"QH"`
	QT       string `json:"QT"`
	CP       string `json:"CP"`
	IP       string `json:"IP"`
	Answer   []byte `json:"Answer"`
	Upstream string `json:"Upstream"`
	Result   struct {
		IsFiltered bool `json:"IsFiltered"`
		Reason     int  `json:"Reason"`
	} `json:"Result"`
}

// readAdGuard reads AdGuard Home's query log: one lookup per line, the
// answer stored in DNS wire format.
func readAdGuard(ctx context.Context, env *module.Env, name string, r io.Reader, agg *netflow.Aggregator) (netfile.Tally, error) {
	var dns layers.DNS
	n, bad := 0, 0
	long, err := netfile.Lines(ctx, r, func(line []byte) error {
		if len(bytes.TrimSpace(line)) == 0 {
			return nil
		}
		var e adguardEntry
		if json.Unmarshal(line, &e) != nil || e.QH == "" {
			bad++
			return nil
		}
		at, terr := timestamp.ParseText(e.T, time.RFC3339Nano)
		ev := netflow.DNSEvent{Time: at, TimeErr: terr, RawTime: e.T, Client: addr(e.IP), Name: e.QH, Type: e.QT, Source: name, Via: e.CP}
		if ev.Via == "" {
			ev.Via = "plain"
		}
		// Blocked by a list, safe browsing, parental control, safe search
		// or a blocked service (AdGuard's reasons 3 to 8).
		ev.Blocked = e.Result.IsFiltered && e.Result.Reason >= 3 && e.Result.Reason <= 8
		if len(e.Answer) > 0 {
			if m, ok := netflow.DecodeDNS(&dns, e.Answer); ok && m.Response {
				ev.Answers, ev.RCode = m.Answers, m.RCode
			}
		}
		agg.DNS(ev)
		n++
		return nil
	})
	return netfile.Tally{Entries: n, Bad: bad, Long: long}, err
}

// readNextDNS reads NextDNS's CSV export: a header line, then one lookup
// per line (no answers: NextDNS does not export them).
func readNextDNS(ctx context.Context, env *module.Env, name string, r io.Reader, agg *netflow.Aggregator) (netfile.Tally, error) {
	var cols map[string]int
	n, bad := 0, 0
	long, err := netfile.Lines(ctx, r, func(line []byte) error {
		if len(bytes.TrimSpace(line)) == 0 {
			return nil
		}
		cr := csv.NewReader(bytes.NewReader(line))
		cr.FieldsPerRecord, cr.LazyQuotes = -1, true
		rec, err := cr.Read()
		if err != nil {
			bad++
			return nil
		}
		if cols == nil {
			cols = map[string]int{}
			for i, c := range rec {
				cols[strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))] = i
			}
			return nil
		}
		get := func(c string) string {
			if i, ok := cols[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if get("domain") == "" {
			bad++
			return nil
		}
		at, terr := nextTime(get("timestamp"))
		client := addr(get("device_local_ip"))
		if !client.IsValid() {
			client = addr(get("client_ip"))
		}
		agg.DNS(netflow.DNSEvent{Time: at, TimeErr: terr, RawTime: get("timestamp"), Client: client, Name: get("domain"),
			Type: get("query_type"), Blocked: strings.EqualFold(get("status"), "blocked"), Via: viaOf(get("protocol")), Source: name})
		n++
		return nil
	})
	return netfile.Tally{Entries: n, Bad: bad, Long: long}, err
}

// nextTime reads NextDNS's timestamps (ISO 8601, with or without a zone).
func nextTime(v string) (time.Time, error) {
	return timestamp.ParseText(v, time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05")
}

// viaOf shortens NextDNS's protocol names.
func viaOf(p string) string {
	switch strings.ToLower(p) {
	case "dns-over-https":
		return "doh"
	case "dns-over-tls":
		return "dot"
	case "dns-over-quic":
		return "doq"
	}
	return strings.ToLower(p)
}

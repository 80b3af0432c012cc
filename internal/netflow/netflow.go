// Package netflow turns a phone's traffic, however it was recorded (packets
// in a capture, lines of a Zeek, Suricata or DNS resolver log), into the
// records huella matches and the network rules judge, in bounded memory.
//
// Parsers feed observations (a packet or a log line: ConnEvent, DNSEvent,
// AlertEvent) into an Aggregator. It keeps one entry per distinct
//
//   - connection key: (host name sent, remote address, port, protocol), with
//     first and last time seen, connections, packets and bytes, and up to
//     Limits.PerRecord URLs, certificate hashes, fingerprints and client
//     addresses;
//   - DNS lookup: (name, type), with first and last time, count, result code
//     and up to Limits.PerRecord answers and resolvers;
//   - Suricata alert: (signature, source, destination, port), with times and
//     count;
//
// and never one per packet. When a table reaches its limit its entries are
// written out early (the same key seen again later starts a new record), so
// memory stays bounded whatever the input holds; the addresses DNS answered
// (for the "no DNS answer" rule) are kept up to Limits.Answered, past which
// that rule stops and says so. Close writes what is left. Each record is
// handed to the Sink with the findings of internal/heuristics/network about
// it; a rule reports at most Limits.Findings times per aggregation, the rest
// are counted in a warning.
package netflow

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/network"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/timestamp"
)

// Limits bound what one aggregation keeps.
type Limits struct {
	Connections int // distinct connection keys held before they are written out
	Lookups     int // distinct (name, type) DNS lookups held
	Alerts      int // distinct alerts held
	Answered    int // addresses remembered as given by a DNS answer
	PerRecord   int // URLs, answers, hashes, clients... kept per record
	Findings    int // findings per rule
	Reported    int // values remembered so a rule reports each once
}

// DefaultLimits bound a capture's aggregation whatever it holds: real
// captures of a phone hold a few thousand keys; a 1.2 GiB capture of
// 500,000 distinct servers (bench/capture.sh, SERVERS=100000) is checked,
// report included, in about 250 MB. Past a table's limit its entries are written
// out early, so a key seen again later starts a second record.
var DefaultLimits = Limits{Connections: 20_000, Lookups: 20_000, Alerts: 10_000, Answered: 300_000,
	PerRecord: 16, Findings: 200, Reported: 50_000}

// EarlyWindow is how long after a capture's first packet a connection
// without a visible DNS answer is not judged: the phone may still be using
// answers it received before the capture started.
const EarlyWindow = 2 * time.Minute

// Sink receives records and findings; module.Env implements it.
type Sink interface {
	Emit(r *model.Record)
	Report(f *rules.Finding, r *model.Record)
	Warn(format string, args ...any)
}

// ConnEvent is one observation of traffic between the phone and a remote
// endpoint: a packet, a flow's totals, a log line.
type ConnEvent struct {
	Time    time.Time // when it was seen (its start for a flow)
	End     time.Time // for a flow, its end; zero for a packet
	TimeErr error     // the stored time was not a plausible date (Time is zero)
	RawTime string    // that stored value, as text

	Client netip.Addr // the phone's side, if known
	IP     netip.Addr // the remote side
	Port   uint16
	Proto  string // "tcp" or "udp"

	Host     string // server name the phone sent (TLS SNI, HTTP Host, QUIC)
	HostFrom string // "tls", "http", "quic"
	App      string // protocol seen or logged: "tls", "http", "dns", "quic"...

	NewConn bool // this observation starts (or is) one connection
	Started bool // the connection's start is in the evidence (TCP handshake seen, or a log of whole connections)
	Packets int64
	Bytes   int64

	URL        string
	UserAgent  string
	CertSHA1   []string
	CertSHA256 []string
	JA3, JA3S  string
	JA4        string
	Source     string // logical file it came from
}

// DNSEvent is one DNS query or answer.
type DNSEvent struct {
	Time     time.Time
	TimeErr  error
	RawTime  string
	Client   netip.Addr // who asked
	Resolver netip.Addr // who answered (may be unknown)
	Name     string
	Type     string   // A, AAAA, HTTPS...
	Answers  []string // addresses or names
	RCode    string   // NOERROR, NXDOMAIN...
	Response bool     // an answer (else a query)
	Blocked  bool     // the resolver refused it (blocklist)
	Via      string   // how the resolver received it, when a log says: "udp", "tcp", "doh", "dot"
	Source   string
}

// AlertEvent is one Suricata alert.
type AlertEvent struct {
	Time      time.Time
	TimeErr   error
	RawTime   string
	Src, Dst  netip.Addr
	SrcPort   uint16
	DstPort   uint16
	Proto     string
	SID       int64
	Signature string
	Category  string
	Priority  int
	Action    string
	Source    string
}

type connKey struct {
	host  string
	ip    netip.Addr
	port  uint16
	proto string
}

type dnsKey struct{ name, typ string }

type alertKey struct {
	sid      int64
	sig      string
	src, dst netip.Addr
	port     uint16
}

type connEntry struct {
	c       Connection
	started bool
	raw     []model.RawTime
}

type dnsEntry struct {
	l       Lookup
	raw     []model.RawTime
	queried bool // a query was seen: answers are not counted
}

type alertEntry struct {
	a   Alert
	raw []model.RawTime
}

// Aggregator is one aggregation: the traffic of one capture, or of one
// folder of logs of the same traffic.
type Aggregator struct {
	lim  Limits
	sink Sink

	conns   map[connKey]*connEntry
	lookups map[dnsKey]*dnsEntry
	alerts  map[alertKey]*alertEntry

	answered     map[netip.Addr]string // address -> a name DNS gave it for
	answeredFull bool

	first          time.Time // earliest time seen: the start of the capture
	encryptedSince time.Time // when the phone was first seen sending DNS encrypted

	reported  map[string]bool
	findings  map[string]int
	dropped   map[string]int
	badNames  int
	badTimes  int
	flushes   int
	firstBad  string
	sourceSet map[string]bool
}

// New starts an aggregation that hands records and findings to sink.
func New(lim Limits, sink Sink) *Aggregator {
	return &Aggregator{lim: lim, sink: sink,
		conns: map[connKey]*connEntry{}, lookups: map[dnsKey]*dnsEntry{}, alerts: map[alertKey]*alertEntry{},
		answered: map[netip.Addr]string{}, reported: map[string]bool{}, findings: map[string]int{}, dropped: map[string]int{},
		sourceSet: map[string]bool{}}
}

// seen tracks the capture's start and checks a time: a zero or implausible
// time is not used (a stored value that is no date is kept raw by the
// caller).
func (a *Aggregator) seen(t time.Time, err error, raw string) (time.Time, bool) {
	if err != nil || t.IsZero() || timestamp.Check(t) != nil {
		if err != nil || !t.IsZero() {
			a.badTimes++
			if a.firstBad == "" {
				a.firstBad = raw
				if a.firstBad == "" && err != nil {
					a.firstBad = err.Error()
				}
			}
		}
		return time.Time{}, false
	}
	t = t.UTC()
	if a.first.IsZero() || t.Before(a.first) {
		a.first = t
	}
	return t, true
}

func widen(first, last *time.Time, t time.Time) {
	if t.IsZero() {
		return
	}
	if first.IsZero() || t.Before(*first) {
		*first = t
	}
	if last.IsZero() || t.After(*last) {
		*last = t
	}
}

// addCapped appends v to list unless it is there or the list is full; it
// says whether v was left out for want of room.
func addCapped(list *[]string, v string, max int) bool {
	if v == "" || slices.Contains(*list, v) {
		return false
	}
	if len(*list) >= max {
		return true
	}
	*list = append(*list, v)
	return false
}

func rawOf(desc string, err error, raw string) model.RawTime {
	why := "not a date"
	if err != nil {
		why = err.Error()
	}
	return model.RawTime{Desc: desc, Raw: raw, Why: why}
}

// Conn records one observation of a connection.
func (a *Aggregator) Conn(e ConnEvent) {
	ip := e.IP.Unmap()
	if !ip.IsValid() {
		return
	}
	if !network.Routable(ip) && (!e.Client.IsValid() || !network.Routable(e.Client)) {
		// The phone's own network (its router, printers, multicast and
		// broadcast discovery): not traffic to the internet.
		return
	}
	host, ok := Host(e.Host)
	if !ok && e.Host != "" {
		a.badNames++
	}
	proto := strings.ToLower(e.Proto)
	if proto != "tcp" && proto != "udp" {
		// ICMP and the like have no port or name to judge; a log's
		// protocol field may also hold anything.
		return
	}
	k := connKey{host: host, ip: ip, port: e.Port, proto: proto}
	t, good := a.seen(e.Time, e.TimeErr, e.RawTime)
	end, _ := a.seen(e.End, nil, "")
	ce := a.conns[k]
	if ce == nil {
		if len(a.conns) >= a.lim.Connections {
			a.flushConns()
		}
		ce = &connEntry{c: Connection{Host: host, HostFrom: e.HostFrom, IP: ip.String(), Port: e.Port, Proto: proto}}
		a.conns[k] = ce
		if host != "" {
			if _, ok := network.EncryptedDNS(host, ip, e.Port, proto); ok {
				a.encrypted(t)
			}
		} else if e.Port == 853 {
			a.encrypted(t)
		}
	}
	c := &ce.c
	widen(&c.First, &c.Last, t)
	widen(&c.First, &c.Last, end)
	if !good && (e.TimeErr != nil || !e.Time.IsZero()) && len(ce.raw) < 4 {
		ce.raw = append(ce.raw, rawOf("connection", e.TimeErr, e.RawTime))
	}
	if e.Started {
		ce.started = true
	}
	if e.NewConn {
		c.Connections++
	}
	c.Packets += max(e.Packets, 0)
	c.Bytes += max(e.Bytes, 0)
	if c.App == "" {
		c.App = e.App
	}
	per := a.lim.PerRecord
	if e.URL != "" && addCapped(&c.URLs, clip(e.URL, 2048), per) {
		c.MoreURLs++
	}
	addCapped(&c.UserAgents, clip(e.UserAgent, 256), per)
	for _, h := range e.CertSHA1 {
		addCapped(&c.CertSHA1, h, per)
	}
	for _, h := range e.CertSHA256 {
		addCapped(&c.CertSHA256, h, per)
	}
	addCapped(&c.JA3, e.JA3, per)
	addCapped(&c.JA3S, e.JA3S, per)
	addCapped(&c.JA4, e.JA4, per)
	if e.Client.IsValid() {
		addCapped(&c.Clients, e.Client.Unmap().String(), 4)
	}
	addCapped(&c.Sources, e.Source, 4)
}

func (a *Aggregator) encrypted(t time.Time) {
	if t.IsZero() {
		return
	}
	if a.encryptedSince.IsZero() || t.Before(a.encryptedSince) {
		a.encryptedSince = t
	}
}

// DNS records one DNS query or answer.
func (a *Aggregator) DNS(e DNSEvent) {
	name, ok := Host(e.Name)
	if !ok || name == "" {
		if e.Name != "" {
			a.badNames++
		}
		return
	}
	typ := strings.ToUpper(strings.TrimSpace(e.Type))
	if len(typ) > 16 {
		typ = typ[:16]
	}
	k := dnsKey{name: name, typ: typ}
	t, good := a.seen(e.Time, e.TimeErr, e.RawTime)
	de := a.lookups[k]
	if de == nil {
		if len(a.lookups) >= a.lim.Lookups {
			a.flushLookups()
		}
		de = &dnsEntry{l: Lookup{Name: name, Type: typ}}
		a.lookups[k] = de
	}
	l := &de.l
	widen(&l.First, &l.Last, t)
	if !good && (e.TimeErr != nil || !e.Time.IsZero()) && len(de.raw) < 4 {
		de.raw = append(de.raw, rawOf("dns_lookup", e.TimeErr, e.RawTime))
	}
	// A query and its answer are one lookup: queries are counted, and
	// answers only where no query was seen (logs of answers only).
	switch {
	case !e.Response && !de.queried:
		de.queried, l.Count = true, 1
	case !e.Response, !de.queried:
		l.Count++
	}
	if e.RCode != "" {
		l.RCode = clip(strings.ToUpper(e.RCode), 32)
	}
	if e.Blocked {
		l.Blocked = true
	}
	if e.Via != "" {
		addCapped(&l.Via, strings.ToLower(clip(e.Via, 16)), 4)
	}
	per := a.lim.PerRecord
	for _, ans := range e.Answers {
		v, isIP := answer(ans)
		if v == "" {
			continue
		}
		if addCapped(&l.Answers, v, per) {
			l.MoreAnswers++
		}
		if isIP {
			ip, _ := netip.ParseAddr(v)
			if _, have := a.answered[ip]; !have {
				if len(a.answered) < a.lim.Answered {
					a.answered[ip] = name
				} else {
					a.answeredFull = true
				}
			}
		}
	}
	if e.Resolver.IsValid() {
		addCapped(&l.Resolvers, e.Resolver.Unmap().String(), 4)
	}
	if e.Client.IsValid() {
		addCapped(&l.Clients, e.Client.Unmap().String(), 4)
	}
	addCapped(&l.Sources, e.Source, 4)
}

// answer normalises one DNS answer: an address, or a name (CNAME, HTTPS
// target); anything else is dropped.
func answer(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if ip, err := netip.ParseAddr(s); err == nil {
		ip = ip.Unmap()
		if ip.Zone() != "" {
			return "", false
		}
		return ip.String(), true
	}
	h, ok := Host(s)
	if !ok {
		return "", false
	}
	return h, false
}

// Alert records one Suricata alert.
func (a *Aggregator) Alert(e AlertEvent) {
	k := alertKey{sid: e.SID, sig: clip(e.Signature, 512), src: e.Src.Unmap(), dst: e.Dst.Unmap(), port: e.DstPort}
	t, good := a.seen(e.Time, e.TimeErr, e.RawTime)
	ae := a.alerts[k]
	if ae == nil {
		if len(a.alerts) >= a.lim.Alerts {
			a.flushAlerts()
		}
		ae = &alertEntry{a: Alert{SID: e.SID, Signature: k.sig, Category: clip(e.Category, 256), Priority: e.Priority,
			Proto: strings.ToLower(clip(e.Proto, 16)), DstPort: e.DstPort}}
		if k.src.IsValid() {
			ae.a.Src = k.src.String()
		}
		if k.dst.IsValid() {
			ae.a.Dst = k.dst.String()
		}
		a.alerts[k] = ae
	}
	al := &ae.a
	widen(&al.First, &al.Last, t)
	if !good && (e.TimeErr != nil || !e.Time.IsZero()) && len(ae.raw) < 4 {
		ae.raw = append(ae.raw, rawOf("alert", e.TimeErr, e.RawTime))
	}
	al.Count++
	addCapped(&al.Actions, strings.ToLower(clip(e.Action, 16)), 4)
	addCapped(&al.Sources, e.Source, 4)
}

// Close writes out everything still held and the warnings about what was
// left out. The aggregator is not used after.
func (a *Aggregator) Close() {
	a.flushLookups()
	a.flushConns()
	a.flushAlerts()
	if a.badNames > 0 {
		a.sink.Warn("%d host names were not valid names and were left out", a.badNames)
	}
	if a.badTimes > 0 {
		a.sink.Warn("%d observations had no plausible time (first: %q); they are counted but not placed in time", a.badTimes, clip(a.firstBad, 64))
	}
	if a.flushes > 0 {
		a.sink.Warn("the traffic held more distinct endpoints or names than are kept at once: records were written out %d times early, so one endpoint can have several records", a.flushes)
	}
	if a.answeredFull {
		a.sink.Warn("more than %d addresses came in DNS answers: later ones were not remembered, so connections to them were not judged for a missing DNS answer", a.lim.Answered)
	}
	for _, rule := range slices.Sorted(maps.Keys(a.dropped)) {
		a.sink.Warn("%d more findings of %s were left out (at most %d are listed per rule)", a.dropped[rule], rule, a.lim.Findings)
	}
}

// report hands a finding on once per value, at most Limits.Findings per
// rule.
func (a *Aggregator) report(f *rules.Finding, r *model.Record, value string) {
	if f == nil || f.Dropped() {
		return
	}
	key := f.Rule + "\x00" + value
	if a.reported[key] {
		return
	}
	if len(a.reported) < a.lim.Reported {
		a.reported[key] = true
	}
	if a.findings[f.Rule] >= a.lim.Findings {
		a.dropped[f.Rule]++
		return
	}
	a.findings[f.Rule]++
	a.sink.Report(f, r)
}

// drain empties table m (lookups, connections, alerts) into a list in the
// order by gives, so records come out the same whatever the map's order;
// a table at its bound max was flushed early, which is counted.
func drain[K comparable, V any](a *Aggregator, m map[K]V, max int, by func(x, y V) int) []V {
	if len(m) >= max {
		a.flushes++
	}
	list := slices.SortedFunc(maps.Values(m), by)
	clear(m)
	return list
}

func (a *Aggregator) flushLookups() {
	if len(a.lookups) == 0 {
		return
	}
	list := drain(a, a.lookups, a.lim.Lookups, func(x, y *dnsEntry) int {
		return cmp.Or(x.l.First.Compare(y.l.First), cmp.Compare(x.l.Name, y.l.Name), cmp.Compare(x.l.Type, y.l.Type))
	})
	for _, de := range list {
		r := de.l.record()
		r.RawTimes = append(r.RawTimes, de.raw...)
		a.sink.Emit(r)
		a.report(network.DynamicDNS(de.l.Name), r, de.l.Name)
		a.report(network.SuspiciousEnding(de.l.Name), r, de.l.Name)
	}
}

func (a *Aggregator) flushConns() {
	if len(a.conns) == 0 {
		return
	}
	list := drain(a, a.conns, a.lim.Connections, func(x, y *connEntry) int {
		return cmp.Or(x.c.First.Compare(y.c.First), cmp.Compare(x.c.IP, y.c.IP), cmp.Compare(x.c.Port, y.c.Port),
			cmp.Compare(x.c.Proto, y.c.Proto), cmp.Compare(x.c.Host, y.c.Host))
	})
	for _, ce := range list {
		a.emitConn(ce)
	}
}

func (a *Aggregator) emitConn(ce *connEntry) {
	c := &ce.c
	ip, _ := netip.ParseAddr(c.IP)
	name, answered := a.answered[ip]
	if answered && name != c.Host {
		c.DNSName = name
	}
	r := c.record()
	r.RawTimes = append(r.RawTimes, ce.raw...)
	a.sink.Emit(r)
	named := cmp.Or(c.Host, c.DNSName)
	if via, ok := network.EncryptedDNS(c.Host, ip, c.Port, c.Proto); ok {
		a.report(network.EncryptedResolver(c.Host, ip, c.Port, via), r, cmp.Or(c.Host, c.IP))
	}
	if !answered && !a.answeredFull {
		early := !c.First.IsZero() && c.First.Before(a.first.Add(EarlyWindow))
		enc := !a.encryptedSince.IsZero() && !c.First.IsZero() && !c.First.Before(a.encryptedSince)
		a.report(network.NoDNS(network.NoDNSFacts{IP: ip, Port: c.Port, Proto: c.Proto, Host: c.Host,
			Started: ce.started, Early: early, EncryptedDNS: enc}), r, c.IP)
	}
	a.report(network.Port(ip, c.Port, c.Proto, named), r, c.IP+"\x00"+strconv.Itoa(int(c.Port)))
	for _, n := range []string{c.Host, c.DNSName} {
		if n == "" {
			continue
		}
		a.report(network.DynamicDNS(n), r, n)
		a.report(network.SuspiciousEnding(n), r, n)
	}
}

func (a *Aggregator) flushAlerts() {
	if len(a.alerts) == 0 {
		return
	}
	list := drain(a, a.alerts, a.lim.Alerts, func(x, y *alertEntry) int {
		return cmp.Or(x.a.First.Compare(y.a.First), cmp.Compare(x.a.SID, y.a.SID), cmp.Compare(x.a.Dst, y.a.Dst),
			cmp.Compare(x.a.DstPort, y.a.DstPort), cmp.Compare(x.a.Src, y.a.Src), cmp.Compare(x.a.Signature, y.a.Signature))
	})
	for _, ae := range list {
		r := ae.a.record()
		r.RawTimes = append(r.RawTimes, ae.raw...)
		a.sink.Emit(r)
		a.report(network.SuricataAlert(ae.a.SID, ae.a.Signature, ae.a.Category, ae.a.Priority), r,
			strconv.FormatInt(ae.a.SID, 10)+"\x00"+ae.a.Signature)
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xc0 == 0x80 {
		cut--
	}
	return s[:cut]
}

// Host checks and normalises a host name from traffic or a log: lower case,
// no trailing dot, at most 253 bytes in labels of 1 to 63 letters, digits,
// '-' or '_' (DNS allows any byte; names that are not host names are left
// out rather than written into records and reports). An address literal is
// returned in its canonical form. "" is a valid (absent) host.
func Host(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if ip, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil && ip.Zone() == "" {
		return ip.Unmap().String(), true
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return "", false
	}
	label := 0
	lower := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if label == 0 {
				return "", false
			}
			label = 0
			continue
		case c >= 'A' && c <= 'Z':
			lower = false
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return "", false
		}
		label++
		if label > 63 {
			return "", false
		}
	}
	if label == 0 {
		return "", false
	}
	if !lower {
		s = strings.ToLower(s)
	}
	return s, true
}

// String forms used in summaries.
func (c *Connection) dest() string {
	if strings.IndexByte(c.IP, ':') >= 0 {
		return "[" + c.IP + "]"
	}
	return c.IP
}

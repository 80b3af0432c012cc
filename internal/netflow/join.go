package netflow

// Joiner puts back together what logs write apart about one connection:
// its name (Zeek's ssl.log and http.log, Suricata's tls, http and quic
// events) and its totals (conn.log, Suricata's flow event), by the log's
// connection id (Zeek's uid, Suricata's flow_id). Without it a named
// connection and its totals would be two records.
//
// It holds at most max names; past that a name is handed over alone, and
// Close hands over the names whose totals never came.
type Joiner struct {
	agg   *Aggregator
	names map[string]ConnEvent
	max   int
}

// DefaultJoinNames is how many names a Joiner of a real traffic's logs
// holds (Suricata, Zeek): the connections whose totals are still to come.
const DefaultJoinNames = 200_000

// NewJoiner joins into agg, holding at most max names.
func NewJoiner(agg *Aggregator, max int) *Joiner {
	return &Joiner{agg: agg, names: map[string]ConnEvent{}, max: max}
}

// Named holds what a log says of a connection's name until its totals
// come. A second name for the same connection (another HTTP request on
// it) keeps the first name and hands its own link over at once.
func (j *Joiner) Named(id string, e ConnEvent) {
	if have, ok := j.names[id]; ok {
		if e.URL != "" && e.URL != have.URL {
			extra := have
			extra.URL, extra.UserAgent, extra.NewConn, extra.Packets, extra.Bytes = e.URL, e.UserAgent, false, 0, 0
			extra.CertSHA1, extra.CertSHA256, extra.JA3, extra.JA3S, extra.JA4 = nil, nil, "", "", ""
			j.agg.Conn(extra)
		}
		return
	}
	if id == "" || len(j.names) >= j.max {
		j.agg.Conn(e)
		return
	}
	j.names[id] = e
}

// Totals hands a connection's totals over, with its name when one is held.
func (j *Joiner) Totals(id string, e ConnEvent) {
	if n, ok := j.names[id]; ok && id != "" {
		delete(j.names, id)
		if sameEndpoint(n, e) {
			e.Host, e.HostFrom = n.Host, n.HostFrom
			if e.App == "" || e.App == "failed" {
				e.App = n.App
			}
			e.URL, e.UserAgent = n.URL, n.UserAgent
			e.CertSHA1, e.CertSHA256 = n.CertSHA1, n.CertSHA256
			e.JA3, e.JA3S, e.JA4 = n.JA3, n.JA3S, n.JA4
		} else {
			j.agg.Conn(n)
		}
	}
	j.agg.Conn(e)
}

func sameEndpoint(a, b ConnEvent) bool {
	return a.IP.Unmap() == b.IP.Unmap() && a.Port == b.Port
}

// Close hands over the names whose totals never came.
func (j *Joiner) Close() {
	for id, e := range j.names {
		j.agg.Conn(e)
		delete(j.names, id)
	}
}

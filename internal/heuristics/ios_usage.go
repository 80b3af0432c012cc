package heuristics

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/huella-project/huella/internal/model"
)

// RegisteredDomain is the host's eTLD+1 (www.google.com -> google.com), so a
// redirect inside one site is not mistaken for a jump to another. IP literals
// and names the public-suffix list cannot split are returned as they are.
func RegisteredDomain(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" || net.ParseIP(strings.Trim(host, "[]")) != nil {
		return host
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return d
}

// Visit is the part of a browser history visit the redirect rule needs.
type Visit struct {
	ID                  int64
	URL                 string
	Time                time.Time
	RedirectDestination int64 // visit id of the page this one redirected to; 0 when none
}

// FastRedirect is a plain-HTTP visit that was sent to another site faster than
// a person could click: the shape of a network injection (Pegasus 2019-2020
// via free247downloads.com, Predator in Egypt via c.betly.me).
type FastRedirect struct {
	From, To Visit
	Delay    time.Duration
	Severity model.Severity
	Reason   string
}

// FastRedirectLimit is how quick a cross-site redirect must be to be flagged.
const FastRedirectLimit = time.Second

// RedirectIndex finds fast cross-site redirects. Visits are indexed by id as
// they are added, so checking n visits costs O(n), not the O(n²) scan of a
// lookup per visit.
type RedirectIndex struct {
	byID    map[int64]Visit
	sources []int64 // ids of visits that name a redirect destination, in order seen
}

func NewRedirectIndex() *RedirectIndex { return &RedirectIndex{byID: map[int64]Visit{}} }

// Add indexes one visit. Visit ids are scoped to one database: use one index
// per History.db, or a profile's ids would point into another profile.
func (x *RedirectIndex) Add(v Visit) {
	x.byID[v.ID] = v
	if v.RedirectDestination != 0 {
		x.sources = append(x.sources, v.ID)
	}
}

func (x *RedirectIndex) Len() int { return len(x.byID) }

// Fast returns the suspicious redirects among the indexed visits.
func (x *RedirectIndex) Fast() []FastRedirect {
	var out []FastRedirect
	for _, id := range x.sources {
		from := x.byID[id]
		to, ok := x.byID[from.RedirectDestination]
		if !ok {
			continue
		}
		if r, ok := checkRedirect(from, to); ok {
			out = append(out, r)
		}
	}
	return out
}

func checkRedirect(from, to Visit) (FastRedirect, bool) {
	fu, err := url.Parse(from.URL)
	if err != nil || !strings.EqualFold(fu.Scheme, "http") {
		// Only a plain-HTTP page can be rewritten in transit by an operator.
		return FastRedirect{}, false
	}
	tu, err := url.Parse(to.URL)
	if err != nil || tu.Hostname() == "" || from.Time.IsZero() || to.Time.IsZero() {
		return FastRedirect{}, false
	}
	fd, td := RegisteredDomain(fu.Hostname()), RegisteredDomain(tu.Hostname())
	if fd == td {
		return FastRedirect{}, false
	}
	delay := to.Time.Sub(from.Time)
	if delay < 0 || delay >= FastRedirectLimit {
		return FastRedirect{}, false
	}
	r := FastRedirect{From: from, To: to, Delay: delay, Severity: model.Medium}
	r.Reason = fmt.Sprintf("plain-HTTP page %s redirected to another site, %s, after %d ms; redirects this fast between different sites are how network injection sends a browser to an exploit server",
		fu.Host, tu.Host, delay.Milliseconds())
	if port := tu.Port(); (port != "" && port != "80" && port != "443") || net.ParseIP(tu.Hostname()) != nil {
		// Injection landing pages were served from bare IPs or random high
		// ports (free247downloads.com:30897); ordinary sites are not.
		r.Severity = model.High
		r.Reason += "; the destination uses an IP address or an unusual port, as exploit servers did"
	}
	return r, true
}

// IDRange is a run of consecutive missing primary keys.
type IDRange struct{ From, To int64 }

func (r IDRange) String() string {
	if r.From == r.To {
		return fmt.Sprintf("%d", r.From)
	}
	return fmt.Sprintf("%d-%d", r.From, r.To)
}

// Count is how many ids the range spans.
func (r IDRange) Count() int64 { return r.To - r.From + 1 }

// KeyGaps follows an ascending sequence of primary keys and reports the runs
// that are missing between the first and the last. Core Data hands out Z_PK
// values in order and never reuses them, so a hole in ZPROCESS means a process
// row was deleted, which is what spyware cleaning its tracks does.
type KeyGaps struct {
	prev    int64
	started bool
}

// Next takes the next key (ascending) and returns the gap before it, if any.
func (g *KeyGaps) Next(id int64) (IDRange, bool) {
	defer func() { g.prev, g.started = id, true }()
	if !g.started || id <= g.prev+1 {
		return IDRange{}, false
	}
	return IDRange{From: g.prev + 1, To: id - 1}, true
}

// DeletedProcessReason explains a ZPROCESS gap in plain words.
func DeletedProcessReason(db string, gap IDRange, prevName string, prevFirst time.Time) string {
	when := ""
	if !prevFirst.IsZero() {
		when = " (first seen " + prevFirst.UTC().Format(time.RFC3339) + ")"
	}
	what := "process record " + gap.String() + " is"
	if gap.Count() > 1 {
		what = fmt.Sprintf("%d process records (%s) are", gap.Count(), gap.String())
	}
	return fmt.Sprintf("%s: %s missing from the process table, right after %q%s; iOS does not reuse these numbers, so a gap means rows were deleted, as Pegasus did to hide its processes",
		db, what, prevName, when)
}

// OrphanedUsageReason explains a usage row whose process row is gone.
func OrphanedUsageReason(db string, procID int64, at time.Time) string {
	when := ""
	if !at.IsZero() {
		when = " recorded at " + at.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("%s: network usage%s belongs to process record %d, which no longer exists; the process row was deleted while its traffic stayed, a trace of manipulated records",
		db, when, procID)
}

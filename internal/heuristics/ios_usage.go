package heuristics

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"slices"
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

// RedirectIndex finds fast cross-site redirects among visits added in
// time order (History.db read ORDER BY visit_time). A redirect counts only
// when the destination follows its source by less than FastRedirectLimit,
// so the index keeps just the visits of the last FastRedirectLimit: memory
// follows the busiest second of browsing, not the size of the history.
// A visit added out of order is still matched against what the window holds.
type RedirectIndex struct {
	added   int
	newest  time.Time
	recent  []windowVisit           // visits still inside the window, in the order added
	head    int                     // recent[:head] have left the window
	byID    map[int64]int           // visit id -> its latest position in recent (absolute)
	pending map[int64][]windowVisit // destination id -> sources waiting for it
	dropped int                     // absolute position of recent[0]
	found   []sequenced
}

type windowVisit struct {
	Visit
	seq int // order added, so results come out in source order
}

type sequenced struct {
	FastRedirect
	seq int
}

func NewRedirectIndex() *RedirectIndex {
	return &RedirectIndex{byID: map[int64]int{}, pending: map[int64][]windowVisit{}}
}

// Add indexes one visit. Visit ids are scoped to one database: use one index
// per History.db, or a profile's ids would point into another profile.
func (x *RedirectIndex) Add(v Visit) {
	w := windowVisit{Visit: v, seq: x.added}
	x.added++
	if v.Time.IsZero() {
		return // a visit without a time can be neither end of a fast redirect
	}
	if v.Time.After(x.newest) {
		x.newest = v.Time
	}
	if srcs, ok := x.pending[v.ID]; ok {
		delete(x.pending, v.ID)
		for _, s := range srcs {
			x.check(s, w)
		}
	}
	// A page naming itself as its destination is never cross-site.
	if v.RedirectDestination != 0 && v.RedirectDestination != v.ID {
		if pos, ok := x.byID[v.RedirectDestination]; ok {
			x.check(w, x.recent[pos-x.dropped])
		} else {
			x.pending[v.RedirectDestination] = append(x.pending[v.RedirectDestination], w)
		}
	}
	x.byID[v.ID] = x.dropped + len(x.recent)
	x.recent = append(x.recent, w)
	x.evict()
}

// evict drops the visits that no later visit can pair with: those older
// than the newest by FastRedirectLimit or more.
func (x *RedirectIndex) evict() {
	for x.head < len(x.recent) && x.newest.Sub(x.recent[x.head].Time) >= FastRedirectLimit {
		old := x.recent[x.head]
		if pos, ok := x.byID[old.ID]; ok && pos == x.dropped+x.head {
			delete(x.byID, old.ID)
		}
		if old.RedirectDestination != 0 && old.RedirectDestination != old.ID {
			x.unpend(old)
		}
		x.recent[x.head] = windowVisit{}
		x.head++
	}
	if x.head > 1024 && x.head*2 >= len(x.recent) {
		n := copy(x.recent, x.recent[x.head:])
		clear(x.recent[n:])
		x.recent = x.recent[:n]
		x.dropped += x.head
		x.head = 0
	}
}

func (x *RedirectIndex) unpend(src windowVisit) {
	srcs := x.pending[src.RedirectDestination]
	for i, s := range srcs {
		if s.seq == src.seq {
			srcs = append(srcs[:i], srcs[i+1:]...)
			break
		}
	}
	if len(srcs) == 0 {
		delete(x.pending, src.RedirectDestination)
	} else {
		x.pending[src.RedirectDestination] = srcs
	}
}

func (x *RedirectIndex) check(from, to windowVisit) {
	if r, ok := checkRedirect(from.Visit, to.Visit); ok {
		x.found = append(x.found, sequenced{r, from.seq})
	}
}

// Len is how many visits were added.
func (x *RedirectIndex) Len() int { return x.added }

// Fast returns the suspicious redirects found so far, in the order their
// source visits were added.
func (x *RedirectIndex) Fast() []FastRedirect {
	slices.SortStableFunc(x.found, func(a, b sequenced) int { return cmp.Compare(a.seq, b.seq) })
	if len(x.found) == 0 {
		return nil
	}
	out := make([]FastRedirect, 0, len(x.found))
	for _, f := range x.found {
		out = append(out, f.FastRedirect)
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

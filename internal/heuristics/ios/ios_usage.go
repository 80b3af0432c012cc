package ios

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/huella-project/huella/internal/rules"
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
	Finding  rules.Finding
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
	var ctx []string
	if port := tu.Port(); (port != "" && port != "80" && port != "443") || net.ParseIP(tu.Hostname()) != nil {
		// Injection landing pages were served from bare IPs or random high
		// ports (free247downloads.com:30897); ordinary sites are not.
		ctx = append(ctx, "raw_destination")
	}
	r := FastRedirect{From: from, To: to, Delay: delay}
	r.Finding = rules.IOSSafariFastRedirect.New(rules.Params{"from": rules.Clip(fu.Host, 200), "to": rules.Clip(tu.Host, 200),
		"delay_ms": strconv.FormatInt(delay.Milliseconds(), 10)}, ctx...)
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

// OrphanedUsage reports network usage rows whose process row is gone: the
// process row was deleted while its traffic stayed, which is how Pegasus
// hid its processes. It is the one "missing process" finding: a gap in the
// process ids alone is ordinary database churn on real phones.
func OrphanedUsage(db string, procID int64, at time.Time) rules.Finding {
	when := ""
	if !at.IsZero() {
		when = at.UTC().Format(time.RFC3339)
	}
	var ctx []string
	if when != "" {
		ctx = append(ctx, "dated")
	}
	return rules.IOSNetusageOrphanUsage.New(rules.Params{"db": db, "process_id": strconv.FormatInt(procID, 10), "time": when}, ctx...)
}

// NoBinaryNames are DataUsage process names that have no executable of
// their own: the kernel, and the pseudo-process iOS books total usage on.
var NoBinaryNames = map[string]bool{"kernel_task": true, "CumulativeUsageTracker": true}

// MissingBinary reports a process without a bundle id whose executable is
// nowhere in a full file-system dump (MVT's fs-mode check): a binary that
// ran and then vanished. truncated says the name may be cut to 15 or 16
// bytes, so the caller already accepted files it is the start of.
func MissingBinary(db, name string, truncated bool) *rules.Finding {
	if name == "" || NoBinaryNames[name] {
		return nil
	}
	var ctx []string
	if truncated {
		ctx = append(ctx, "truncated")
	}
	return new(rules.IOSNetusageMissingBinary.New(rules.Params{"db": db, "process": rules.Clip(name, 100)}, ctx...))
}

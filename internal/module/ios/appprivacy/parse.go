package appprivacy

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/jsonx"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/phoneexport"
	"github.com/huella-project/huella/internal/timestamp"
)

// The App Privacy Report is newline-delimited JSON, one dictionary per line
// (Apple, "Inspecting app activity data"). Lines whose "type" is "access"
// are the start or the end of an app's use of a resource (camera,
// microphone, location, contacts, photos, media library, screen
// recording), paired by their "identifier"; lines whose "type" is
// "networkActivity" sum up, per app and domain, the connections of the
// last seven days: first and last time, number of hits, and "context", the
// website that made the connection when the app showed one. iOS 15's beta
// wrote access records in another shape ("stream", "tccService",
// "timestamp"), read too. Unknown keys are ignored; every value is read
// loosely, as a crafted file can put anything anywhere.

// Network is one networkActivity line: an app, or a website shown in it,
// and the domain it connected to.
type Network struct {
	App         string    `json:"bundle_id"`
	Domain      string    `json:"domain"`
	Website     string    `json:"website,omitempty"` // "context": the site that made the connection
	Initiated   string    `json:"initiated_type,omitempty"`
	ByApp       bool      `json:"by_app"` // the app connected by itself (no website, not user-initiated)
	DomainOwner string    `json:"domain_owner,omitempty"`
	DomainType  int64     `json:"domain_type,omitempty"` // 1: known to track across apps and sites
	Hits        int64     `json:"hits"`
	First       time.Time `json:"first_time,omitzero"`
	Last        time.Time `json:"last_time,omitzero"`
	File        string    `json:"file"`
	Line        int       `json:"line"`
	// ValidHost says Domain is a host name or an IP address; a record
	// whose domain is not one keeps it here but exposes no observable.
	ValidHost bool `json:"valid_host"`

	firstErr, lastErr error // a time that is no plausible date (the record keeps it raw)
}

// IP says whether the domain is an IP address literal.
func (n *Network) IP() bool {
	_, err := netip.ParseAddr(strings.Trim(n.Domain, "[]"))
	return err == nil
}

// Access is one use of a resource by an app: an interval (begin and end
// lines paired by identifier), or a single event (iOS 15 beta).
type Access struct {
	App         string    `json:"bundle_id"`
	Category    string    `json:"category"`
	Broadcaster string    `json:"broadcaster,omitempty"` // screen recording: the app broadcasting the screen
	Identifier  string    `json:"identifier,omitempty"`
	Began       time.Time `json:"began,omitzero"`
	Ended       time.Time `json:"ended,omitzero"`
	File        string    `json:"file"`
	Line        int       `json:"line"`

	beganErr, endedErr error
	open               bool // an intervalBegin whose end is still to come
}

// Limits of what one report may make huella hold.
const (
	maxLine    = 1 << 20 // a real line is under 1 KB
	maxRecords = 5_000_000
	maxField   = 1024 // longer values are cut (a domain is at most 253 bytes)
	maxOpen    = 100_000
)

// oversized stands for a line longer than maxLine, which is skipped.
var oversized = []byte{0}

// Reader collects the lines of one or more reports (a person may save the
// report twice, a week apart: overlapping lines are kept once).
type Reader struct {
	Networks []Network
	Accesses []Access
	Lines    int      // non-blank lines read
	Dups     int      // lines seen before, dropped
	Bad      []string // lines that are no JSON object, or too long (first 20, "file:line: why")
	BadCount int
	Unknown  map[string]int // lines of an unknown type, by type
	// BadHosts counts network records whose domain is no host name or IP
	// address (kept, without an observable); BadHost is the first.
	BadHosts int
	BadHost  string
	Stopped  bool // maxRecords reached

	seen    map[[32]byte]bool
	openIDs map[string]int // access identifier -> index in Accesses of its open interval
}

// NewReader returns an empty Reader.
func NewReader() *Reader {
	return &Reader{seen: map[[32]byte]bool{}, openIDs: map[string]int{}, Unknown: map[string]int{}}
}

// Records is how many records the reader holds.
func (r *Reader) Records() int { return len(r.Networks) + len(r.Accesses) }

// Add reads one report. isReport says whether its first non-blank line was
// a report's line: when it is not, nothing more of the file is read.
func (r *Reader) Add(name string, in io.Reader) (isReport bool, err error) {
	br := bufio.NewReaderSize(in, 64<<10)
	line := 0
	first := true
	for {
		b, rerr := readLine(br)
		if len(b) > 0 {
			line++
			if first {
				first = false
				if &b[0] == &oversized[0] || !looksLikeReport(b) {
					return false, nil
				}
			}
			if &b[0] == &oversized[0] {
				r.bad(fmt.Sprintf("%s:%d: line longer than %d bytes", name, line, maxLine))
			} else {
				r.addLine(name, line, b)
			}
			if r.Records() >= maxRecords {
				r.Stopped = true
				return true, nil
			}
		} else if rerr == nil {
			line++
		}
		if rerr == io.EOF {
			return !first, nil
		}
		if rerr != nil {
			return !first, fmt.Errorf("%s: line %d: %w", name, line+1, rerr)
		}
	}
}

// readLine is the next line without its spaces and a leading byte-order
// mark; a line longer than maxLine is oversized.
func readLine(br *bufio.Reader) ([]byte, error) {
	buf, long, err := jsonx.NextLine(br, maxLine)
	if long {
		return oversized, err
	}
	return bytes.TrimSpace(bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf"))), err
}

func (r *Reader) bad(why string) {
	r.BadCount++
	if len(r.Bad) < 20 {
		r.Bad = append(r.Bad, why)
	}
}

// looksLikeReport: the first line of a report is one of its records.
func looksLikeReport(b []byte) bool {
	m, ok := jsonx.Object(b)
	if !ok {
		return false
	}
	switch str(m, "type") {
	case "access":
		return has(m, "accessor") || has(m, "category")
	case "networkActivity":
		return has(m, "domain")
	}
	return strings.HasPrefix(str(m, "stream"), "com.apple.privacy.accounting.stream")
}

func has(m map[string]json.RawMessage, k string) bool { _, ok := m[k]; return ok }

// str reads a string value; anything else (a number, an object) is "".
// Values are cut to maxField bytes.
func str(m map[string]json.RawMessage, k string) string { return clip(jsonx.String(m, k)) }

// num reads a number given as a number or as a string; 0 otherwise.
func num(m map[string]json.RawMessage, k string) int64 {
	raw := bytes.Trim(m[k], `"`)
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(string(raw), 64); err == nil && f >= -1e18 && f <= 1e18 {
		return int64(f)
	}
	return 0
}

// clip cuts a value to maxField bytes (a crafted file can put megabytes in
// one).
func clip(s string) string { return rules.Clip(s, maxField) }

func (r *Reader) addLine(name string, line int, b []byte) {
	r.Lines++
	sum := sha256.Sum256(b)
	if r.seen[sum] {
		r.Dups++
		return
	}
	r.seen[sum] = true
	m, ok := jsonx.Object(b)
	if !ok {
		r.bad(fmt.Sprintf("%s:%d: not a JSON object", name, line))
		return
	}
	switch typ := str(m, "type"); {
	case typ == "networkActivity":
		r.addNetwork(name, line, m)
	case typ == "access":
		r.addAccess(name, line, m, str(jsonx.Sub(m, "accessor"), "identifier"), str(m, "category"), str(m, "kind"), str(m, "timeStamp"))
	case typ == "" && strings.HasPrefix(str(m, "stream"), "com.apple.privacy.accounting.stream"):
		// iOS 15 beta: one event per access, the resource as a TCC service.
		r.addAccess(name, line, m, str(jsonx.Sub(m, "accessor"), "identifier"), tccCategory(str(m, "tccService")), "event", str(m, "timestamp"))
	default:
		if typ == "" {
			typ = "(no type)"
		}
		if len(r.Unknown) < 50 || r.Unknown[clip(typ)] > 0 {
			r.Unknown[clip(typ)]++
		}
	}
}

func (r *Reader) addNetwork(name string, line int, m map[string]json.RawMessage) {
	n := Network{App: str(m, "bundleID"), Domain: strings.TrimSuffix(strings.ToLower(str(m, "domain")), "."),
		Website: str(m, "context"), Initiated: str(m, "initiatedType"), DomainOwner: str(m, "domainOwner"),
		DomainType: num(m, "domainType"), Hits: num(m, "hits"), File: name, Line: line}
	// Apple attributes every connection to the app unless it was made by a
	// web view showing a site (context) or marked as the person's own.
	n.ByApp = n.Website == "" && n.Initiated != "NonAppInitiated"
	n.ValidHost = ValidHost(n.Domain)
	if !n.ValidHost {
		r.BadHosts++
		if r.BadHost == "" {
			r.BadHost = fmt.Sprintf("%s:%d: %q", name, line, rules.Clip(n.Domain, 80))
		}
	}
	n.First, n.firstErr = parseTime(str(m, "firstTimeStamp"))
	n.Last, n.lastErr = parseTime(str(m, "timeStamp"))
	r.Networks = append(r.Networks, n)
}

func (r *Reader) addAccess(name string, line int, m map[string]json.RawMessage, app, category, kind, when string) {
	t, terr := parseTime(when)
	id := str(m, "identifier")
	broadcaster := str(jsonx.Sub(m, "broadcaster"), "identifier")
	if kind == "intervalEnd" && id != "" {
		if i, ok := r.openIDs[id]; ok {
			delete(r.openIDs, id)
			a := &r.Accesses[i]
			a.Ended, a.endedErr, a.open = t, terr, false
			return
		}
	}
	a := Access{App: app, Category: category, Broadcaster: broadcaster, Identifier: id, File: name, Line: line}
	switch kind {
	case "intervalEnd":
		a.Ended, a.endedErr = t, terr // its begin is older than the report
	default:
		a.Began, a.beganErr = t, terr
		if kind == "intervalBegin" && id != "" && len(r.openIDs) < maxOpen {
			a.open = true
			r.openIDs[id] = len(r.Accesses)
		}
	}
	r.Accesses = append(r.Accesses, a)
}

// tccCategory names the resource of an iOS 15 beta record's TCC service as
// the released format does.
func tccCategory(svc string) string {
	switch strings.TrimPrefix(svc, "kTCCService") {
	case "Camera":
		return "camera"
	case "Microphone":
		return "microphone"
	case "AddressBook":
		return "contacts"
	case "Photos", "PhotosAdd":
		return "photos"
	case "MediaLibrary":
		return "mediaLibrary"
	case "ScreenCapture":
		return "screenRecording"
	case "":
		return ""
	}
	return svc
}

// timeLayouts are the ISO 8601 forms the report uses ("2021-10-14T08:24:53.092+08:00",
// "2021-06-06T16:15:48Z") and close variants.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999 -0700"}

// parseTime reads a report's time (timestamp.ParseText). An empty value is
// no time; a value that is no date, or no date between 1970 and 2100, is an
// error that keeps it as written.
func parseTime(s string) (time.Time, error) {
	t, err := timestamp.ParseText(s, timeLayouts...)
	return t.UTC(), err
}

// ValidHost says whether s is a host name (letters, digits, '-' and '_'
// in dot-separated labels of at most 63 bytes, 253 in all) or an IP
// address: what an indicator can match.
func ValidHost(s string) bool {
	if s == "" {
		return false
	}
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return true
	}
	if len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func run(ctx context.Context, env *module.Env) error {
	var files []string
	for _, f := range env.Evidence.Glob(Paths...) {
		if !phoneexport.Secret(f) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return module.Absent("App_Privacy_Report_*.ndjson")
	}
	if len(files) > maxFiles {
		env.Warn("%d files; only the first %d were looked at", len(files), maxFiles)
		files = files[:maxFiles]
	}
	rd := NewReader()
	reports, others := 0, 0
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := env.Open(name, evfile.Stream)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		env.Find(name) // looked at, report or not
		isReport, err := rd.Add(name, evfile.WithContext(ctx, f))
		f.Close()
		if isReport {
			reports++
		} else {
			others++
		}
		if err != nil {
			env.Unreadable(name, err)
		}
	}
	if reports == 0 {
		return module.Absent("an App Privacy Report (no file starts with a report's record)")
	}
	if others > 0 {
		env.Log.Info("files that are not App Privacy Reports were left aside", "count", others)
	}
	warn(env, rd)
	emit(env, rd)
	return nil
}

func warn(env *module.Env, rd *Reader) {
	if rd.BadCount > 0 {
		env.Warn("%d lines are not records of the report, first: %s", rd.BadCount, rd.Bad[0])
	}
	if rd.BadHosts > 0 {
		env.Warn("%d network records name no host or IP address (kept, not matched against indicators), first: %s", rd.BadHosts, rd.BadHost)
	}
	if len(rd.Unknown) > 0 {
		var types []string
		for t, n := range rd.Unknown {
			types = append(types, fmt.Sprintf("%s (%d)", t, n))
		}
		slices.Sort(types)
		env.Warn("records of unknown types: %s", strings.Join(types, ", "))
	}
	if rd.Stopped {
		env.Warn("more than %d records: the rest was not read", maxRecords)
	}
	if rd.Dups > 0 {
		env.Log.Info("records present in more than one report kept once", "count", rd.Dups)
	}
}

// appIPs is what the IP-address rule needs per app.
type appIPs struct {
	ips   []string
	named bool
	first *model.Record
}

func emit(env *module.Env, rd *Reader) {
	slices.SortStableFunc(rd.Networks, func(a, b Network) int { return a.First.Compare(b.First) })
	byApp := map[string]*appIPs{}
	var order []string
	for i := range rd.Networks {
		n := &rd.Networks[i]
		r := n.record()
		env.Emit(r)
		if !n.ByApp || !n.ValidHost {
			continue
		}
		a := byApp[n.App]
		if a == nil {
			a = &appIPs{}
			byApp[n.App] = a
			order = append(order, n.App)
		}
		switch {
		case !n.IP():
			a.named = true
		case ios.PublicIP(n.Domain) && !slices.Contains(a.ips, n.Domain) && len(a.ips) < 1000:
			a.ips = append(a.ips, n.Domain)
			if a.first == nil {
				a.first = r
			}
		}
	}
	for _, app := range order {
		a := byApp[app]
		env.Report(ios.PrivacyReportIPLiteral(app, a.ips, a.named), a.first)
	}
	slices.SortStableFunc(rd.Accesses, func(a, b Access) int {
		return cmp.Compare(firstOf(a.Began, a.Ended).UnixNano(), firstOf(b.Began, b.Ended).UnixNano())
	})
	for i := range rd.Accesses {
		env.Emit(rd.Accesses[i].record())
	}
}

func (n *Network) record() *model.Record {
	r := &model.Record{Source: fmt.Sprintf("%s:%d", n.File, n.Line), Data: n}
	app := cmp.Or(n.App, "unknown")
	if n.Website != "" {
		r.Summary = fmt.Sprintf("Website %s shown in %s connected to %s (%d times)", n.Website, app, n.Domain, n.Hits)
	} else {
		r.Summary = fmt.Sprintf("%s connected to %s (%d times)", app, n.Domain, n.Hits)
	}
	if n.ValidHost {
		kind := model.KindDomain
		if n.IP() {
			kind = model.KindIP
		}
		field := "domain"
		if n.ByApp {
			field = model.FieldContactedByApp
		}
		r.Add(kind, strings.Trim(n.Domain, "[]"), field)
	}
	if n.Website != "" && ValidHost(strings.ToLower(n.Website)) {
		r.Add(model.KindDomain, strings.ToLower(n.Website), "context")
	}
	r.Add(model.KindAppID, n.App, "bundleID")
	r.StampChecked(n.First, n.firstErr, "first_connection")
	if !n.Last.Equal(n.First) || n.lastErr != nil {
		r.StampChecked(n.Last, n.lastErr, "last_connection")
	}
	return r
}

// categoryWords are how a summary names a resource.
var categoryWords = map[string]string{
	"camera": "the camera", "microphone": "the microphone", "location": "the location", "contacts": "the contacts",
	"photos": "the photos", "mediaLibrary": "the media library", "screenRecording": "screen recording",
}

func (a *Access) record() *model.Record {
	r := &model.Record{Source: fmt.Sprintf("%s:%d", a.File, a.Line), Data: a}
	what := categoryWords[a.Category]
	if what == "" {
		what = cmp.Or(a.Category, "unknown")
	}
	r.Summary = fmt.Sprintf("%s used %s", cmp.Or(a.App, "unknown"), what)
	r.Add(model.KindAppID, a.App, "accessor")
	r.Add(model.KindAppID, a.Broadcaster, "broadcaster")
	r.StampChecked(a.Began, a.beganErr, "access_began")
	r.StampChecked(a.Ended, a.endedErr, "access_ended")
	return r
}

// firstOf is the time an access is sorted by: its start, else its end.
func firstOf(began, ended time.Time) time.Time {
	if began.IsZero() {
		return ended
	}
	return began
}

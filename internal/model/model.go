// Package model holds the types every stage of the pipeline shares: records a
// module extracts, the observables they expose to the matcher, and the
// detections and timeline entries that come out the other end.
//
// Keeping them in one small package lets parsers, the indicator matcher,
// heuristics and writers evolve apart: a parser never needs to know how an
// observable is matched, and check-iocs can re-match saved records without
// the evidence.
package model

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// SchemaVersion is written into every JSON file huella produces. Bump it when
// a field changes meaning or is removed; adding a field does not bump it.
const SchemaVersion = 1

// Kind names what an observable is, which decides how the matcher looks it up.
type Kind string

const (
	KindURL             Kind = "url"              // a full link; host, domain, IP and URL indicators all apply
	KindDomain          Kind = "domain"           // a host name; matched with its parent domains
	KindIP              Kind = "ip"               // IPv4 or IPv6 literal, matched exactly
	KindEmail           Kind = "email"            // e-mail address or iMessage/WhatsApp handle
	KindProcess         Kind = "process"          // process or executable name
	KindFilePath        Kind = "file_path"        // absolute path; file:path and file:name (base name) apply
	KindAppID           Kind = "app_id"           // bundle id or Android package name
	KindCertSHA1        Kind = "cert_sha1"        // signing certificate hash
	KindCertSHA256      Kind = "cert_sha256"      //
	KindCertMD5         Kind = "cert_md5"         //
	KindSHA256          Kind = "sha256"           // file content hash
	KindSHA1            Kind = "sha1"             //
	KindMD5             Kind = "md5"              //
	KindProfileID       Kind = "profile_id"       // iOS configuration profile identifier (UUID)
	KindAndroidProperty Kind = "android_property" // system property name (getprop key)
)

// Observable is one value in a record that an indicator could match.
// Field says where in the record it came from, so a finding can point at it.
type Observable struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
	Field string `json:"field,omitempty"`
}

// FieldContactedByApp is the Field of a domain or IP observable that an
// app on the phone connected to by itself, as the phone recorded it (the
// App Privacy Report's app-initiated network activity), rather than a page
// someone opened: an indicator match there is a trace of the app on the
// device (see indicator.feed.match's app_contact context).
const FieldContactedByApp = "contacted_by_app"

// Stamp is one dated event carried by a record. A record can carry several
// (first and last use of a process, creation and modification of a file).
type Stamp struct {
	Time time.Time `json:"time"`
	Desc string    `json:"desc"` // what happened at that time, e.g. "sms_received", "visit"
}

// RawTime is a date the evidence stores that is no plausible date (outside
// 1970–2100, or not a number at all): it is kept as stored, never wrapped to
// a wrong time, and left off the timeline.
type RawTime struct {
	Desc string `json:"desc"` // what happened, as in Stamp
	Raw  string `json:"raw"`  // the stored value, as text
	Why  string `json:"why"`  // e.g. "9.5e+09 (Cocoa seconds) is not a date between 1970 and 2099"
}

// Record is one item a module extracted (a message, a visit, a process-usage
// row, a package...). Data holds the module's own typed struct; it becomes a
// generic map when a record is read back from saved JSON, which is why
// Observables and Summary are kept beside it rather than derived from it.
type Record struct {
	Module      string       `json:"module"`
	Source      string       `json:"source,omitempty"` // artifact inside the evidence, e.g. "HomeDomain/Library/SMS/sms.db"
	Summary     string       `json:"summary"`          // one line a person can read in the timeline
	Times       []Stamp      `json:"times,omitempty"`
	RawTimes    []RawTime    `json:"raw_times,omitempty"` // dates that could not be placed in time
	Observables []Observable `json:"observables,omitempty"`
	Data        any          `json:"data,omitempty"`
}

// Severity orders findings. The values are the words written in JSON.
type Severity int

const (
	Informational Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"informational", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity accepts the JSON words; ok is false for anything else.
func ParseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), true
		}
	}
	return Informational, false
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, ok := ParseSeverity(string(b))
	if !ok {
		return &UnknownSeverityError{Value: string(b)}
	}
	*s = v
	return nil
}

type UnknownSeverityError struct{ Value string }

func (e *UnknownSeverityError) Error() string { return "unknown severity " + e.Value }

// DetectionKind says which stage produced a detection.
type DetectionKind string

const (
	ByIndicator   DetectionKind = "indicator"   // an observable matched a STIX indicator
	ByHeuristic   DetectionKind = "heuristic"   // a rule over one record, no indicator needed
	ByCorrelation DetectionKind = "correlation" // a rule over several timeline events
)

// IndicatorRef explains an indicator match: which indicator, from which feed.
type IndicatorRef struct {
	Type       string `json:"type"`     // STIX object path, e.g. "domain-name:value"
	Value      string `json:"value"`    // the indicator's value as published
	Campaign   string `json:"campaign"` // malware or report name, else the file name
	File       string `json:"file"`     // STIX file it came from (base name)
	FileSHA256 string `json:"file_sha256,omitempty"`
	ID         string `json:"id"` // STIX indicator id
}

// Detection is one finding.
type Detection struct {
	Module string        `json:"module"`
	Kind   DetectionKind `json:"kind"`
	// Rule is the id of the rule in the registry (internal/rules) that made
	// this finding; its texts in every language are rendered from Rule,
	// Params and Context. Results written before the registry used other ids
	// ("ioc", "link.lookalike"); those are shown with Reason.
	Rule     string   `json:"rule,omitempty"`
	Severity Severity `json:"severity"`
	// Reason is the English rendering of the finding, kept for readers of the
	// JSON that do not know the registry.
	Reason string `json:"reason"`
	// Params are the named values the rule's texts quote (evidence values,
	// counts); Context names the circumstances that raised or lowered the
	// rule's base severity ("lure", "staging_folder").
	Params     map[string]string `json:"params,omitempty"`
	Context    []string          `json:"context,omitempty"`
	Time       *time.Time        `json:"time,omitempty"`
	Observable *Observable       `json:"observable,omitempty"`
	// Indicator is the first indicator the observable matched; Indicators
	// lists every one (several feeds often publish the same value), so one
	// finding stands for one matched value in one record.
	Indicator  *IndicatorRef  `json:"indicator,omitempty"`
	Indicators []IndicatorRef `json:"indicators,omitempty"`
	Record     *Record        `json:"record,omitempty"`
	Related    []Event        `json:"related,omitempty"` // events a correlation rule joined
}

// AllIndicators returns every indicator of an indicator finding, including
// results written before Indicators existed (only Indicator set).
func (d *Detection) AllIndicators() []IndicatorRef {
	if len(d.Indicators) > 0 {
		return d.Indicators
	}
	if d.Indicator != nil {
		return []IndicatorRef{*d.Indicator}
	}
	return nil
}

// Event is one line of the timeline.
type Event struct {
	Time     time.Time `json:"time"`
	Module   string    `json:"module"`
	Desc     string    `json:"desc"`
	Summary  string    `json:"summary"`
	Source   string    `json:"source,omitempty"`
	Severity *Severity `json:"severity,omitempty"` // set when a detection points at this event's record
	// Hosts are the lower-case host names of the record's links and domains,
	// and Processes its process names: correlation rules join on them.
	Hosts     []string `json:"hosts,omitempty"`
	Processes []string `json:"processes,omitempty"`
}

// Events expands a record into timeline events, one per stamp.
func (r *Record) Events() []Event {
	out := make([]Event, 0, len(r.Times))
	var hosts, procs []string
	for _, o := range r.Observables {
		switch o.Kind {
		case KindURL, KindDomain, KindIP:
			if h := hostOf(o.Value); h != "" {
				hosts = append(hosts, h)
			}
		case KindProcess:
			procs = append(procs, o.Value)
		}
	}
	for _, s := range r.Times {
		if s.Time.IsZero() {
			continue
		}
		out = append(out, Event{Time: s.Time.UTC(), Module: r.Module, Desc: s.Desc, Summary: r.Summary, Source: r.Source, Hosts: hosts, Processes: procs})
	}
	return out
}

// FirstTime is the record's earliest non-zero stamp, used as a detection's time.
func (r *Record) FirstTime() *time.Time {
	var best time.Time
	for _, s := range r.Times {
		if s.Time.IsZero() {
			continue
		}
		if best.IsZero() || s.Time.Before(best) {
			best = s.Time
		}
	}
	if best.IsZero() {
		return nil
	}
	t := best.UTC()
	return &t
}

// Add appends an observable when the value is not empty, so parsers can pass
// nullable columns without checking each one.
func (r *Record) Add(kind Kind, value, field string) {
	if value == "" {
		return
	}
	r.Observables = append(r.Observables, Observable{Kind: kind, Value: value, Field: field})
}

// Stamp appends a dated event when the time is set. A time outside the
// plausible range (a date parsed from text can say year 9999) is kept in
// RawTimes instead, so the timeline and its order are never distorted.
func (r *Record) Stamp(t time.Time, desc string) {
	if t.IsZero() {
		return
	}
	if err := timestamp.Check(t); err != nil {
		r.rawTime(desc, err)
		return
	}
	r.Times = append(r.Times, Stamp{Time: t.UTC(), Desc: desc})
}

// StampChecked is Stamp for the result of a timestamp conversion: when the
// stored value was out of range (a *timestamp.RangeError), the record keeps
// the raw value in RawTimes. Other errors are kept the same way.
func (r *Record) StampChecked(t time.Time, err error, desc string) {
	if err != nil {
		r.rawTime(desc, err)
		return
	}
	r.Stamp(t, desc)
}

// maxRawTimes bounds what one hostile record can carry.
const maxRawTimes = 16

func (r *Record) rawTime(desc string, err error) {
	if len(r.RawTimes) < maxRawTimes {
		r.RawTimes = append(r.RawTimes, NewRawTime(desc, err))
	}
}

// NewRawTime describes a date that could not be placed, from the error of a
// timestamp conversion (a *timestamp.RangeError keeps the stored value).
func NewRawTime(desc string, err error) RawTime {
	raw := ""
	var re *timestamp.RangeError
	if errors.As(err, &re) {
		raw = re.Raw
	}
	return RawTime{Desc: desc, Raw: raw, Why: err.Error()}
}

// hostOf is a cheap host extraction for correlation keys; the indicator
// matcher has its own, stricter normalisation.
func hostOf(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

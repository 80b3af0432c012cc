package report

import (
	"html/template"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

// Data is everything the template receives. Texts are already translated, so
// golden tests of Data also pin the wording a person reads.
type Data struct {
	Lang       string       `json:"lang"`
	Generated  string       `json:"generated"`
	Verdict    Verdict      `json:"verdict"`
	Groups     []Group      `json:"groups"`
	GoodSigns  []Finding    `json:"good_signs,omitempty"` // findings of the registry's "good" category: protections that are on
	NextSteps  []string     `json:"next_steps"`
	Timeline   TimelineInfo `json:"timeline"`
	Events     *Events      `json:"events"`
	Evidence   EvidenceView `json:"evidence"`
	Coverage   []Coverage   `json:"coverage"`
	Provenance Provenance   `json:"provenance"`
	// Absent is what this evidence does not hold (module status absent):
	// nothing to check there, shown apart and in a neutral colour.
	Absent   []ModuleRef  `json:"absent,omitempty"`
	Glossary []GlossEntry `json:"-"` // the same in every report: not in the golden files
	// Custody is the custody window's section (--custody), Processes the
	// "Processes seen" table; nil when the run has none.
	Custody   *CustodyView   `json:"custody,omitempty"`
	Processes *ProcessesView `json:"processes,omitempty"`

	cat          *Catalogue
	untranslated map[string]string // module+summary no template of the reader's language matched -> module
	processesCut bool
}

// Untranslated lists, as "module: summary", the record summaries a report
// in a language other than English had to show as written because no
// summary template of their module matched (see i18n/summaries.yaml).
func (d *Data) Untranslated() []string {
	out := slices.Sorted(maps.Keys(d.untranslated))
	return out
}

// noteUntranslated remembers a summary shown as written; a few examples are
// enough to find the missing template.
func (d *Data) noteUntranslated(module, summary string) {
	if d.cat == nil || d.cat.Lang == DefaultLang || summary == "" {
		return
	}
	if d.untranslated == nil {
		d.untranslated = map[string]string{}
	}
	if len(d.untranslated) < 100 {
		d.untranslated[module+": "+clip(summary, 200)] = module
	}
}

// Verdict is the first thing on the page: one plain sentence, then what
// weakens it.
type Verdict struct {
	// Level picks the colour: critical, high, medium, low, none, incomplete, error.
	Level    string `json:"level"`
	Headline string `json:"headline"`
	// Group is the reader's situation (found, review, incomplete, error,
	// none): what the verdict means and what to do next depend on it.
	Group     string   `json:"group"`
	Meaning   string   `json:"meaning"`
	Notes     []string `json:"notes,omitempty"`
	Counts    []Count  `json:"counts,omitempty"`
	Campaigns []string `json:"campaigns,omitempty"`
	// NotChecked is what should have been checked and was not, each with
	// how to fix it (internal/outcome decides it, internal/coverage words it).
	NotChecked []NotChecked `json:"not_checked,omitempty"`
	// Absent names the modules whose artifact this evidence does not hold.
	Absent []string `json:"absent,omitempty"`
}

type Count struct {
	Severity string `json:"severity"`
	Label    string `json:"label"`
	N        int    `json:"n"`
}

type NotChecked struct {
	Part   string `json:"part"` // as internal/outcome wrote it (module ids): the tooltip, for analysts
	Cause  string `json:"cause"`
	Reason string `json:"reason"`
	Fix    string `json:"fix,omitempty"`
}

// Group is the findings of one severity. Open groups are shown expanded:
// the most severe ones, and the first whatever its severity.
type Group struct {
	Severity string    `json:"severity"`
	Label    string    `json:"label"`
	Open     bool      `json:"open,omitempty"`
	Findings []Finding `json:"findings"`
}

// ModuleRef is a module by its id and its name in the reader's language.
type ModuleRef struct {
	Module string `json:"module"`
	Name   string `json:"name"`
	Looked string `json:"looked_for,omitempty"` // the artifact it reads, as the module named it
}

type Finding struct {
	ID            string               `json:"id"`
	Severity      string               `json:"severity"`
	SeverityLabel string               `json:"severity_label"`
	Kind          string               `json:"kind"`
	KindLabel     string               `json:"kind_label"`
	Category      string               `json:"category,omitempty"` // the registry's: trace, lead, pattern, risk, note, good
	Rule          string               `json:"rule,omitempty"`
	Module        string               `json:"module"`
	ModuleName    string               `json:"module_name"`
	What          string               `json:"what"`
	Unix          *int64               `json:"unix,omitempty"`
	WhenUTC       string               `json:"when_utc"`
	WhenLocal     string               `json:"when_local,omitempty"`
	Source        string               `json:"source,omitempty"`
	Record        string               `json:"record,omitempty"`
	RecordJSON    string               `json:"record_json,omitempty"`
	Observable    *model.Observable    `json:"observable,omitempty"`
	Indicator     *model.IndicatorRef  `json:"indicator,omitempty"`
	Indicators    []model.IndicatorRef `json:"indicators,omitempty"` // every indicator the value matched, one per feed
	Campaign      string               `json:"campaign,omitempty"`
	Strength      string               `json:"strength"`
	Why           string               `json:"why"`
	Benign        []string             `json:"benign"`
	Related       []RelatedEvent       `json:"related,omitempty"`

	// The same texts cut into segments, evidence values apart: the page
	// isolates values (bidi, no translation) and tests can tell a value
	// from the words around it.
	WhatParts   []rules.Segment `json:"-"`
	RecordParts []rules.Segment `json:"-"`
}

type RelatedEvent struct {
	WhenUTC      string          `json:"when_utc"`
	WhenLocal    string          `json:"when_local,omitempty"`
	Module       string          `json:"module"`
	ModuleName   string          `json:"module_name"`
	Desc         string          `json:"desc"`
	DescLabel    string          `json:"desc_label,omitempty"`
	Summary      string          `json:"summary"`
	SummaryParts []rules.Segment `json:"-"`
}

type TimelineInfo struct {
	Total    int    `json:"total"`
	Embedded int    `json:"embedded"`
	Skipped  int    `json:"skipped,omitempty"` // unreadable lines
	First    string `json:"first,omitempty"`
	Last     string `json:"last,omitempty"`
	// FirstLocal and LastLocal are the same instants on the phone's clock,
	// when the evidence says its time zone.
	FirstLocal string `json:"first_local,omitempty"`
	LastLocal  string `json:"last_local,omitempty"`
	TimeZone   string `json:"time_zone,omitempty"`
	Missing    bool   `json:"missing,omitempty"`
	Truncated  bool   `json:"truncated,omitempty"`
}

// Events is the timeline in columns, the shape the page's script filters
// with typed arrays: one entry per event in T, M, S, D, X and R; M, D, X
// and R index the dictionaries, since modules, descriptions, sources and
// even summaries repeat a lot.
type Events struct {
	T       []int64  `json:"t"` // unix seconds, UTC
	M       []int32  `json:"m"`
	S       []int8   `json:"s"` // 0 none, 1 informational ... 5 critical
	D       []int32  `json:"d"`
	X       []int32  `json:"x"`
	R       []int32  `json:"r"`
	Modules []string `json:"mods"`
	Descs   []string `json:"descs"`
	Texts   []string `json:"texts"`
	Sources []string `json:"sources"`
	Zone    string   `json:"tz,omitempty"`

	first, last int64 // the earliest and latest event, unix seconds

	// texts and sources hold the whole dictionaries when they outgrew
	// memory (Texts and Sources are then their first part), and more the
	// events past the first memRows: see spool.go.
	texts, sources *spoolDict
	more           *rowSpool
}

// rows is the number of events in the columns.
func (e *Events) rows() int {
	n := len(e.T)
	if e.more != nil {
		n += e.more.n
	}
	return n
}

// close removes what the columns spooled to disk.
func (e *Events) close() {
	if e == nil {
		return
	}
	for _, d := range []*spoolDict{e.texts, e.sources} {
		if d != nil {
			d.close()
		}
	}
	e.more.close()
}

type EvidenceView struct {
	Kind      string   `json:"kind"`
	KindName  string   `json:"kind_name"`
	Path      string   `json:"path"`
	Device    string   `json:"device,omitempty"`
	OS        string   `json:"os,omitempty"`
	ID        string   `json:"id,omitempty"`
	TimeZone  string   `json:"time_zone,omitempty"`
	Acquired  string   `json:"acquired,omitempty"`
	Notes     []string `json:"notes,omitempty"`
	RecheckOf string   `json:"recheck_of,omitempty"`
	// In a check of several evidences, AllKinds names them all ("iPhone
	// backup + Network capture or log") and Others are those after the
	// first.
	AllKinds string         `json:"all_kinds,omitempty"`
	Others   []EvidenceView `json:"others,omitempty"`
}

type Coverage struct {
	Module      string   `json:"module"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Status      string   `json:"status"`
	StatusLabel string   `json:"status_label"`
	Records     int      `json:"records"`
	Detections  int      `json:"detections"`
	Error       string   `json:"error,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
	Artifacts   []string `json:"artifacts,omitempty"`
}

type Provenance struct {
	Tool     string `json:"tool"`
	Command  string `json:"command"` // shell-quoted: it can be copied and run
	Started  string `json:"started"`
	Finished string `json:"finished"`
	// The inputs in summary: how many, their size, one SHA-256 for all
	// (inputsDigest), and the first MaxListedInputs of them; info.json
	// lists every one.
	InputsTotal  int       `json:"inputs_total"`
	InputsBytes  int64     `json:"inputs_bytes"`
	InputsDigest string    `json:"inputs_digest,omitempty"`
	DigestFile   bool      `json:"digest_file,omitempty"`   // the digest is inputs.sha256's
	DigestSingle bool      `json:"digest_single,omitempty"` // the digest is the one input's own hash
	Inputs       []FileRow `json:"inputs"`
	// Lists are the hash list files of a check whose evidences are not
	// all listed inline (several evidences, one a huge folder).
	Lists           []ListRow      `json:"lists,omitempty"`
	Indicators      []IndicatorRow `json:"indicators"`
	IndicatorsTotal int            `json:"indicators_total"`
	Lock            string         `json:"lock,omitempty"`
}

// ListRow is one input hash list beside the report: its name, how many
// files it lists, and its own SHA-256.
type ListRow struct {
	File   string `json:"file"`
	Files  int    `json:"files"`
	SHA256 string `json:"sha256"`
}

type FileRow struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

type IndicatorRow struct {
	Name       string `json:"name"`
	SHA256     string `json:"sha256"`
	Indicators int    `json:"indicators"`
	Counts     string `json:"counts,omitempty"`
	Error      string `json:"error,omitempty"`
}

// T translates for the template.
func (d *Data) T(key string, pairs ...any) string { return d.cat.T(key, pairs...) }

// FindingCount is the number of findings in all groups.
func (d *Data) FindingCount() int {
	n := 0
	for _, g := range d.Groups {
		n += len(g.Findings)
	}
	return n
}

// A translates like T and explains the abbreviations of the text
// (<abbr title>), for the template.
func (d *Data) A(key string, pairs ...any) template.HTML { return d.cat.Abbr(d.cat.T(key, pairs...)) }

// Ab explains the abbreviations of a text already in the reader's
// language (a rule's explanation, a gap's reason).
func (d *Data) Ab(text string) template.HTML { return d.cat.Abbr(text) }

// Segs writes a text cut into segments: evidence values isolated in
// <bdi class="v"> (shown as written, never annotated), the words around
// them with their abbreviations explained.
func (d *Data) Segs(segs []rules.Segment) template.HTML {
	var b strings.Builder
	for _, s := range segs {
		if s.Value {
			b.WriteString(`<bdi class="v">`)
			b.WriteString(template.HTMLEscapeString(s.Text))
			b.WriteString(`</bdi>`)
		} else {
			b.WriteString(string(d.cat.Abbr(s.Text)))
		}
	}
	return template.HTML(b.String())
}

// Size writes a byte count for people (1.2 MB).
func (d *Data) Size(n int64) string {
	const unit = 1000
	if n < unit {
		return d.cat.T("size.bytes", "n", n)
	}
	v, u := float64(n), 0
	for v >= unit && u < 4 {
		v /= unit
		u++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + []string{"", "kB", "MB", "GB", "TB"}[u]
}

// Package results defines the files every check writes into its output
// folder, and reads them back (for report, check-iocs and export):
//
//	info.json         run metadata, inputs and indicator files with SHA-256, module coverage
//	<module>.json     the module's records, streamed
//	detections.json   every finding
//	timeline.csv      all dated events, UTC (and device-local when the zone is known)
//	timeline.jsonl    the same, one JSON object per line, importable into Timesketch
//	command.log       what was printed while running
//
// Each JSON file carries schema_version (model.SchemaVersion); schemas live in schema/.
package results

import (
	"time"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/source"
)

// Module coverage states: what a module found, so a run that finds nothing
// says what was and was not checked.
const (
	StatusParsed  = "parsed"  // artifact read, Records > 0
	StatusEmpty   = "empty"   // artifact present, no records in it
	StatusAbsent  = "absent"  // artifact not in this evidence
	StatusFailed  = "failed"  // error; records read before it are kept
	StatusSkipped = "skipped" // not run (deselected with --modules)
	// StatusUnreadable: the artifact is present but nothing could be read
	// from it (every file the module found was unreadable). Unlike "empty"
	// it makes the outcome incomplete.
	StatusUnreadable = "unreadable"
	// StatusInterrupted: the run was stopped before or while this module ran.
	StatusInterrupted = "interrupted"
)

type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
}

type EvidenceInfo struct {
	Kind   source.Kind   `json:"kind"`
	Path   string        `json:"path"`
	Device source.Device `json:"device"`
	Notes  []string      `json:"notes,omitempty"`
	// Gaps are the parts of the evidence that could not be opened.
	Gaps []coverage.Gap `json:"gaps,omitempty"`
	// Modules, in a check of several evidences (Info.Evidences), are the
	// modules that read this one.
	Modules []string `json:"modules,omitempty"`
	// InputsList, in Info.Evidences, stands for this evidence's input
	// hashes when it is a folder of too many files to list (the first
	// evidence's is also Info.InputsList).
	InputsList *source.InputsList `json:"inputs_list,omitempty"`
}

// KindUnopened is the kind written for a path of a check of several
// evidences that could not be opened (its gap says why).
const KindUnopened source.Kind = "unopened"

// IndicatorFile mirrors indicators.FileInfo without importing it, so the
// results format does not move when the loader's internals do.
type IndicatorFile struct {
	Path        string         `json:"path"`
	Name        string         `json:"name"`
	SHA256      string         `json:"sha256"`
	Size        int64          `json:"size"`
	Indicators  int            `json:"indicators"`
	Counts      map[string]int `json:"counts,omitempty"`
	Unsupported int            `json:"unsupported,omitempty"`
	Error       string         `json:"error,omitempty"`
}

type Indicators struct {
	Files    []IndicatorFile `json:"files"`
	Total    int             `json:"total"` // distinct (type, value) pairs compiled
	Problems int             `json:"problems,omitempty"`
	Lock     string          `json:"lock,omitempty"` // --iocs-lock file used, if any
}

type ModuleInfo struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Status      string   `json:"status"`
	Records     int      `json:"records"`
	Detections  int      `json:"detections"`
	Error       string   `json:"error,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
	Artifacts   []string `json:"artifacts,omitempty"`
	DurationMS  int64    `json:"duration_ms"`
	// Gaps are what the module found and could not check (see coverage).
	Gaps []coverage.Gap `json:"gaps,omitempty"`
}

// Summary is the outcome of a run (internal/outcome computes it): what was
// found, the verdict, what was not checked, and the exit status.
type Summary struct {
	Detections int            `json:"detections"`
	BySeverity map[string]int `json:"by_severity"`
	Highest    string         `json:"highest,omitempty"`
	Campaigns  []string       `json:"campaigns,omitempty"`
	Events     int            `json:"events"`
	// Level is the verdict: critical, high, medium, low, none, incomplete, error.
	Level string `json:"level"`
	// Headline is the verdict sentence's catalogue key (internal/report/i18n).
	Headline string `json:"headline"`
	// NotChecked lists every part that was not checked, with why and the fix.
	NotChecked []coverage.Gap `json:"not_checked"`
	ExitStatus int            `json:"exit_status"`
}

// Info is info.json.
type Info struct {
	SchemaVersion int                `json:"schema_version"`
	Tool          Tool               `json:"tool"`
	Command       []string           `json:"command"` // secrets redacted
	Started       time.Time          `json:"started"`
	Finished      time.Time          `json:"finished"`
	Evidence      EvidenceInfo       `json:"evidence"`
	Inputs        []source.InputFile `json:"inputs"`
	// InputsList stands for Inputs when the evidence is a folder of more
	// than source.MaxListedInputs files (a file-system dump): the hashes
	// are in the results folder's inputs.sha256.
	InputsList *source.InputsList `json:"inputs_list,omitempty"`
	Indicators Indicators         `json:"indicators"`
	Modules    []ModuleInfo       `json:"modules"`
	Summary    Summary            `json:"summary"`
	// RecheckOf names the results folder check-iocs re-matched, if any.
	RecheckOf string `json:"recheck_of,omitempty"`
	// Interrupted is set when the run was stopped (Ctrl-C, SIGTERM, SIGHUP)
	// before it finished; Modules then say what ran.
	Interrupted bool `json:"interrupted,omitempty"`
	// Evidences is set when one phone's evidences were checked together
	// (a backup and a capture of its traffic): every path given, the first
	// one also in Evidence. One timeline, one list of findings and one
	// outcome cover them all.
	Evidences []EvidenceInfo `json:"evidences,omitempty"`
	// Custody is the custody window the analyst gave (--custody) and what
	// it holds; 'huella report' rebuilds the report's custody section
	// from its window.
	Custody *custody.Summary `json:"custody,omitempty"`
}

// AllEvidence is every evidence the run read: Evidences when several
// were checked together, else Evidence alone.
func (i *Info) AllEvidence() []EvidenceInfo {
	if len(i.Evidences) > 0 {
		return i.Evidences
	}
	return []EvidenceInfo{i.Evidence}
}

// Detections is detections.json.
type Detections struct {
	SchemaVersion int               `json:"schema_version"`
	Detections    []model.Detection `json:"detections"`
}

// ModuleFile is <module>.json.
type ModuleFile struct {
	SchemaVersion int            `json:"schema_version"`
	Module        string         `json:"module"`
	Records       []model.Record `json:"records"`
}

// Exit statuses (ClamAV's convention, plus one for incomplete runs and the
// shell's for an interrupted one). internal/outcome decides which applies.
const (
	ExitClean       = 0   // nothing found, everything that applies checked, indicators loaded
	ExitFound       = 1   // something found at high or critical severity
	ExitError       = 2   // nothing could be checked, or the command was wrong
	ExitPartial     = 3   // nothing high found, but something that should have been checked was not
	ExitInterrupted = 130 // stopped by SIGINT, SIGTERM or SIGHUP
)

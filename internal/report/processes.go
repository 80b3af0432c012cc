package report

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
)

// ProcessesView is the report's "Processes seen" table: every process or
// binary the evidence names anywhere (the sysdiagnose's ps.txt, spindump,
// task list, shutdown log, log statistics, uuidtext footers,
// UUIDToBinaryLocations, crash reports, a unified-log export), one row per
// name with the paths it ran from, the sources that name it and the first
// and last time any of them saw it. Rows a finding points at come first.
type ProcessesView struct {
	Rows      []ProcessRow `json:"rows"`
	Total     int          `json:"total"`
	Truncated bool         `json:"truncated,omitempty"`
	Flagged   int          `json:"flagged"`
}

// ProcessRow is one process name.
type ProcessRow struct {
	Name    string   `json:"name"`
	Paths   []string `json:"paths,omitempty"`
	Sources []string `json:"sources"`
	First   string   `json:"first,omitempty"`
	Last    string   `json:"last,omitempty"`
	Flagged bool     `json:"flagged,omitempty"`

	first, last time.Time
	srcSet      map[string]bool
}

// processModules are the modules whose records say "this program ran",
// in the order their names are listed in a row.
var processModules = []string{"ios.processes", "ios.spindump", "ios.taskinfo", "ios.shutdown_log", "ios.logdata_statistics",
	"ios.uuidtext", "ios.binary_locations", "ios.unified_log", "ios.crash_reports"}

// Bounds: the page stays light; processes.json-like detail is in the
// modules' own files.
const (
	maxProcessRows  = 3000
	maxProcessPaths = 8
)

// buildProcesses reads the process modules' saved records.
func buildProcesses(d *Data, dir string, dets []model.Detection) error {
	flagged := map[string]bool{}
	for _, det := range dets {
		if det.Observable != nil && (det.Observable.Kind == model.KindProcess || det.Observable.Kind == model.KindFilePath) {
			flagged[det.Observable.Value] = true
		}
	}
	rows := map[string]*ProcessRow{}
	for _, mod := range processModules {
		_, err := results.ReadModuleRecords(results.ModulePath(dir, mod), func(r model.Record) error {
			names := map[string][]string{} // name -> paths
			for _, o := range r.Observables {
				if o.Kind == model.KindFilePath && o.Field != "image" && o.Field != "client_raw" && strings.HasPrefix(o.Value, "/") {
					n := path.Base(o.Value)
					names[n] = append(names[n], o.Value)
				}
			}
			if len(names) == 0 {
				for _, o := range r.Observables {
					if o.Kind == model.KindProcess && o.Field != "parent" {
						names[o.Value] = nil
						break // the first: shutdown.log and others add more as path parts
					}
				}
			}
			for n, paths := range names {
				row := rows[n]
				if row == nil {
					if len(rows) >= maxProcessRows {
						d.processesCut = true
						continue
					}
					row = &ProcessRow{Name: n, srcSet: map[string]bool{}}
					rows[n] = row
				}
				if !row.srcSet[mod] {
					row.srcSet[mod] = true
					row.Sources = append(row.Sources, ModuleName(d.cat, mod))
				}
				for _, p := range paths {
					if !slices.Contains(row.Paths, p) && len(row.Paths) < maxProcessPaths {
						row.Paths = append(row.Paths, p)
					}
					row.Flagged = row.Flagged || flagged[p]
				}
				row.Flagged = row.Flagged || flagged[n]
				for _, s := range r.Times {
					if s.Time.IsZero() {
						continue
					}
					if row.first.IsZero() || s.Time.Before(row.first) {
						row.first = s.Time
					}
					if s.Time.After(row.last) {
						row.last = s.Time
					}
				}
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if len(rows) == 0 {
		return nil
	}
	v := &ProcessesView{Total: len(rows), Truncated: d.processesCut}
	for _, r := range rows {
		if !r.first.IsZero() {
			r.First, r.Last = fmtUTC(r.first), fmtUTC(r.last)
		}
		sort.Strings(r.Paths)
		if r.Flagged {
			v.Flagged++
		}
		v.Rows = append(v.Rows, *r)
	}
	sort.Slice(v.Rows, func(i, j int) bool {
		a, b := v.Rows[i], v.Rows[j]
		if a.Flagged != b.Flagged {
			return a.Flagged
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
	d.Processes = v
	return nil
}

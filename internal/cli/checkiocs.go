package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/version"
)

type recheckFile struct {
	SchemaVersion int               `json:"schema_version"`
	Original      string            `json:"original"`
	New           []model.Detection `json:"new"`
	Gone          []model.Detection `json:"gone"`
}

type recheckFlags struct {
	iocFlags
	output, lang         string
	asJSON, quiet, force bool
	verbose, noReport    bool
}

func (a *app) checkIOCsCmd() *cobra.Command {
	f := &recheckFlags{}
	cmd := &cobra.Command{
		Use:   "check-iocs RESULTS_DIR",
		Short: "Re-check the records saved by an earlier check against today's indicators (no evidence needed)",
		Long: `check-iocs reads the <module>.json records an earlier 'huella check' saved and
matches them again with the current indicators, through the same pipeline as
check, so it finds what a fresh check of the original evidence would find. It
writes a new results folder (detections, timeline, info.json, report) and
recheck.json, which lists the findings that are new since the original run.
What the original run could not check (an interrupted run, a failed module,
an encrypted part) stays not checked, and the answer says so.

` + exitHelp,
		Args: a.usageUnlessOneArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheckIOCs(cmd.Context(), commandLine(cmd, args), args[0], f)
		},
	}
	fl := cmd.Flags()
	f.register(fl)
	fl.StringVarP(&f.output, "output", "o", "", "new results folder (default ./huella-recheck-<UTC time>)")
	fl.BoolVar(&f.force, "force", false, "reuse a non-empty output folder: replace the files of an earlier huella run in it, keep anything else")
	fl.StringVar(&f.lang, "lang", "en", "report language: "+strings.Join(report.Languages(), ", "))
	fl.BoolVar(&f.asJSON, "json", false, "print the summary as JSON")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the summary")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "also print the log on the console (it is always in command.log)")
	fl.BoolVar(&f.noReport, "no-report", false, "do not write the report")
	a.registerCompletions(cmd)
	return cmd
}

func (a *app) runCheckIOCs(ctx context.Context, cmdline []string, dir string, f *recheckFlags) error {
	if err := validLang(f.lang); err != nil {
		return exitWith(results.ExitError, err)
	}
	setMemoryLimit()
	started := time.Now().UTC()
	orig, origDets, err := results.ReadRun(dir)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	out := f.output
	if out == "" {
		out = "huella-recheck-" + time.Now().UTC().Format("20060102T150405Z")
	}
	outPath, err := results.ResolveOutDir(out, f.force, dir)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	log := newRunLog(a.stderr, f.verbose)
	log.Info("huella "+version.Version, "command", strings.Join(cmdline, " "))
	set, indInfo, err := f.load(log.Logger)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	// Only the modules the original info.json lists are replayed: any other
	// .json a folder may hold is not huella's and never re-matched.
	desc := map[string]results.ModuleInfo{}
	var mods []module.Def
	replayed := map[string]bool{}
	for _, m := range orig.Modules {
		desc[m.Name] = m
		p := results.ModulePath(dir, m.Name)
		if _, err := os.Stat(p); err != nil || m.Name == "info" || m.Name == "detections" || m.Name == "recheck" {
			continue
		}
		mods = append(mods, scan.Replay(m.Name, m.Description, p, orig.Evidence.Kind))
		replayed[m.Name] = true
	}
	tmp, removeTmp, err := newRunTemp("huella-")
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	defer removeTmp()
	outDir, closeDir, err := log.openOutput(outPath, f.force)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	defer closeDir()

	matcher := matcherOf(set)
	// The custody window of the earlier check is kept: its findings are
	// correlations, computed again over the rebuilt timeline.
	var window custody.Window
	if orig.Custody != nil {
		window = orig.Custody.Window
	}
	correlate, custodyRule := withCustody(correlator, window)
	ev := &source.Evidence{Kind: orig.Evidence.Kind, Path: orig.Evidence.Path, Device: orig.Evidence.Device,
		Notes: orig.Evidence.Notes, Gaps: orig.Evidence.Gaps, Inputs: orig.Inputs, InputsList: orig.InputsList, TempDir: tmp}
	// The input hashes travel with the results they stand for: the first
	// evidence's list and those of the others of a check of several.
	lists := []*source.InputsList{orig.InputsList}
	for _, e := range orig.Evidences[min(1, len(orig.Evidences)):] {
		lists = append(lists, e.InputsList)
	}
	for i, l := range lists {
		if l == nil {
			continue
		}
		if l.File != source.InputsListName(i+1) {
			// info.json is read back from disk: it names no other file.
			return exitWith(results.ExitError, fmt.Errorf("%s: info.json names %q as evidence %d's input hash list, not %s", dir, l.File, i+1, source.InputsListName(i+1)))
		}
		if err := copyInto(outDir, l.File, filepath.Join(dir, filepath.Base(l.File))); err != nil {
			return exitWith(results.ExitError, fmt.Errorf("%s: %w", dir, err))
		}
	}
	res, err := scan.Run(ctx, scan.Options{Evidence: ev, Modules: mods, Matcher: matcher, OutDir: outPath, Log: log.Logger,
		Correlate: correlate, Carry: scan.CarryOver(origDets.Detections)})
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	// Modules the original run did not finish keep their coverage (failed,
	// unreadable, interrupted): re-matching cannot know more about them.
	for i := range res.Modules {
		o, ok := desc[res.Modules[i].Name]
		if !ok || res.Modules[i].Status == results.StatusInterrupted {
			continue
		}
		switch o.Status {
		case results.StatusFailed, results.StatusUnreadable, results.StatusInterrupted:
			res.Modules[i].Status, res.Modules[i].Error, res.Modules[i].Warnings = o.Status, o.Error, o.Warnings
		}
		res.Modules[i].Gaps = append(append([]coverage.Gap(nil), o.Gaps...), res.Modules[i].Gaps...)
	}
	for _, m := range orig.Modules {
		if !replayed[m.Name] {
			res.Modules = append(res.Modules, m)
		}
	}
	info := buildInfo(cmdline, started, ev, indInfo, res, orig.Evidences)
	info.RecheckOf = dir
	addCustody(&info, custodyRule, res)
	if err := outDir.WriteJSON("info.json", info); err != nil {
		return exitWith(results.ExitError, err)
	}
	rc := recheckFile{SchemaVersion: model.SchemaVersion, Original: dir, New: []model.Detection{}, Gone: []model.Detection{}}
	before := map[string]bool{}
	for _, d := range origDets.Detections {
		before[scan.DetectionKey(d)] = true
	}
	now := map[string]bool{}
	for _, d := range res.Detections {
		k := scan.DetectionKey(d)
		now[k] = true
		if !before[k] {
			rc.New = append(rc.New, d)
		}
	}
	for _, d := range origDets.Detections {
		if !now[scan.DetectionKey(d)] {
			rc.Gone = append(rc.Gone, d)
		}
	}
	if err := outDir.WriteJSON("recheck.json", rc); err != nil {
		return exitWith(results.ExitError, err)
	}
	reportName := a.writeReport(outPath, report.Options{Lang: f.lang}, nil, f.noReport || res.Interrupted, log)
	a.lang = f.lang
	a.printSummary(info, res.Detections, out, reportName, f.asJSON)
	if !f.asJSON {
		fmt.Fprintf(a.stdout, "Since the original run (%s): %d new finding(s), %d no longer found.\n", orig.Finished.Format(time.RFC3339), len(rc.New), len(rc.Gone))
		for _, d := range rc.New {
			fmt.Fprintf(a.stdout, "  NEW [%s] %s: %s\n", strings.ToUpper(d.Severity.String()), esc(d.Module), esc(oneLine(findingText(d, a.lang), 200)))
		}
	}
	return exitCode(info.Summary.ExitStatus)
}

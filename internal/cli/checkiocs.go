package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
)

func init() { extraCommands = append(extraCommands, (*app).checkIOCsCmd) }

type recheckFile struct {
	SchemaVersion int               `json:"schema_version"`
	Original      string            `json:"original"`
	New           []model.Detection `json:"new"`
	Gone          []model.Detection `json:"gone"`
}

func (a *app) checkIOCsCmd() *cobra.Command {
	var f iocFlags
	var output, lang string
	var asJSON, quiet bool
	cmd := &cobra.Command{
		Use:   "check-iocs RESULTS_DIR",
		Short: "Re-check the records saved by an earlier check against today's indicators (no evidence needed)",
		Long: `check-iocs reads the <module>.json records an earlier 'huella check' saved and
matches them again with the current indicators, through the same pipeline as
check, so it finds what a fresh check of the original evidence would find. It
writes a new results folder (detections, timeline, info.json, report) and
recheck.json, which lists the findings that are new since the original run.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheckIOCs(cmd.Context(), args[0], output, lang, &f, asJSON, quiet)
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().StringVarP(&output, "output", "o", "", "new results folder (default ./huella-recheck-<UTC time>)")
	cmd.Flags().StringVar(&lang, "lang", "en", "report language (en, es)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the summary")
	return cmd
}

func (a *app) runCheckIOCs(ctx context.Context, dir, out, lang string, f *iocFlags, asJSON, quiet bool) error {
	setMemoryLimit()
	started := time.Now().UTC()
	var orig results.Info
	if err := results.ReadJSON(filepath.Join(dir, "info.json"), &orig); err != nil {
		return exitWith(results.ExitError, fmt.Errorf("%s is not a huella results folder: %w", dir, err))
	}
	var origDets results.Detections
	if err := results.ReadJSON(filepath.Join(dir, "detections.json"), &origDets); err != nil {
		return exitWith(results.ExitError, err)
	}
	if out == "" {
		out = "huella-recheck-" + time.Now().UTC().Format("20060102T150405Z")
	}
	if abs, _ := filepath.Abs(out); abs == mustAbs(dir) {
		return exitWith(results.ExitError, fmt.Errorf("--output must be a new folder, not the original results"))
	}
	if err := results.CreateOutDir(out, dir); err != nil {
		return exitWith(results.ExitError, err)
	}
	logFile, err := os.OpenFile(filepath.Join(out, "command.log"), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	defer logFile.Close()
	log := newLogger(a.stderr, logFile, quiet)
	cmdline := redactArgs(a.args)

	set, indInfo, err := f.load(log)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	var matcher scan.Matcher
	if set != nil {
		matcher = set
	}
	files, err := results.ModuleFiles(dir)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	desc := map[string]results.ModuleInfo{}
	for _, m := range orig.Modules {
		desc[m.Name] = m
	}
	var mods []module.Module
	replayed := map[string]bool{}
	for _, p := range files {
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		mods = append(mods, scan.Replay{Module: name, Desc: desc[name].Description, File: p, Kind: orig.Evidence.Kind})
		replayed[name] = true
	}
	tmp, err := os.MkdirTemp("", "huella-")
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	defer os.RemoveAll(tmp)
	ev := &source.Evidence{Kind: orig.Evidence.Kind, Path: orig.Evidence.Path, Device: orig.Evidence.Device,
		Notes: orig.Evidence.Notes, Inputs: orig.Inputs, TempDir: tmp}
	res, err := scan.Run(ctx, scan.Options{Evidence: ev, Modules: mods, Matcher: matcher, OutDir: out, Log: log,
		Correlate: correlator, Carry: scan.CarryOver(origDets.Detections)})
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	// Modules that saved no records keep their original coverage (absent,
	// failed): re-matching cannot know more about them than the first run.
	for i := range res.Modules {
		if o, ok := desc[res.Modules[i].Name]; ok && o.Status == results.StatusFailed {
			res.Modules[i].Status, res.Modules[i].Error, res.Modules[i].Warnings = o.Status, o.Error, o.Warnings
		}
	}
	for _, m := range orig.Modules {
		if !replayed[m.Name] {
			res.Modules = append(res.Modules, m)
		}
	}
	info := buildInfo(cmdline, started, ev, indInfo, res)
	info.RecheckOf = dir
	if err := results.WriteJSON(filepath.Join(out, "info.json"), info); err != nil {
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
	if err := results.WriteJSON(filepath.Join(out, "recheck.json"), rc); err != nil {
		return exitWith(results.ExitError, err)
	}
	if reportWriter != nil {
		if err := reportWriter(out, lang); err != nil {
			log.Error("report.html not written", "err", err)
		}
	}
	a.lang = lang
	a.printSummary(info, res.Detections, out, asJSON)
	if !asJSON {
		fmt.Fprintf(a.stdout, "Since the original run (%s): %d new finding(s), %d no longer found.\n", orig.Finished.Format(time.RFC3339), len(rc.New), len(rc.Gone))
		for _, d := range rc.New {
			fmt.Fprintf(a.stdout, "  NEW [%s] %s: %s\n", strings.ToUpper(d.Severity.String()), d.Module, oneLine(findingText(d, a.lang), 200))
		}
	}
	return exitCode(info.Summary.ExitStatus)
}

func mustAbs(p string) string {
	a, _ := filepath.Abs(p)
	return a
}

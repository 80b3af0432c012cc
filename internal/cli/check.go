package cli

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/huella-project/huella/internal/detect"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/all"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/opener"
	"github.com/huella-project/huella/internal/version"
)

type checkFlags struct {
	iocFlags
	typ           string
	output        string
	password      string
	passwordFile  string
	keyFile       string
	ageIdentity   string
	modules       []string
	json          bool
	lang          string
	workers       int
	noReport      bool
	quiet         bool
	moduleTimeout time.Duration
	caseFlags     caseFlags // --case: store the results in a case (case.go)
}

func (a *app) checkCmd() *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check PATH",
		Short: "Check phone evidence (backup, dump, sysdiagnose, androidqf, .ab, bugreport)",
		Long: `Check reads the evidence at PATH, recognises its type by itself, runs every
module that applies, matches what it finds against the indicators, and writes
the results into --output: info.json, one <module>.json per module,
detections.json, timeline.csv, timeline.jsonl, command.log and report.html.

The evidence is never written to. Encrypted evidence asks for its password
(--password, --password-file, HUELLA_BACKUP_PASSWORD, or a prompt on a
terminal); passwords are never logged or saved.`,
		Example: `  huella check ~/backups/00008030-001A... --output case-42
  huella check androidqf.zip.age --age-identity key.txt --output case-43
  huella check sysdiagnose_2026.11.24_10-00-00.tar.gz --iocs pegasus.stix2`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), args[0], f)
		},
	}
	fl := cmd.Flags()
	f.register(fl)
	fl.StringVarP(&f.typ, "type", "t", "", "force the evidence type: "+kindList())
	fl.StringVarP(&f.output, "output", "o", "", "results folder (created 0700; default ./huella-results-<UTC time>)")
	fl.StringVarP(&f.password, "password", "p", "", "password of an encrypted backup (prefer --password-file or the prompt: command lines are visible to other users)")
	fl.StringVar(&f.passwordFile, "password-file", "", "file holding the backup password")
	fl.StringVar(&f.keyFile, "key-file", "", "file holding the derived iOS backup key in hex (from 'huella extract-key')")
	fl.StringVar(&f.ageIdentity, "age-identity", "", "age identity file to decrypt an androidqf .zip.age")
	fl.StringSliceVarP(&f.modules, "modules", "m", nil, "run only these modules (names or globs, e.g. ios.sms,ios.safari_*)")
	fl.BoolVar(&f.json, "json", false, "print the summary as JSON on stdout")
	fl.StringVar(&f.lang, "lang", "en", "report language (en, es)")
	fl.IntVar(&f.workers, "workers", 0, "modules run at once (default: number of CPUs)")
	fl.BoolVar(&f.noReport, "no-report", false, "do not write report.html")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the summary")
	fl.DurationVar(&f.moduleTimeout, "module-timeout", 30*time.Minute, "stop a module that runs longer than this (hostile input)")
	f.caseFlags.register(fl, "after the check, store the results in this case (see 'huella case')")
	return cmd
}

func kindList() string {
	var s []string
	for _, k := range source.Kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// secretFlags are redacted from the command line saved in info.json and command.log.
var secretFlags = map[string]bool{"--password": true, "-p": true}

func redactArgs(args []string) []string {
	out := append([]string{"huella"}, args...)
	for i := 1; i < len(out); i++ {
		a := out[i]
		if k, _, ok := strings.Cut(a, "="); ok && secretFlags[k] {
			out[i] = k + "=<redacted>"
			continue
		}
		if secretFlags[a] && i+1 < len(out) {
			out[i+1] = "<redacted>"
			i++
		}
	}
	return out
}

func (a *app) password(f *checkFlags) (string, error) {
	switch {
	case f.password != "":
		return f.password, nil
	case f.passwordFile != "":
		b, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return os.Getenv("HUELLA_BACKUP_PASSWORD"), nil
}

func readKeyFile(p string) ([]byte, error) {
	if p == "" {
		return nil, nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("key file %s: not a hex key: %w", p, err)
	}
	return k, nil
}

// promptPassword asks on the terminal without echo; it returns "" when there
// is no terminal to ask on.
func (a *app) promptPassword(what string) string {
	in, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return ""
	}
	fmt.Fprintf(a.stderr, "Password for %s: ", what)
	b, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return ""
	}
	return string(b)
}

// openEvidence opens the input, asking for a password once when needed.
func (a *app) openEvidence(ctx context.Context, p string, f *checkFlags) (*source.Evidence, error) {
	pw, err := a.password(f)
	if err != nil {
		return nil, err
	}
	key, err := readKeyFile(f.keyFile)
	if err != nil {
		return nil, err
	}
	opts := opener.Options{Type: source.Kind(f.typ), Password: pw, Key: key, AgeIdentity: f.ageIdentity}
	if f.typ != "" && !validKind(f.typ) {
		return nil, fmt.Errorf("unknown --type %q: use one of %s", f.typ, kindList())
	}
	ev, err := opener.Open(ctx, p, opts)
	if errors.Is(err, source.ErrPasswordNeeded) && pw == "" && key == nil {
		if pw = a.promptPassword(p); pw != "" {
			opts.Password = pw
			ev, err = opener.Open(ctx, p, opts)
		}
	}
	return ev, err
}

func validKind(k string) bool {
	for _, x := range source.Kinds {
		if string(x) == k {
			return true
		}
	}
	return false
}

// selectModules splits the modules that apply to the evidence into those to
// run and those the user deselected.
func selectModules(kind source.Kind, patterns []string) (run, skipped []module.Module, err error) {
	for _, p := range patterns {
		if _, err := filepath.Match(p, ""); err != nil {
			return nil, nil, fmt.Errorf("bad --modules pattern %q: %w", p, err)
		}
	}
	matched := map[string]bool{}
	for _, m := range all.Modules() {
		if !module.Applies(m, kind) {
			continue
		}
		if len(patterns) == 0 {
			run = append(run, m)
			continue
		}
		hit := false
		for _, p := range patterns {
			if ok, _ := filepath.Match(p, m.Name()); ok {
				hit, matched[p] = true, true
			}
		}
		if hit {
			run = append(run, m)
		} else {
			skipped = append(skipped, m)
		}
	}
	for _, p := range patterns {
		if !matched[p] {
			return nil, nil, fmt.Errorf("--modules %q matches no module for %s evidence (see 'huella modules')", p, kind)
		}
	}
	return run, skipped, nil
}

func defaultOutDir() string {
	return "huella-results-" + time.Now().UTC().Format("20060102T150405Z")
}

// softMemoryLimit keeps a check's heap near a size a 2-core laptop with
// other work on it can afford: past it the garbage collector works harder
// instead of the heap growing. GOMEMLIMIT overrides it.
const softMemoryLimit = 384 << 20

func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
}

func (a *app) runCheck(ctx context.Context, input string, f *checkFlags) error {
	setMemoryLimit()
	started := time.Now().UTC()
	out := f.output
	if out == "" {
		out = defaultOutDir()
	}
	if err := results.CreateOutDir(out, input); err != nil {
		return exitWith(results.ExitError, err)
	}
	logFile, err := os.OpenFile(filepath.Join(out, "command.log"), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	defer logFile.Close()
	log := newLogger(a.stderr, logFile, f.quiet)
	cmdline := redactArgs(a.args)
	log.Info("huella "+version.Version, "command", strings.Join(cmdline, " "))

	ev, err := a.openEvidence(ctx, input, f)
	if err != nil {
		// Debug reaches command.log only; the terminal gets the error once, from Run.
		log.Debug("cannot open the evidence", "err", err)
		return exitWith(results.ExitError, fmt.Errorf("%s: %w", input, err))
	}
	defer ev.Close()
	log.Info("evidence opened", "type", ev.Kind, "device", deviceLine(ev.Device))
	for _, n := range ev.Notes {
		log.Warn("evidence note", "note", n)
	}

	set, indInfo, err := f.iocFlags.load(log)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	mods, skipped, err := selectModules(ev.Kind, f.modules)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	var matcher scan.Matcher
	if set != nil {
		matcher = set
	}
	var prog scan.Progress
	if !f.quiet && isTerminal(a.stderr) {
		prog = newProgress(a.stderr, len(mods))
	}
	res, err := scan.Run(ctx, scan.Options{
		Evidence: ev, Modules: mods, Skipped: skipped, Matcher: matcher, OutDir: out,
		Workers: f.workers, ModuleTimeout: f.moduleTimeout, Log: log, Progress: prog,
		Correlate: correlator,
	})
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	info := buildInfo(cmdline, started, ev, indInfo, res)
	if err := results.WriteJSON(filepath.Join(out, "info.json"), info); err != nil {
		return exitWith(results.ExitError, err)
	}
	for _, m := range res.Modules {
		if m.Status == results.StatusFailed {
			log.Error("module failed", "module", m.Name, "err", m.Error)
		}
	}
	if !f.noReport && reportWriter != nil {
		if err := reportWriter(out, f.lang); err != nil {
			log.Error("report.html not written", "err", err)
		}
	}
	a.lang = f.lang
	a.printSummary(info, res.Detections, out, f.json)
	return a.storeCheck(ctx, input, out, &f.caseFlags, info.Summary.ExitStatus)
}

func exitCode(code int) error {
	if code == 0 {
		return nil
	}
	return exitWith(code, nil)
}

// correlator and reportWriter are filled in by the files that wire
// internal/detect and internal/report, so this file compiles without them.
var (
	correlator   scan.Correlator = detect.Rules
	reportWriter func(dir, lang string) error
)

func deviceLine(d source.Device) string {
	var parts []string
	for _, s := range []string{d.Name, d.Model, d.OSVersion} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "unknown"
	}
	return strings.Join(parts, ", ")
}

func buildInfo(cmdline []string, started time.Time, ev *source.Evidence, ind results.Indicators, res *scan.Result) results.Info {
	info := results.Info{
		SchemaVersion: model.SchemaVersion,
		Tool:          results.Tool{Name: "huella", Version: version.Version, Commit: version.CommitOrVCS()},
		Command:       cmdline,
		Started:       started,
		Finished:      time.Now().UTC(),
		Evidence:      results.EvidenceInfo{Kind: ev.Kind, Path: ev.Path, Device: ev.Device, Notes: ev.Notes},
		Inputs:        ev.Inputs,
		Indicators:    ind,
		Modules:       res.Modules,
	}
	if info.Inputs == nil {
		info.Inputs = []source.InputFile{}
	}
	info.Summary = Summarize(res.Modules, res.Detections, res.Events)
	return info
}

// Summarize computes the summary block and the exit status.
func Summarize(mods []results.ModuleInfo, dets []model.Detection, events int) results.Summary {
	s := results.Summary{Detections: len(dets), BySeverity: map[string]int{}, Events: events}
	highest := model.Severity(-1)
	camp := map[string]bool{}
	for _, d := range dets {
		s.BySeverity[d.Severity.String()]++
		if d.Severity > highest {
			highest = d.Severity
		}
		if d.Indicator != nil && d.Indicator.Campaign != "" {
			camp[d.Indicator.Campaign] = true
		}
	}
	if highest >= 0 {
		s.Highest = highest.String()
	}
	for c := range camp {
		s.Campaigns = append(s.Campaigns, c)
	}
	sort.Strings(s.Campaigns)
	ran, failed := 0, 0
	for _, m := range mods {
		switch m.Status {
		case results.StatusParsed, results.StatusEmpty:
			ran++
		case results.StatusFailed:
			failed++
			if m.Records > 0 {
				ran++
			}
		}
	}
	switch {
	case highest >= model.High:
		s.ExitStatus = results.ExitFound
	case ran == 0 && failed > 0:
		s.ExitStatus = results.ExitError
	case failed > 0:
		s.ExitStatus = results.ExitPartial
	default:
		s.ExitStatus = results.ExitClean
	}
	return s
}

// newLogger logs to the terminal (info and up, or warnings only with
// --quiet) and everything to command.log.
func newLogger(stderr io.Writer, file io.Writer, quiet bool) *slog.Logger {
	lvl := slog.LevelInfo
	if quiet {
		lvl = slog.LevelWarn
	}
	return slog.New(fanout{
		slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}),
		slog.NewTextHandler(file, &slog.HandlerOptions{Level: slog.LevelDebug}),
	})
}

type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}

package cli

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/huella-project/huella/internal/atomicfile"
	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/detect"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/all"
	"github.com/huella-project/huella/internal/outcome"
	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidqf"
	"github.com/huella-project/huella/internal/source/opener"
	"github.com/huella-project/huella/internal/version"
)

type checkFlags struct {
	iocFlags
	typ           string
	output        string
	force         bool
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
	verbose       bool
	moduleTimeout time.Duration
	openTimeout   time.Duration
	tempBudget    string
	custody       string
	window        custody.Window // --custody, parsed by validate
	caseFlags     caseFlags      // --case: store the results in a case (case.go)
}

func (a *app) checkCmd() *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check PATH [PATH...]",
		Short: "Check phone evidence (backup, dump, sysdiagnose, androidqf, .ab, bugreport, captures and DNS logs)",
		Long: `Check reads the evidence at PATH, recognises its type by itself, runs every
module that applies, matches what it finds against the indicators, and writes
the results into --output: info.json, one <module>.json per module,
detections.json, timeline.csv, timeline.jsonl, command.log and report.html
(report.<lang>.html for another --lang).

Several paths are evidences of one phone checked together, e.g. a backup
and captures or DNS logs of its traffic (pcap, pcapng, Zeek, Suricata
eve.json, Pi-hole, AdGuard Home, NextDNS, a PiRogue capture folder): each
is recognised by itself, the captures and logs are read as one network
evidence, and there is one timeline, one list of findings and one verdict.
A path that cannot be opened is listed as not checked.

The evidence is never written to. The output folder is created once the
evidence has opened; an existing folder must be empty (--force replaces the
files of an earlier huella run in it and leaves anything else alone).
Encrypted evidence asks for its password (--password-file,
HUELLA_BACKUP_PASSWORD, or a prompt on a terminal); passwords are never
logged or saved.

The console shows a summary: the verdict, what was not checked and how to
fix it, and the findings. --verbose adds the log (always in command.log).

` + exitHelp,
		Example: `  huella check ~/backups/00008030-001A... --output case-42
  huella check androidqf.zip.age --age-identity key.txt --output case-43
  huella check sysdiagnose_2026.11.24_10-00-00.tar.gz --iocs pegasus.stix2
  huella check ~/backups/00008030-001A... capture.pcapng pihole.log --output case-44`,
		Args: a.usageUnlessPaths,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCheck(cmd.Context(), commandLine(cmd, args), args, f)
		},
	}
	fl := cmd.Flags()
	f.register(fl)
	fl.StringVarP(&f.typ, "type", "t", "", "force the evidence type: "+kindList())
	fl.StringVarP(&f.output, "output", "o", "", "results folder (created 0700 once the evidence opens; default ./huella-results-<UTC time>)")
	fl.BoolVar(&f.force, "force", false, "reuse a non-empty output folder: replace the files of an earlier huella run in it, keep anything else")
	fl.StringVarP(&f.password, "password", "p", "", "password of an encrypted backup (prefer --password-file or the prompt: command lines are visible to other users)")
	markSecret(fl, "password")
	fl.StringVar(&f.passwordFile, "password-file", "", "file holding the backup password")
	fl.StringVar(&f.keyFile, "key-file", "", "file holding the derived iOS backup key in hex (from 'huella extract-key')")
	fl.StringVar(&f.ageIdentity, "age-identity", "", "age identity file to decrypt an androidqf .zip.age")
	fl.StringSliceVarP(&f.modules, "modules", "m", nil, "run only these modules (names or globs, e.g. ios.sms,ios.safari_*; see 'huella modules')")
	fl.BoolVar(&f.json, "json", false, "print the summary as JSON on stdout")
	fl.StringVar(&f.lang, "lang", "en", "report language: "+strings.Join(report.Languages(), ", "))
	fl.IntVar(&f.workers, "workers", 0, "modules run at once (default: number of CPUs)")
	fl.BoolVar(&f.noReport, "no-report", false, "do not write the report")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress line on a terminal")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "also print the log on the console (it is always in command.log)")
	fl.DurationVar(&f.moduleTimeout, "module-timeout", 30*time.Minute, "stop a module that runs longer than this (hostile input)")
	fl.DurationVar(&f.openTimeout, "open-timeout", 2*time.Hour, "stop opening the evidence (extraction, decryption, hashing) after this long")
	fl.StringVar(&f.custody, "custody", "", custodyHelp)
	fl.StringVar(&f.tempBudget, "temp-budget", "auto", "most disk the run may use in its temporary folder (extraction, decryption, database copies), e.g. 20GiB; auto = 4 × the evidence's size on disk, at least 1 GiB")
	f.caseFlags.register(fl, "after the check, store the results in this case (see 'huella case')")
	a.registerCompletions(cmd)
	return cmd
}

// parseTempBudget reads --temp-budget: "auto" (or empty) is the default
// budget, anything else a size such as 20GiB or 500MB.
func parseTempBudget(s string) (int64, error) {
	if s == "" || strings.EqualFold(s, "auto") {
		return 0, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil || n == 0 || n > 1<<62 {
		return 0, fmt.Errorf("--temp-budget %q: give a size such as 20GiB or 500MB, or auto", s)
	}
	return int64(n), nil
}

func kindList() string {
	var s []string
	for _, k := range source.Kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// validate checks every flag value before any work is done (no folder
// created, no evidence read, no indicator loaded).
func (f *checkFlags) validate(modules []module.Def) error {
	if err := validLang(f.lang); err != nil {
		return err
	}
	if f.typ != "" && !validKind(f.typ) {
		return fmt.Errorf("--type %q is not an evidence type: use one of %s", f.typ, kindList())
	}
	if err := validModulePatterns(f.modules, modules); err != nil {
		return err
	}
	if f.workers < 0 {
		return fmt.Errorf("--workers %d: give 0 (one per CPU) or more", f.workers)
	}
	if f.moduleTimeout <= 0 {
		return fmt.Errorf("--module-timeout %s: give a positive duration such as 30m", f.moduleTimeout)
	}
	if f.password != "" && f.passwordFile != "" {
		return errors.New("give the password once: --password or --password-file, not both")
	}
	if f.custody != "" {
		w, err := custody.Parse(f.custody)
		if err != nil {
			return fmt.Errorf("--custody: %w", err)
		}
		f.window = w
	}
	return nil
}

func validLang(lang string) error {
	if _, err := report.LoadCatalogue(lang); err != nil {
		return fmt.Errorf("--lang %q: the report speaks %s", lang, strings.Join(report.Languages(), ", "))
	}
	return nil
}

// validModulePatterns checks that every --modules pattern is well formed and
// names at least one of modules (of any evidence type: which ones apply is
// known once the evidence has opened).
func validModulePatterns(patterns []string, modules []module.Def) error {
	for _, p := range patterns {
		if _, err := filepath.Match(p, ""); err != nil {
			return fmt.Errorf("--modules %q is not a valid pattern: %w", p, err)
		}
		hit := false
		for _, m := range modules {
			if ok, _ := filepath.Match(p, m.Name); ok {
				hit = true
				break
			}
		}
		if !hit {
			return fmt.Errorf("--modules %q matches no module (see 'huella modules' for their names)", p)
		}
	}
	return nil
}

func (a *app) password(f *checkFlags) (string, error) {
	switch {
	case f.password != "":
		return f.password, nil
	case f.passwordFile != "":
		b, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return "", fmt.Errorf("--password-file: %w", err)
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
		return nil, fmt.Errorf("--key-file: %w", err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("--key-file %s: not a hex key (write one with 'huella extract-key'): %w", p, err)
	}
	return k, nil
}

// promptPassword asks on the terminal without echo; it returns "" when there
// is no terminal to ask on.
func (a *app) promptPassword(what string) string { return a.deps.askPassword(a, what) }

// terminalPassword is the terminal prompt (deps.askPassword; tests stand in
// for the person typing).
func terminalPassword(a *app, what string) string {
	in, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return ""
	}
	fmt.Fprintf(a.stderr, "Password for %s: ", esc(what))
	b, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return ""
	}
	return string(b)
}

// openEvidence opens the input in the run's private temporary folder,
// asking for a password once when needed.
func (a *app) openEvidence(ctx context.Context, p, tmp string, f *checkFlags) (*source.Evidence, error) {
	pw, err := a.password(f)
	if err != nil {
		return nil, err
	}
	key, err := readKeyFile(f.keyFile)
	if err != nil {
		return nil, err
	}
	budget, err := parseTempBudget(f.tempBudget)
	if err != nil {
		return nil, err
	}
	opts := opener.Options{Type: source.Kind(f.typ), Password: pw, Key: key, AgeIdentity: f.ageIdentity, TempRoot: tmp, TempBudget: budget}
	open := func() (*source.Evidence, error) {
		// The open step has a deadline of its own: a crafted input can make
		// extraction or a manifest query run long before any module starts.
		octx := ctx
		if f.openTimeout > 0 {
			var cancel context.CancelFunc
			octx, cancel = context.WithTimeoutCause(ctx, f.openTimeout, fmt.Errorf("it ran past --open-timeout %s", f.openTimeout))
			defer cancel()
		}
		return a.deps.open(octx, p, opts)
	}
	ev, err := open()
	if errors.Is(err, source.ErrPasswordNeeded) && pw == "" && key == nil {
		if pw = a.promptPassword(p); pw != "" {
			opts.Password = pw
			ev, err = open()
		}
	}
	return ev, openError(p, err)
}

// openError words an opening failure once, naming the file and the fix.
func openError(p string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, source.ErrPasswordNeeded):
		return fmt.Errorf("%s: %w", p, source.ErrPasswordNeeded)
	case errors.Is(err, source.ErrWrongPassword):
		return fmt.Errorf("%s: wrong password or key: it does not decrypt this evidence. Fix: check it and give it again (--password-file FILE, HUELLA_BACKUP_PASSWORD or --key-file)", p)
	case errors.Is(err, androidqf.ErrIdentityNeeded):
		return fmt.Errorf("%s: encrypted with age: give its identity (private key) file with --age-identity FILE", p)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: no such file or folder: give the path of the evidence", p)
	case strings.Contains(err.Error(), p):
		return err
	}
	return fmt.Errorf("%s: %w", p, err)
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
func selectModules(modules []module.Def, kind source.Kind, patterns []string) (run, skipped []module.Def, err error) {
	matched := map[string]bool{}
	for _, m := range modules {
		if !m.Applies(kind) {
			continue
		}
		if chosen(m.Name, patterns, matched) {
			run = append(run, m)
		} else {
			skipped = append(skipped, m)
		}
	}
	for _, p := range patterns {
		if !matched[p] {
			return nil, nil, fmt.Errorf("--modules %q matches no module that reads %s evidence (see 'huella modules')", p, kind)
		}
	}
	return run, skipped, nil
}

// chosen says whether the --modules patterns pick the module name (every
// module when there are none), marking in matched each pattern that does.
func chosen(name string, patterns []string, matched map[string]bool) bool {
	hit := len(patterns) == 0
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, name); ok {
			hit, matched[p] = true, true
		}
	}
	return hit
}

// isOwnResultFile says whether a file in a results folder is one huella
// writes, so --force replaces those and nothing else.
func isOwnResultFile(name string) bool {
	return results.OwnFile(name, func(mod string) bool {
		for _, m := range all.Modules() {
			if m.Name == mod {
				return true
			}
		}
		return false
	})
}

func defaultOutDir() string {
	return "huella-results-" + time.Now().UTC().Format("20060102T150405Z")
}

// softMemoryLimit keeps a check's heap near a size a 2-core laptop with
// other work on it can afford: past it the garbage collector works harder
// instead of the heap growing. GOMEMLIMIT overrides it. 256 MiB: a dump of
// a million files keeps about 120 MB live (its index, two timeline
// chunks, the report's columns), and the collector's default pacing would
// let the heap reach twice that; measured, the lower limit cost no time
// (BENCHMARKS.md).
const softMemoryLimit = 256 << 20

func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
}

// runCheck is 'huella check'. The order matters: every flag and the
// indicators are checked before any work; the output folder is created only
// once the evidence has opened (a failed open leaves nothing behind); an
// interruption still writes info.json saying what ran.
func (a *app) runCheck(ctx context.Context, cmdline []string, inputs []string, f *checkFlags) error {
	if err := f.validate(a.deps.modules); err != nil {
		return exitWith(results.ExitError, err)
	}
	setMemoryLimit()
	started := time.Now().UTC()
	log := newRunLog(a.stderr, f.verbose)
	log.Info("huella "+version.Version, "command", strings.Join(cmdline, " "))

	out := f.output
	if out == "" {
		out = defaultOutDir()
	}
	var outPath string
	for _, input := range inputs {
		// The output folder may be inside none of the evidences.
		p, err := results.ResolveOutDir(out, f.force, input)
		if err != nil {
			return exitWith(results.ExitError, err)
		}
		outPath = p
	}
	set, indInfo, err := f.iocFlags.load(log.Logger)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	tmp, removeTmp, err := newRunTemp("huella-")
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	defer removeTmp()

	opened, err := a.openInputs(ctx, inputs, tmp, f)
	if ctx.Err() != nil {
		if opened != nil {
			opened.close()
		}
		return exitWith(results.ExitInterrupted, errors.New("interrupted before the evidence was opened: nothing was written"))
	}
	if err != nil {
		log.Debug("cannot open the evidence", "err", err)
		return exitWith(results.ExitError, err)
	}
	defer opened.close()
	ev := opened.evs[0]
	for _, ev := range opened.evs {
		log.Info("evidence opened", "type", ev.Kind, "device", deviceLine(ev.Device))
		for _, n := range ev.NoteList() {
			log.Warn("evidence note", "note", n)
		}
		for _, g := range ev.GapList() {
			log.Warn("not checked", "part", g.Part, "cause", g.Cause, "detail", g.Detail)
		}
	}
	for _, u := range opened.unopened {
		log.Warn("not opened", "path", u.Path, "detail", u.Gaps[0].Detail)
	}
	parts, err := selectParts(a.deps.modules, opened.evs, f.modules)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	nmods := 0
	for _, p := range parts {
		nmods += len(p.Modules)
	}

	dir, closeDir, err := log.openOutput(outPath, f.force)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	defer closeDir()
	// Every evidence's input hash list goes into the results folder, each
	// under its own name: the second evidence's must not be lost.
	for i, e := range opened.evs {
		if l := e.InputsList; l != nil {
			l.File = source.InputsListName(i + 1)
			if err := copyInto(dir, l.File, l.Spool()); err != nil {
				return exitWith(results.ExitError, err)
			}
		}
	}

	matcher := matcherOf(set)
	var prog scan.Progress
	if !f.quiet && !f.json && isTerminal(a.stderr) {
		p := newProgress(a.stderr, nmods)
		defer p.clear()
		prog = p
	}
	correlate, custodyRule := withCustody(correlator, f.window)
	so := scan.Options{
		Evidence: ev, Parts: parts, Matcher: matcher, OutDir: outPath,
		Workers: f.workers, ModuleTimeout: f.moduleTimeout, Log: log.Logger, Progress: prog,
		Correlate: correlate,
	}
	// The report takes its timeline from the pipeline's merge pass, the
	// same pass that writes timeline.jsonl, instead of reading it back.
	var tl *report.Timeline
	if !f.noReport {
		if tl, err = report.NewTimeline(f.lang, ev.TempDir); err != nil {
			return exitWith(results.ExitError, err)
		}
		defer tl.Close()
		so.Timeline = tl
	}
	res, err := scan.Run(ctx, so)
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	info := buildInfo(cmdline, started, ev, indInfo, res, evidenceInfos(opened, parts), opened.evs[1:]...)
	addCustody(&info, custodyRule, res)
	if err := dir.WriteJSON("info.json", info); err != nil {
		return exitWith(results.ExitError, err)
	}
	for _, m := range res.Modules {
		if m.Status == results.StatusFailed {
			log.Error("module failed", "module", m.Name, "err", m.Error)
		}
	}
	reportName := a.writeReport(outPath, report.Options{Lang: f.lang, TempDir: ev.TempDir}, tl, f.noReport || res.Interrupted, log)
	a.lang = f.lang
	a.printSummary(info, res.Detections, out, reportName, f.json)
	log.Info("done", "exit_status", info.Summary.ExitStatus, "level", info.Summary.Level)
	return a.storeCheck(ctx, inputs, out, &f.caseFlags, info.Summary.ExitStatus)
}

func exitCode(code int) error {
	if code == 0 {
		return nil
	}
	return exitWith(code, nil)
}

// correlator is the set of correlation rules every run observes.
var correlator scan.Correlator = detect.Rules

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

// buildInfo assembles info.json. A check of several evidences passes
// them all (evidences, and the others' inputs are listed with the first's).
func buildInfo(cmdline []string, started time.Time, ev *source.Evidence, ind results.Indicators, res *scan.Result, evidences []results.EvidenceInfo, others ...*source.Evidence) results.Info {
	info := results.Info{
		SchemaVersion: model.SchemaVersion,
		Tool:          results.Tool{Name: "huella", Version: version.Version, Commit: version.CommitOrVCS()},
		Command:       cmdline,
		Started:       started,
		Finished:      time.Now().UTC(),
		Evidence:      results.EvidenceInfo{Kind: ev.Kind, Path: ev.Path, Device: ev.Device, Notes: ev.NoteList(), Gaps: ev.GapList()},
		Evidences:     evidences,
		Inputs:        ev.Inputs,
		InputsList:    ev.InputsList,
		Indicators:    ind,
		Modules:       res.Modules,
		Interrupted:   res.Interrupted,
	}
	for _, o := range others {
		info.Inputs = append(info.Inputs, o.Inputs...)
	}
	if info.Inputs == nil {
		info.Inputs = []source.InputFile{}
	}
	if info.Indicators.Files == nil {
		info.Indicators.Files = []results.IndicatorFile{}
	}
	info.Summary = outcome.Summarize(&info, res.Detections, res.Events)
	return info
}

// copyInto puts a file huella wrote elsewhere (the input hash list, kept in
// the private folder until the results folder existed) into the results
// folder, atomically.
func copyInto(dir *atomicfile.Dir, name, from string) error {
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	return dir.WriteWith(name, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	})
}

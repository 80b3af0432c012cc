// Package cli is huella's command line: one file per command, flags turned
// into options, and exit statuses that scripts can rely on (decided by
// internal/outcome: 0 nothing found, 1 found, 2 nothing checked or a wrong
// command, 3 incomplete, 130 interrupted).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/all"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/opener"
	"github.com/huella-project/huella/internal/termsafe"
	"github.com/huella-project/huella/internal/version"
)

// exitError carries an exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	args           []string
	lang           string // language of finding texts on the console (--lang); "" is English
	deps           deps
}

// deps are what a run reaches outside its own code: the modules it selects
// from, the readers that open evidence, the person typing a password, and
// how long Main waits for a stopped run. Run and Main use the real ones;
// tests call runWith and mainWith with stand-ins (a module or a reader that
// blocks forever, a typed password, a shorter wait), so no test changes a
// package variable that another test, running at the same time, reads.
type deps struct {
	modules     []module.Def
	open        func(context.Context, string, opener.Options) (*source.Evidence, error)
	openNetwork func(context.Context, []string, opener.Options) (*source.Evidence, error)
	askPassword func(a *app, what string) string
	forceAfter  time.Duration // see Main
}

// realDeps are the deps of the huella binary.
func realDeps() deps {
	return deps{
		modules:     all.Modules(),
		open:        opener.Open,
		openNetwork: opener.OpenNetwork,
		askPassword: terminalPassword,
		forceAfter:  5 * time.Second,
	}
}

// Run executes the command line and returns the exit status. ctx ends the
// run early (Main cancels it on SIGINT, SIGTERM and SIGHUP).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(ctx, args, stdin, stdout, stderr, realDeps())
}

// runWith is Run with the given deps.
func runWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, d deps) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, args: args, deps: d}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "huella:", termsafe.Text(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "huella:", termsafe.Text(err.Error()))
	return results.ExitError
}

const exitHelp = `Exit status:
  0    nothing found, everything that applies was checked, indicators were loaded
  1    something was found at high or critical severity
  2    nothing could be checked, or the command was wrong
  3    incomplete: nothing high found, but something that should have been
       checked was not (no indicators, a part that could not be opened, a
       module that failed); the summary says what, and how to fix it
  130  interrupted (Ctrl-C, SIGTERM, SIGHUP): partial results are kept`

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "huella",
		Short: "Find traces of mercenary spyware in phone evidence, offline",
		Long: `huella reads iOS and Android evidence (backups, file-system dumps, sysdiagnose
archives, androidqf acquisitions, bugreports), extracts what the phone recorded
(messages, visits, processes, profiles, packages, logs), and checks it against
published indicators of compromise (STIX 2.1) and against heuristics that need
no indicator. It never writes to the evidence and never uses the network
unless you run 'huella iocs update'.

` + exitHelp,
		Version:       versionLine(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	// A mistyped flag next to a password ("-xpSECRET") must not echo the
	// password back in the error: pflag quotes the whole argument.
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return exitWith(results.ExitError, fmt.Errorf("%s (see 'huella %s --help')", scrubFlagError(err), cmd.Name()))
	})
	// Every command, listed here: nothing registers itself.
	root.AddCommand(
		a.checkCmd(), a.checkURLCmd(), a.checkIOCsCmd(), a.reportCmd(), a.exportCmd(), a.demoCmd(),
		a.iocsCmd(), a.caseCmd(), a.huntCmd(), a.decryptBackupCmd(), a.extractKeyCmd(), a.modulesCmd(), a.versionCmd(),
	)
	return root
}

func versionLine() string {
	c := version.CommitOrVCS()
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("huella %s (commit %s, %s, %s/%s)", version.Version, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// flagArgument is the " in -qpSECRET" pflag appends to shorthand errors.
var flagArgument = regexp.MustCompile(` in -\S*`)

func scrubFlagError(err error) string {
	return flagArgument.ReplaceAllString(err.Error(), "")
}

// usageUnlessOneArg makes a command that takes one path print its usage,
// rather than an error about argument counts, when called without it.
func (a *app) usageUnlessOneArg(cmd *cobra.Command, args []string) error {
	if len(args) == 1 {
		return nil
	}
	cmd.SetOut(a.stderr)
	cmd.Usage()
	if len(args) == 0 {
		return exitWith(results.ExitError, nil)
	}
	return exitWith(results.ExitError, fmt.Errorf("%s takes one path, got %d", cmd.Name(), len(args)))
}

// usageUnlessPaths is usageUnlessOneArg for commands that take one path or
// more (check: several evidences of one phone).
func (a *app) usageUnlessPaths(cmd *cobra.Command, args []string) error {
	if len(args) >= 1 {
		return nil
	}
	cmd.SetOut(a.stderr)
	cmd.Usage()
	return exitWith(results.ExitError, nil)
}

// markSecret flags a flag whose value must never be written anywhere: the
// command line saved in info.json, command.log and the report is rebuilt
// from the parsed flags with these values redacted (see commandLine).
func markSecret(fl *pflag.FlagSet, name string) {
	fl.SetAnnotation(name, secretAnnotation, []string{"true"})
}

const secretAnnotation = "huella-secret"

// isTerminal says whether w is a terminal (a character device such as
// /dev/null is not one).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

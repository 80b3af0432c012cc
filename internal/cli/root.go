// Package cli is huella's command line: one file per command, flags turned
// into options, and exit statuses that scripts can rely on
// (0 nothing found, 1 found, 2 error, 3 partial).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/results"
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

func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	args           []string
	lang           string // language of finding texts on the console (--lang); "" is English
}

// Run executes the command line and returns the exit status.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, args: args}
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
			fmt.Fprintln(stderr, "huella:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "huella:", err)
	return results.ExitError
}

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

Exit status: 0 nothing found, 1 something found at high or critical severity,
2 error (nothing could be checked), 3 nothing found but some modules failed.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(a.versionCmd(), a.checkCmd(), a.checkURLCmd(), a.modulesCmd())
	for _, extra := range extraCommands {
		root.AddCommand(extra(a))
	}
	return root
}

// extraCommands lets command files register themselves without editing the
// root (one file per command keeps parallel work apart).
var extraCommands []func(*app) *cobra.Command

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

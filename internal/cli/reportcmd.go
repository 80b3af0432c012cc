package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/outcome"
	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
)

func (a *app) reportCmd() *cobra.Command {
	var lang, window string
	cmd := &cobra.Command{
		Use:   "report RESULTS_DIR",
		Short: "Write the report again from saved results (after check or check-iocs), in any language",
		Long: `report writes the HTML report of a results folder from its saved files:
report.html in English, report.<lang>.html in another language (so
'--lang es' writes report.es.html beside report.html). It also prints the
verdict, which is the one the check decided: an interrupted or incomplete
check is reported as such.

--custody FROM/TO gives (or changes) the custody window: the findings of
hands-on access in it and info.json's custody summary are computed again
from the saved timeline, the verdict with them, and detections.json and
info.json are rewritten. Without it, the window the check was given (if
any) is shown again.`,
		Args: a.usageUnlessOneArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validLang(lang); err != nil {
				return exitWith(results.ExitError, err)
			}
			var w custody.Window
			if window != "" {
				var err error
				if w, err = custody.Parse(window); err != nil {
					return exitWith(results.ExitError, fmt.Errorf("--custody: %w", err))
				}
			}
			dir := args[0]
			info, dets, err := results.ReadRun(dir)
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if !w.IsZero() {
				if info.Interrupted {
					return exitWith(results.ExitError, fmt.Errorf("%s: the check was interrupted and wrote no timeline to look for a custody window in: run it again", dir))
				}
				if err := recustody(dir, w, &info, &dets); err != nil {
					return exitWith(results.ExitError, err)
				}
			}
			if err := report.Write(dir, report.Options{Lang: lang}); err != nil {
				return exitWith(results.ExitError, err)
			}
			// The verdict is recomputed by the same outcome the check used,
			// so an older info.json gets today's wording of the same facts.
			info.Summary = outcome.Summarize(&info, dets.Detections, info.Summary.Events)
			cat := consoleCatalogue(lang)
			printCustody(a.stdout, info.Custody, cat)
			printVerdict(a.stdout, info, dets.Detections, cat)
			fmt.Fprintf(a.stdout, "\n%s\n", cat.T("console.report_written", "path", esc(filepath.Join(dir, report.FileName(lang)))))
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "en", "language: "+strings.Join(report.Languages(), ", "))
	cmd.Flags().StringVar(&window, "custody", "", custodyHelp)
	a.registerCompletions(cmd)
	return cmd
}

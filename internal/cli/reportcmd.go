package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
)

func init() {
	extraCommands = append(extraCommands, (*app).reportCmd)
	reportWriter = func(dir, lang string) error { return report.Write(dir, report.Options{Lang: lang}) }
}

func (a *app) reportCmd() *cobra.Command {
	var lang string
	cmd := &cobra.Command{
		Use:   "report RESULTS_DIR",
		Short: "Regenerate report.html from saved results (after check or check-iocs)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := report.Write(args[0], report.Options{Lang: lang}); err != nil {
				return exitWith(results.ExitError, err)
			}
			fmt.Fprintln(a.stdout, "Report written to", filepath.Join(args[0], "report.html"))
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "en", "language: en, es")
	return cmd
}

package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// versionCmd is 'huella version'; 'huella --version' prints the same line.
func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print huella's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.stdout, versionLine())
			return nil
		},
	}
}

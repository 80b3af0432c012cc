package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/version"
)

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print huella's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := version.CommitOrVCS()
			if c == "" {
				c = "unknown"
			}
			fmt.Fprintf(a.stdout, "huella %s (commit %s, %s, %s/%s)\n", version.Version, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/module/all"
)

func (a *app) modulesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "modules",
		Short: "List the modules and the evidence types each one reads",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MODULE\tEVIDENCE\tWHAT IT READS")
			for _, m := range all.Modules() {
				var ks []string
				for _, k := range m.Kinds() {
					ks = append(ks, string(k))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name(), strings.Join(ks, ","), m.Description())
			}
			return tw.Flush()
		},
	}
}

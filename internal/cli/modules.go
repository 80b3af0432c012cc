package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (a *app) modulesCmd() *cobra.Command {
	var paths bool
	cmd := &cobra.Command{
		Use:   "modules",
		Short: "List the modules and the evidence types each one reads",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			if paths {
				fmt.Fprintln(tw, "MODULE\tEVIDENCE\tWHERE IT LOOKS (paths and globs in the evidence tree)")
			} else {
				fmt.Fprintln(tw, "MODULE\tEVIDENCE\tWHAT IT READS")
			}
			for _, m := range a.deps.modules {
				var ks []string
				for _, k := range m.Kinds {
					ks = append(ks, string(k))
				}
				if !paths {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name, strings.Join(ks, ","), m.Description)
					continue
				}
				name, kinds := m.Name, strings.Join(ks, ",")
				for _, p := range m.Paths {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", name, kinds, p)
					name, kinds = "", ""
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&paths, "paths", false, "list where each module looks for its files instead of what it reads")
	return cmd
}

package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/source"
)

// registerCompletions makes shell completion ('huella completion bash|zsh|
// fish|powershell') offer the values a flag takes: languages, evidence
// types, module names, export formats. Only flags the command has are set.
func (a *app) registerCompletions(cmd *cobra.Command) {
	fixed := func(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return vals, cobra.ShellCompDirectiveNoFileComp
		}
	}
	var kinds []string
	for _, k := range source.Kinds {
		kinds = append(kinds, string(k))
	}
	set := map[string]func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective){
		"lang":    fixed(report.Languages()...),
		"type":    fixed(kinds...),
		"format":  fixed("stix", "misp"),
		"modules": a.completeModules,
	}
	for name, fn := range set {
		if cmd.Flags().Lookup(name) != nil {
			cmd.RegisterFlagCompletionFunc(name, fn)
		}
	}
}

// completeModules offers module names, after any already typed in a
// comma-separated list ("ios.sms,ios.sa<TAB>").
func (a *app) completeModules(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	prefix, last := "", toComplete
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		prefix, last = toComplete[:i+1], toComplete[i+1:]
	}
	var out []string
	for _, m := range a.deps.modules {
		if strings.HasPrefix(m.Name, last) {
			out = append(out, prefix+m.Name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// redacted replaces a secret flag's value.
const redacted = "<redacted>"

// commandLine is the command as info.json, command.log and the report
// record it. It is rebuilt from what the flag parser understood, not from
// argv: however a password was spelled (-pSECRET, -p SECRET, -p=SECRET,
// -qpSECRET, --password=SECRET, ...), it is one parsed flag, and flags
// marked secret (markSecret) are written as --name=<redacted>.
func commandLine(cmd *cobra.Command, args []string) []string {
	out := []string{"huella"}
	if path := strings.Fields(cmd.CommandPath()); len(path) > 1 {
		out = append(out, path[1:]...)
	}
	out = append(out, args...)
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		name := "--" + fl.Name
		switch {
		case isSecret(fl):
			out = append(out, name+"="+redacted)
		case fl.Value.Type() == "bool" && fl.Value.String() == "true":
			out = append(out, name)
		default:
			if sv, ok := fl.Value.(pflag.SliceValue); ok {
				for _, v := range sv.GetSlice() {
					out = append(out, name+"="+v)
				}
				return
			}
			out = append(out, name+"="+fl.Value.String())
		}
	})
	return out
}

func isSecret(fl *pflag.Flag) bool {
	v, ok := fl.Annotations[secretAnnotation]
	return ok && len(v) > 0 && v[0] == "true"
}

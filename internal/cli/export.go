package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/atomicfile"
	"github.com/huella-project/huella/internal/export"
	"github.com/huella-project/huella/internal/results"
)

func (a *app) exportCmd() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export RESULTS_DIR --format stix|misp",
		Short: "Export the indicator matches of a run as STIX 2.1 sightings or a MISP event",
		Long: `export writes the observables that matched indicators, with when they were
seen, as a STIX 2.1 bundle of sightings or as a MISP event, to share with a
threat-intelligence platform. Message texts, contacts and other content of
the phone are not exported. The MISP event is marked tlp:red and
distribution 0 (your organisation only): sharing further is your decision.`,
		Args: a.usageUnlessOneArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "stix" && format != "misp" {
				return exitWith(results.ExitError, fmt.Errorf("--format %q: give stix or misp", format))
			}
			info, dets, err := results.ReadRun(args[0])
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			var b []byte
			switch format {
			case "stix":
				b, err = export.STIX(info, dets.Detections, time.Now())
			case "misp":
				b, err = export.MISP(info, dets.Detections, time.Now())
			}
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if out == "" || out == "-" {
				_, err = a.stdout.Write(append(b, '\n'))
			} else {
				// Like --output elsewhere: the folder is created (private,
				// since an export names what was found on a phone).
				if err = os.MkdirAll(filepath.Dir(out), 0o700); err == nil {
					err = atomicfile.WriteBytes(out, append(b, '\n'))
				}
			}
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "stix", "stix or misp")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default: stdout)")
	a.registerCompletions(cmd)
	return cmd
}

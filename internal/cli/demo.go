package cli

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

func (a *app) demoCmd() *cobra.Command {
	var output, lang, kind string
	var asJSON, quiet, verbose bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Check a synthetic infected iPhone backup, offline, to see what huella reports",
		Long: `demo writes a small synthetic iPhone backup into a private temporary folder,
with made-up traces of a made-up spyware ("DemoSpy"): a lure SMS, its link
opened in Safari, a new process using the network two minutes later, and a
microphone permission. It then runs the real 'huella check' on it with a
synthetic indicator file and writes the results into --output (replacing the
files of an earlier demo there). Nothing in it is real data; nothing is
downloaded. The exit status is that of check: 1, on purpose, since the demo
phone is "infected" and its traces must be found.

--kind picks another sample: evidence a person exports from the phone alone
(an App Privacy Report, Safari's Export Browsing Data, crash reports, an
Android bug report or Intrusion Logging download), with planted traces too;
"network" checks the backup together with a capture of the same phone's
Wi-Fi traffic (two evidences, one timeline, one verdict).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := validLang(lang); err != nil {
				return exitWith(results.ExitError, err)
			}
			if kind == demoNetwork {
				return a.runDemo(cmd, output, lang, asJSON, quiet, verbose, true)
			}
			if kind != demoBackup && !slices.Contains(samplegen.PhoneSamples, kind) {
				return exitWith(results.ExitError, fmt.Errorf("--kind %q is not a demo sample: use %s", kind, strings.Join(demoKinds(), ", ")))
			}
			if kind != demoBackup {
				return a.runPhoneDemo(cmd, kind, output, lang, asJSON, quiet, verbose)
			}
			return a.runDemo(cmd, output, lang, asJSON, quiet, verbose, false)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", demoBackup, "sample to check: "+strings.Join(demoKinds(), ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "huella-demo", "results folder")
	cmd.Flags().StringVar(&lang, "lang", "en", "report language: "+strings.Join(report.Languages(), ", "))
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress line on a terminal")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also print the log on the console")
	a.registerCompletions(cmd)
	return cmd
}

// runDemo checks the synthetic backup; with network, together with a
// pcapng capture of the same phone's traffic (planted traces too).
func (a *app) runDemo(cmd *cobra.Command, output, lang string, asJSON, quiet, verbose, network bool) error {
	tmp, removeTmp, err := newRunTemp("huella-demo-")
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	defer removeTmp()
	backup := filepath.Join(tmp, "backup")
	iocs := filepath.Join(tmp, "demospy.stix2")
	o := samplegen.Scaled(2000, 2026)
	o.Plant = true
	exp, err := samplegen.GenerateIOSBackup(backup, o)
	if err == nil {
		err = samplegen.WriteSampleIndicators(iocs)
	}
	if err != nil {
		return exitWith(results.ExitError, fmt.Errorf("demo evidence: %w", err))
	}
	paths := []string{backup}
	if network && err == nil {
		var capture string
		var nexp *samplegen.Expected
		capture, nexp, err = samplegen.GenerateNetwork(filepath.Join(tmp, "network"), samplegen.NetPcapNG, 2026, true)
		if err == nil {
			paths = append(paths, capture)
			exp.Detections = append(exp.Detections, nexp.Detections...)
			maps.Copy(exp.Records, nexp.Records)
		}
	}
	if err != nil {
		return exitWith(results.ExitError, fmt.Errorf("demo evidence: %w", err))
	}
	if !asJSON {
		a.describeDemo(exp, paths)
	}
	// The demo's folder is its own: a second demo replaces the first one's
	// files (and only those), as --force does.
	return a.runCheck(cmd.Context(), commandLine(cmd, nil), paths, &checkFlags{
		iocFlags: iocFlags{iocs: []string{iocs}, noCache: true},
		output:   output, force: true, lang: lang, json: asJSON, quiet: quiet, verbose: verbose, moduleTimeout: 30 * time.Minute,
	})
}

func (a *app) describeDemo(exp *samplegen.Expected, paths []string) {
	w := a.stdout
	fmt.Fprintf(w, "Demo: a synthetic iPhone backup (made-up data) in %s (deleted when the demo ends)\n", paths[0])
	if len(paths) > 1 {
		fmt.Fprintf(w, "  and a capture of the same phone's Wi-Fi traffic in %s\n", paths[1])
	}
	names := slices.Sorted(maps.Keys(exp.Records))
	for _, k := range names {
		fmt.Fprintf(w, "  %-15s %6d records\n", k, exp.Records[k])
	}
	fmt.Fprintf(w, "Planted traces of %q, which the check below must find:\n", samplegen.PlantedCampaign)
	for _, d := range exp.Detections {
		fmt.Fprintf(w, "  - %s\n", d.Why)
	}
	if len(paths) > 1 {
		fmt.Fprintln(w, "Running: huella check <backup> <capture.pcapng> --iocs demospy.stix2")
		return
	}
	fmt.Fprintln(w, "Running: huella check <backup> --iocs demospy.stix2")
}

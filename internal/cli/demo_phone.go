package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

// demoBackup is the demo's default sample, the synthetic iPhone backup.
const demoBackup = "ios-backup"

func demoKinds() []string { return slices.Concat([]string{demoBackup}, samplegen.PhoneSamples) }

// phoneDemoNames say what each phone-export sample is, for the console.
var phoneDemoNames = map[string]string{
	samplegen.SampleAppPrivacyReport: "App Privacy Report, as an iPhone saves it",
	samplegen.SampleSafariExport:     "Safari Export Browsing Data zip (its Passwords.csv and PaymentCards.json are never opened)",
	samplegen.SampleCrashReports:     "zip of crash reports shared from an iPhone's Analytics Data",
	samplegen.SampleAndroidBugreport: "Android bug report, as the phone shares it",
	samplegen.SampleIntrusionLogs:    "Android Intrusion Logging download folder",
}

// runPhoneDemo is 'huella demo --kind K': the same real check, on a
// synthetic export made on the phone alone.
func (a *app) runPhoneDemo(cmd *cobra.Command, kind, output, lang string, asJSON, quiet, verbose bool) error {
	tmp, removeTmp, err := newRunTemp("huella-demo-")
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	defer removeTmp()
	iocs := filepath.Join(tmp, "demospy.stix2")
	o := samplegen.Scaled(2000, 2026)
	o.Plant = true
	exp, err := samplegen.GeneratePhoneExport(kind, filepath.Join(tmp, "sample"), o)
	if err == nil {
		err = samplegen.WriteSampleIndicators(iocs)
	}
	if err != nil {
		return exitWith(results.ExitError, fmt.Errorf("demo evidence: %w", err))
	}
	if !asJSON {
		w := a.stdout
		fmt.Fprintf(w, "Demo: a synthetic %s (made-up data) in %s (deleted when the demo ends)\n", phoneDemoNames[kind], exp.Evidence)
		fmt.Fprintf(w, "Planted traces of %q, which the check below must find:\n", samplegen.PlantedCampaign)
		for _, d := range exp.Detections {
			fmt.Fprintf(w, "  - %s\n", d.Why)
		}
		fmt.Fprintf(w, "Running: huella check %q --iocs demospy.stix2\n", filepath.Base(exp.Evidence))
	}
	return a.runCheck(cmd.Context(), commandLine(cmd, nil), exp.Evidence, &checkFlags{
		iocFlags: iocFlags{iocs: []string{iocs}, noCache: true},
		output:   output, force: true, lang: lang, json: asJSON, quiet: quiet, verbose: verbose, moduleTimeout: 30 * time.Minute,
	})
}

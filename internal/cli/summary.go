package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/rules"
)

// printSummary tells the analyst in a few lines what was found and where the
// full results are; --json prints the same as one object.
func (a *app) printSummary(info results.Info, dets []model.Detection, out string, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			Output     string            `json:"output"`
			Summary    results.Summary   `json:"summary"`
			Detections []model.Detection `json:"detections"`
		}{out, info.Summary, dets})
		return
	}
	w := a.stdout
	parsed, absent, failed := 0, 0, 0
	for _, m := range info.Modules {
		switch m.Status {
		case results.StatusParsed, results.StatusEmpty:
			parsed++
		case results.StatusAbsent:
			absent++
		case results.StatusFailed:
			failed++
		}
	}
	fmt.Fprintf(w, "\nEvidence: %s (%s)\n", info.Evidence.Kind, deviceLine(info.Evidence.Device))
	fmt.Fprintf(w, "Modules: %d read, %d artifact absent, %d failed; %d timeline events\n", parsed, absent, failed, info.Summary.Events)
	for _, m := range info.Modules {
		if m.Status == results.StatusFailed {
			fmt.Fprintf(w, "  FAILED %s: %s\n", m.Name, m.Error)
		}
	}
	if len(dets) == 0 {
		fmt.Fprintln(w, "\nNo known traces were found. This does not prove the phone is free of spyware.")
	} else {
		fmt.Fprintf(w, "\n%d finding(s)", len(dets))
		if len(info.Summary.Campaigns) > 0 {
			fmt.Fprintf(w, "; indicators matched: %s", strings.Join(info.Summary.Campaigns, ", "))
		}
		fmt.Fprintln(w, ":")
		const show = 20
		for i, d := range dets {
			if i == show {
				fmt.Fprintf(w, "  ... and %d more in detections.json\n", len(dets)-show)
				break
			}
			when := ""
			if d.Time != nil {
				when = d.Time.UTC().Format("2006-01-02 15:04:05Z") + " "
			}
			fmt.Fprintf(w, "  [%s] %s%s: %s\n", strings.ToUpper(d.Severity.String()), when, d.Module, oneLine(findingText(d, a.lang), 200))
		}
	}
	fmt.Fprintf(w, "\nResults: %s (report.html, detections.json, timeline.csv)\n", out)
}

// findingText is a finding's title in the chosen language, rendered from
// the rules registry; results of an older huella keep their Reason.
func findingText(d model.Detection, lang string) string {
	if lang == "" {
		lang = "en"
	}
	if s := rules.DetectionText(&d, lang); s != "" {
		return s
	}
	return d.Reason
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

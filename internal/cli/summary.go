package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/custody"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/outcome"
	"github.com/huella-project/huella/internal/report"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/termsafe"
)

// esc is the one way the console prints text that came from evidence, a
// feed or a server: control characters and bidi overrides escaped.
func esc(s string) string { return termsafe.Text(s) }

func termsafeErr(err error) string { return termsafe.Text(err.Error()) }

// printSummary tells the analyst in a few lines what was found, what was
// not checked and how to fix it, and where the full results are. Its verdict
// is info.Summary, decided by internal/outcome like the report's and the
// exit status. --json prints the same as one object.
func (a *app) printSummary(info results.Info, dets []model.Detection, out, reportName string, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			Output      string            `json:"output"`
			Report      string            `json:"report,omitempty"`
			Interrupted bool              `json:"interrupted,omitempty"`
			Summary     results.Summary   `json:"summary"`
			Custody     *custody.Summary  `json:"custody,omitempty"`
			Detections  []model.Detection `json:"detections"`
		}{out, reportName, info.Interrupted, info.Summary, info.Custody, dets})
		return
	}
	w := a.stdout
	read, absent, failed := 0, 0, 0
	for _, m := range info.Modules {
		switch m.Status {
		case results.StatusParsed, results.StatusEmpty:
			read++
		case results.StatusAbsent:
			absent++
		case results.StatusFailed, results.StatusUnreadable:
			failed++
		}
	}
	// Every line is in --lang: a person who asked for Spanish reads no
	// English (TestVerdictInChosenLanguage); evidence text stays as it is.
	cat := consoleCatalogue(a.lang)
	fmt.Fprintf(w, "\n%s\n", cat.T("console.evidence", "kind", esc(string(info.Evidence.Kind)), "device", esc(deviceLine(info.Evidence.Device))))
	for _, ev := range info.Evidences[min(1, len(info.Evidences)):] {
		// The other evidences of a check of several (the first is above).
		if ev.Kind == results.KindUnopened {
			fmt.Fprintf(w, "      %s\n", cat.T("console.and_unopened", "path", esc(ev.Path)))
		} else {
			fmt.Fprintf(w, "      %s\n", cat.T("console.and", "kind", esc(string(ev.Kind)), "device", esc(deviceLine(ev.Device)), "path", esc(ev.Path)))
		}
	}
	fmt.Fprintln(w, cat.T("console.modules", "read", read, "absent", absent, "failed", failed, "events", info.Summary.Events))
	if info.Indicators.Total > 0 {
		fmt.Fprintln(w, cat.T("console.indicators", "n", info.Indicators.Total, "files", len(info.Indicators.Files)-len(skippedIndicatorFiles(info.Indicators))))
	} else {
		fmt.Fprintln(w, cat.T("console.indicators_none"))
	}
	for _, f := range skippedIndicatorFiles(info.Indicators) {
		fmt.Fprintf(w, "  %s\n", cat.T("console.indicator_file_skipped", "path", esc(f.Path), "error", esc(f.Error)))
	}
	printCustody(w, info.Custody, cat)
	printVerdict(w, info, dets, cat)
	var good []model.Detection
	dets, good = splitGoodSigns(dets)
	for _, d := range good {
		fmt.Fprintf(w, "%s: %s\n", cat.T("console.good_sign"), esc(oneLine(findingText(d, a.lang), 200)))
	}
	if len(dets) > 0 {
		fmt.Fprintf(w, "\n%s", cat.T("console.findings", "n", len(dets)))
		if len(info.Summary.Campaigns) > 0 {
			fmt.Fprintf(w, "; %s", cat.T("console.campaigns", "campaigns", esc(strings.Join(info.Summary.Campaigns, ", "))))
		}
		fmt.Fprintln(w, ":")
		// Findings whose line would read the same (one domain both looked
		// up and contacted in a capture: two records, one text) are printed
		// once with their count; detections.json keeps each. Only the first
		// lines shown are built, so a flood of findings costs no memory here.
		const show = 20
		type line struct {
			text string
			n    int
		}
		var lines []line
		more := 0
		for _, d := range dets {
			if len(lines) == show && more > 0 {
				more++
				continue
			}
			when := ""
			if d.Time != nil {
				when = d.Time.UTC().Format("2006-01-02 15:04:05Z") + " "
			}
			text := fmt.Sprintf("[%s] %s%s: %s", strings.ToUpper(cat.T("severity."+d.Severity.String())), when, esc(d.Module), esc(oneLine(findingText(d, a.lang), 200)))
			if i := slices.IndexFunc(lines, func(l line) bool { return l.text == text }); i >= 0 {
				lines[i].n++
				continue
			}
			if len(lines) == show {
				more++
				continue
			}
			lines = append(lines, line{text, 1})
		}
		for _, l := range lines {
			if l.n > 1 {
				fmt.Fprintf(w, "  %s (×%d)\n", l.text, l.n)
			} else {
				fmt.Fprintf(w, "  %s\n", l.text)
			}
		}
		if more > 0 {
			fmt.Fprintf(w, "  %s\n", cat.T("console.more_findings", "n", more))
		}
	}
	fmt.Fprintf(w, "\n%s\n", cat.T("console.results", "path", esc(out)))
	switch {
	case reportName != "":
		fmt.Fprintln(w, cat.T("console.open_report", "path", esc(filepath.Join(out, reportName))))
	case info.Interrupted:
		fmt.Fprintln(w, cat.T("console.interrupted", "path", esc(out)))
	}
}

// verdictLabels name the console's one-word verdicts: keys of the
// report's catalogue, so a person who asked for --lang es reads the verdict,
// what it cannot show and what was not checked in Spanish, like the report.
var verdictLabels = map[string]string{
	outcome.LevelCritical: "console.label.found", outcome.LevelHigh: "console.label.found", outcome.LevelMedium: "console.label.review",
	outcome.LevelLow: "console.label.none", outcome.LevelNone: "console.label.none",
	outcome.LevelIncomplete: "console.label.incomplete", outcome.LevelError: "console.label.nothing_checked",
}

// maxGapLines bounds the "not checked" lines; info.json has them all.
const maxGapLines = 12

// consoleCatalogue is the report's catalogue in lang, English when lang is
// not one the report speaks (flags are validated before any work, so that
// only happens for results of an older huella).
func consoleCatalogue(lang string) *report.Catalogue {
	if cat, err := report.LoadCatalogue(lang); err == nil {
		return cat
	}
	cat, _ := report.LoadCatalogue("en")
	return cat
}

// printVerdict prints the verdict line, what the evidence cannot show, and
// one line per part not checked, each with its fix, in cat's language.
func printVerdict(w io.Writer, info results.Info, dets []model.Detection, cat *report.Catalogue) {
	s := info.Summary
	headline := cat.T(s.Headline, "campaigns", strings.Join(outcome.Decide(&info, dets).Campaigns, ", "))
	fmt.Fprintf(w, "\n%s: %s. %s\n", cat.T("console.verdict"), cat.T(verdictLabels[s.Level]), esc(headline))
	// What evidence exported on the phone alone cannot show: a clean App
	// Privacy Report speaks for seven days of network activity, no more.
	if scope := report.Scope(cat, info.Evidence.Kind); scope != "" {
		fmt.Fprintln(w, scope)
	}
	if len(s.NotChecked) == 0 {
		return
	}
	fmt.Fprintln(w, cat.T("console.not_checked")+":")
	for i, g := range s.NotChecked {
		if i == maxGapLines {
			fmt.Fprintf(w, "  %s\n", cat.T("console.more_gaps", "n", len(s.NotChecked)-maxGapLines))
			break
		}
		fmt.Fprintf(w, "  - %s\n", esc(oneLine(g.Sentence(cat.Lang), 400)))
	}
}

// splitGoodSigns separates the findings from the good signs (Lockdown Mode
// on), which are printed apart and never counted as findings.
func splitGoodSigns(all []model.Detection) (findings, good []model.Detection) {
	for _, d := range all {
		if outcome.GoodSign(d) {
			good = append(good, d)
		} else {
			findings = append(findings, d)
		}
	}
	return findings, good
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

// oneLine puts s on one line and, when it is longer than n bytes, cuts it
// at the last space that fits and ends it with "…", so a console line never
// stops in the middle of a word. A single word longer than n (a long link)
// is cut at a character boundary instead.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut+1], ' '); sp > n/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

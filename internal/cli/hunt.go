package cli

import (
	"cmp"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/casestore"
	"github.com/huella-project/huella/internal/hunt"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
)

// huntFile is <output>/<case>.json: what a hunt newly found in one case.
type huntFile struct {
	SchemaVersion int               `json:"schema_version"`
	Hunt          int64             `json:"hunt"`
	Case          string            `json:"case"`
	Checked       int               `json:"indicators_checked"`
	New           []model.Detection `json:"new"`
}

// huntSummary is <output>/hunt.json.
type huntSummary struct {
	SchemaVersion int             `json:"schema_version"`
	Hunt          int64           `json:"hunt"`
	Store         string          `json:"store"`
	Started       time.Time       `json:"started"`
	Finished      time.Time       `json:"finished"`
	All           bool            `json:"all"`
	Indicators    int             `json:"indicators"`
	NewIndicators int             `json:"new_indicators"`
	Files         any             `json:"indicator_files"`
	Cases         []huntCaseState `json:"cases"`
	ExitStatus    int             `json:"exit_status"`
}

type huntCaseState struct {
	Case        string `json:"case"`
	Status      string `json:"status"`
	Note        string `json:"note,omitempty"`
	Checked     int    `json:"indicators_checked"`
	Candidates  int    `json:"candidates"`
	NewFindings int    `json:"new_findings"`
	Highest     string `json:"highest,omitempty"`
	File        string `json:"file,omitempty"`
}

func (a *app) huntCmd() *cobra.Command {
	var f iocFlags
	var sf storeFlags
	var all, asJSON bool
	var cases, keyFiles []string
	var output string
	cmd := &cobra.Command{
		Use:   "hunt",
		Short: "Re-check every stored case against the indicators published since its last hunt",
		Long: `hunt takes the indicators (--iocs, HUELLA_IOCS, the feed cache; STIX or MISP),
finds for each stored case those that are new since its last hunt (by STIX id
and value), looks up only the stored observables that could match them, and
matches those with the same matcher as check, so a hunt finding is the
finding a fresh check would give. It needs neither the evidence nor the
results folders. What is new is written per case into --output and recorded
in the store; a summary table is printed.

Exit status: 0 nothing new, 1 a new finding at high or critical severity,
2 error, 3 nothing new found but some case could not be hunted (an HMAC
case without its key).`,
		Example: `  huella iocs update && huella hunt
  huella hunt --iocs new-campaign.stix2 --iocs misp-feed/
  huella hunt --all --case 2026-0042`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			set, indInfo, err := f.loadRequired(quietLogger(a))
			if err != nil {
				return err
			}
			keys := map[string]*casestore.HMACKey{}
			for _, p := range keyFiles {
				k, err := loadKey(p)
				if err != nil {
					return err
				}
				keys[k.ID] = k
			}
			st, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			res, err := hunt.Run(ctx, st, hunt.Options{Set: set, Files: indInfo.Files, All: all, Cases: cases, Keys: keys})
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			status := results.ExitClean
			switch {
			case res.Found():
				status = results.ExitFound
			case res.Incomplete():
				status = results.ExitPartial
			}
			if output == "" {
				output = "huella-hunt-" + res.Started.Format("20060102T150405Z")
			}
			sum, err := writeHunt(output, st.Where(), all, indInfo.Files, res, status)
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if asJSON {
				if err := writeJSON(a.stdout, sum); err != nil {
					return exitWith(results.ExitError, err)
				}
				return exitCode(status)
			}
			a.printHunt(res, sum, output)
			return exitCode(status)
		},
	}
	f.register(cmd.Flags())
	sf.register(cmd.Flags())
	cmd.Flags().BoolVar(&all, "all", false, "re-check every case against every indicator, not only the new ones")
	cmd.Flags().StringSliceVar(&cases, "case", nil, "hunt only in these cases (repeatable)")
	cmd.Flags().StringSliceVar(&keyFiles, "hmac-key-file", nil, "key of cases stored as HMACs (repeatable)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "folder for what is new, one <case>.json per case and hunt.json (default ./huella-hunt-<UTC time>)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// caseFileName is a file name for a case that cannot leave the folder and
// stays unique: names that sanitise alike get a numeric suffix.
func caseFileName(name string, used map[string]bool) string {
	base := strings.Trim(unsafeName.ReplaceAllString(name, "_"), "._")
	if base == "" {
		base = "case"
	}
	if len(base) > 100 {
		base = base[:100]
	}
	n := base + ".json"
	for i := 2; used[n] || n == "hunt.json"; i++ {
		n = fmt.Sprintf("%s-%d.json", base, i)
	}
	used[n] = true
	return n
}

func writeHunt(out, store string, all bool, files any, res *hunt.Result, status int) (huntSummary, error) {
	sum := huntSummary{SchemaVersion: model.SchemaVersion, Hunt: res.Hunt, Store: store, Started: res.Started, Finished: res.Finished,
		All: all, Indicators: res.Indicators, NewIndicators: res.NewIndicators, Files: files, ExitStatus: status, Cases: []huntCaseState{}}
	resolved, err := results.ResolveOutDir(out, false)
	if err != nil {
		return sum, err
	}
	d, err := results.CreateOutDir(resolved, false, nil)
	if err != nil {
		return sum, err
	}
	d.Close()
	out = resolved
	used := map[string]bool{}
	for _, c := range res.Cases {
		cs := huntCaseState{Case: c.Case.Name, Status: c.Status, Note: c.Note, Checked: c.Checked, Candidates: c.Candidates, NewFindings: len(c.New)}
		if len(c.New) > 0 {
			cs.Highest = c.Highest.String()
			cs.File = caseFileName(c.Case.Name, used)
			results.SortDetections(c.New)
			if err := results.WriteJSON(filepath.Join(out, cs.File), huntFile{SchemaVersion: model.SchemaVersion, Hunt: res.Hunt,
				Case: c.Case.Name, Checked: c.Checked, New: c.New}); err != nil {
				return sum, err
			}
		}
		sum.Cases = append(sum.Cases, cs)
	}
	return sum, results.WriteJSON(filepath.Join(out, "hunt.json"), sum)
}

func (a *app) printHunt(res *hunt.Result, sum huntSummary, out string) {
	w := a.stdout
	fmt.Fprintf(w, "Hunt #%d in %s: %d indicator(s), %d new to this store.\n\n", res.Hunt, sum.Store, res.Indicators, res.NewIndicators)
	if len(res.Cases) == 0 {
		fmt.Fprintln(w, "No cases stored yet: 'huella case add RESULTS_DIR --case NAME'.")
		return
	}
	// A helpline has hundreds of cases: the table lists those with something
	// new or that could not be hunted (all of them when there are few), and
	// a line counts the rest; hunt.json lists every case.
	const listAll = 30
	byStatus := map[string]int{}
	quiet := 0
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tDEVICE\tCHECKED\tCANDIDATES\tNEW\tHIGHEST\tSTATUS")
	for _, c := range res.Cases {
		byStatus[c.Status]++
		notable := len(c.New) > 0 || (c.Status != hunt.StatusHunted && c.Status != hunt.StatusUpToDate)
		if !notable && len(res.Cases) > listAll {
			quiet++
			continue
		}
		highest := "-"
		if len(c.New) > 0 {
			highest = strings.ToUpper(c.Highest.String())
		}
		st := c.Status
		if c.Note != "" {
			st += " (" + c.Note + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", c.Case.Name, cmp.Or(c.Case.Device, "-"), c.Checked, c.Candidates, len(c.New), highest, st)
	}
	tw.Flush()
	if quiet > 0 {
		fmt.Fprintf(w, "... and %d more case(s) with nothing new (hunt.json lists every case).\n", quiet)
	}
	var counts []string
	for _, st := range []string{hunt.StatusHunted, hunt.StatusUpToDate, hunt.StatusPartial, hunt.StatusNoKey} {
		if byStatus[st] > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", byStatus[st], st))
		}
	}
	fmt.Fprintf(w, "%d case(s): %s.\n", len(res.Cases), strings.Join(counts, ", "))
	n := 0
	for _, c := range res.Cases {
		for i, d := range c.New {
			if i == 0 {
				fmt.Fprintf(w, "\nNew in %s:\n", c.Case.Name)
			}
			if i == 10 {
				fmt.Fprintf(w, "  ... and %d more\n", len(c.New)-10)
				break
			}
			fmt.Fprintf(w, "  [%s] %s: %s\n", strings.ToUpper(d.Severity.String()), d.Module, oneLine(d.Reason, 200))
		}
		n += len(c.New)
	}
	if n == 0 {
		fmt.Fprintln(w, "\nNothing new in any case.")
	}
	fmt.Fprintf(w, "\nPer-case results: %s\n", out)
}

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/urlx"
)

// maxPasted bounds what check-url reads from stdin: a pasted message or a
// log excerpt, not a disk image.
const maxPasted = 16 << 20

type linkResult struct {
	Link       string               `json:"link"`
	Host       string               `json:"host,omitempty"`
	Severity   string               `json:"severity"`
	Indicators []model.IndicatorRef `json:"indicators,omitempty"`
	Findings   []heuristics.Finding `json:"findings,omitempty"`
}

type textResult struct {
	Links    []linkResult         `json:"links"`
	Findings []heuristics.Finding `json:"message_findings,omitempty"`
	Severity string               `json:"severity"`
}

func (a *app) checkURLCmd() *cobra.Command {
	var f iocFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check-url URL... | check-url -",
		Short: "Check links offline (never opens them), or every link in text pasted on stdin",
		Long: `check-url checks links against the indicators and against offline heuristics:
URL shorteners (which cannot be verified without opening them, so they are
never expanded), look-alikes of well-known brands, shorteners and news sites,
the 2016-2017 Pegasus link shape, IP-literal and punycode hosts, random labels
on cheap domains. It never resolves a name or opens a connection: opening the
link could warn whoever sent it.

With "-" it reads free text (for example a pasted SMS) and checks every link
in it, and the text itself for lure themes.`,
		Example: `  huella check-url 'https://bit.ly/3xYz'
  pbpaste | huella check-url -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, _, err := f.load(quietLogger(a))
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			var matcher scan.Matcher
			if set != nil {
				matcher = set
			}
			res := textResult{}
			if len(args) == 1 && args[0] == "-" {
				b, err := io.ReadAll(io.LimitReader(a.stdin, maxPasted))
				if err != nil {
					return exitWith(results.ExitError, err)
				}
				text := string(b)
				links := urlx.ExtractLinks(text)
				for _, l := range links {
					res.Links = append(res.Links, checkLink(matcher, l))
				}
				for _, fd := range heuristics.ScoreMessage(heuristics.Message{Text: text, Links: links}) {
					if !strings.HasPrefix(fd.Rule, "link.") {
						res.Findings = append(res.Findings, fd)
					}
				}
				if len(links) == 0 {
					fmt.Fprintln(a.stderr, "huella: no link found in the text")
				}
			} else {
				for _, l := range args {
					res.Links = append(res.Links, checkLink(matcher, l))
				}
			}
			worst := model.Severity(-1)
			for _, l := range res.Links {
				if s, ok := model.ParseSeverity(l.Severity); ok && s > worst {
					worst = s
				}
			}
			for _, fd := range res.Findings {
				if fd.Severity > worst {
					worst = fd.Severity
				}
			}
			res.Severity = "none"
			if worst >= 0 {
				res.Severity = worst.String()
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				enc.Encode(res)
			} else {
				printLinks(a.stdout, res, set != nil)
			}
			if worst >= model.High {
				return exitWith(results.ExitFound, nil)
			}
			return nil
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable results")
	return cmd
}

func checkLink(m scan.Matcher, raw string) linkResult {
	r := linkResult{Link: raw, Severity: "none"}
	if u, ok := urlx.Parse(raw); ok {
		r.Host = u.Host
	}
	worst := model.Severity(-1)
	if m != nil {
		r.Indicators = m.Match(model.Observable{Kind: model.KindURL, Value: raw})
		if len(r.Indicators) > 0 {
			worst = model.High
		}
	}
	r.Findings = heuristics.CheckLink(raw)
	for _, f := range r.Findings {
		if f.Severity > worst {
			worst = f.Severity
		}
	}
	if worst >= 0 {
		r.Severity = worst.String()
	}
	return r
}

func printLinks(w io.Writer, res textResult, haveIOCs bool) {
	for _, l := range res.Links {
		fmt.Fprintf(w, "%s\n  verdict: %s\n", esc(l.Link), strings.ToUpper(l.Severity))
		for _, ref := range l.Indicators {
			fmt.Fprintf(w, "  INDICATOR: matches %s %s of %s (%s)\n", esc(ref.Type), esc(ref.Value), esc(ref.Campaign), esc(ref.File))
		}
		for _, f := range l.Findings {
			fmt.Fprintf(w, "  [%s] %s\n", strings.ToUpper(f.Severity.String()), esc(f.Reason))
		}
		if len(l.Indicators) == 0 && len(l.Findings) == 0 {
			fmt.Fprintln(w, "  nothing known about this link")
		}
	}
	for _, f := range res.Findings {
		fmt.Fprintf(w, "message: [%s] %s\n", strings.ToUpper(f.Severity.String()), esc(f.Reason))
	}
	if !haveIOCs {
		fmt.Fprintln(w, "(no indicators loaded: only offline heuristics were applied; use --iocs or 'huella iocs update')")
	}
	fmt.Fprintln(w, "The links were not opened. Do not open a suspicious link to test it: that can warn whoever sent it.")
}

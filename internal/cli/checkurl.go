package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/net/publicsuffix"

	"github.com/huella-project/huella/internal/heuristics/links"
	"github.com/huella-project/huella/internal/heuristics/messages"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/urlx"
)

// maxPasted bounds what check-url reads from stdin: a pasted message or a
// log excerpt, not a disk image.
const maxPasted = 16 << 20

type linkResult struct {
	Link       string               `json:"link"`
	Host       string               `json:"host,omitempty"`
	NotALink   bool                 `json:"not_a_link,omitempty"`
	Severity   string               `json:"severity"`
	Indicators []model.IndicatorRef `json:"indicators,omitempty"`
	Findings   []findingView        `json:"findings,omitempty"`
}

type textResult struct {
	Links    []linkResult  `json:"links"`
	Findings []findingView `json:"message_findings,omitempty"`
	Severity string        `json:"severity"`
}

// findingView is a finding with its text in the chosen language.
type findingView struct {
	Rule     string            `json:"rule"`
	Severity model.Severity    `json:"severity"`
	Text     string            `json:"text"`
	Params   map[string]string `json:"params,omitempty"`
	Context  []string          `json:"context,omitempty"`
}

func viewOf(f rules.Finding, lang string) findingView {
	return findingView{Rule: f.Rule, Severity: f.Severity, Text: f.Text(lang), Params: f.Params, Context: f.Context}
}

func (a *app) checkURLCmd() *cobra.Command {
	var f iocFlags
	var asJSON bool
	var lang string
	cmd := &cobra.Command{
		Use:   "check-url URL... | check-url -",
		Short: "Check links offline (never opens them), or every link in text pasted on stdin",
		Long: `check-url checks links against the indicators and against offline heuristics:
URL shorteners (which cannot be verified without opening them, so they are
never expanded), look-alikes of well-known brands, shorteners and news sites,
the 2016-2017 Pegasus link shape, IP-literal hosts and addresses that mix
alphabets, random labels on cheap domains. Defanged links (hxxps://x[.]com)
are read as links. It never resolves a name or opens a connection: opening
the link could warn whoever sent it.

With "-" it reads free text (for example a pasted SMS) and checks every link
in it, and the text itself for lure themes; nothing is assumed about who sent
it. --lang es prints the findings in Spanish.`,
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
			pasted := len(args) == 1 && args[0] == "-"
			if pasted {
				b, err := io.ReadAll(io.LimitReader(a.stdin, maxPasted))
				if err != nil {
					return exitWith(results.ExitError, err)
				}
				// Links are found in the text refanged: a pasted warning
				// often carries hxxps://evil[.]com.
				text := string(b)
				links := urlx.ExtractLinks(text)
				var matched []string
				for _, l := range links {
					lr := checkLink(matcher, l, lang)
					if len(lr.Indicators) > 0 {
						matched = append(matched, l)
					}
					res.Links = append(res.Links, lr)
				}
				// Pasted text says nothing about its sender: the message
				// rules never claim one. A link that matched an indicator is
				// a suspicious link for them, so the message's verdict
				// agrees with the link's.
				for _, fd := range messages.ScoreMessage(messages.Message{Text: text, Links: links, Sender: messages.SenderUnknowable, IndicatorLinks: matched}) {
					if !strings.HasPrefix(fd.Rule, "link.") {
						res.Findings = append(res.Findings, viewOf(fd, lang))
					}
				}
			} else {
				for _, l := range args {
					res.Links = append(res.Links, checkLink(matcher, l, lang))
				}
			}
			worst := model.Severity(-1)
			for _, l := range res.Links {
				if s, ok := model.ParseSeverity(l.Severity); ok && s > worst {
					worst = s
				}
			}
			for _, fd := range res.Findings {
				worst = max(worst, fd.Severity)
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
				printLinks(a.stdout, res, set != nil, pasted)
			}
			if worst >= model.High {
				return exitWith(results.ExitFound, nil)
			}
			return nil
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print machine-readable results")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the findings' texts (en, es)")
	return cmd
}

// checkLink judges one link, refanged first (hxxps://evil[.]com/x is the
// same link). A string with no host is reported as not a link rather than
// as a link nothing is known about.
func checkLink(m scan.Matcher, raw, lang string) linkResult {
	r := linkResult{Link: raw, Severity: "none"}
	link := urlx.Refang(strings.TrimSpace(raw))
	u, ok := urlx.Parse(link)
	if !ok || !links.IsLink(link) || !plausibleHost(u) {
		r.NotALink = true
		return r
	}
	r.Host = u.Host
	worst := model.Severity(-1)
	if m != nil {
		r.Indicators = m.Match(model.Observable{Kind: model.KindURL, Value: link})
		if len(r.Indicators) > 0 {
			worst = model.High
		}
	}
	for _, f := range links.CheckLink(link) {
		r.Findings = append(r.Findings, viewOf(f, lang))
		worst = max(worst, f.Severity)
	}
	if worst >= 0 {
		r.Severity = worst.String()
	}
	return r
}

// plausibleHost accepts an IP address or a name with a dot whose last label
// is a top-level domain: "hello" or "a.b c" is not a link.
func plausibleHost(u urlx.URL) bool {
	if u.IsIP {
		return true
	}
	i := strings.LastIndexByte(u.Host, '.')
	if i <= 0 || i == len(u.Host)-1 {
		return false
	}
	_, icann := publicsuffix.PublicSuffix(u.Host)
	return icann || u.Scheme != ""
}

func printLinks(w io.Writer, res textResult, haveIOCs, pasted bool) {
	if pasted && len(res.Links) == 0 {
		fmt.Fprintln(w, "No link was found in the text.")
	}
	for _, l := range res.Links {
		if l.NotALink {
			fmt.Fprintf(w, "%s\n  not a link: there is no web address to check\n", esc(l.Link))
			continue
		}
		fmt.Fprintf(w, "%s\n  verdict: %s\n", esc(l.Link), strings.ToUpper(l.Severity))
		for _, ref := range l.Indicators {
			fmt.Fprintf(w, "  INDICATOR: matches %s %s of %s (%s)\n", esc(ref.Type), esc(ref.Value), esc(ref.Campaign), esc(ref.File))
		}
		for _, f := range l.Findings {
			fmt.Fprintf(w, "  [%s] %s\n", strings.ToUpper(f.Severity.String()), esc(f.Text))
		}
		if len(l.Indicators) == 0 && len(l.Findings) == 0 {
			fmt.Fprintln(w, "  nothing known about this link")
		}
	}
	for _, f := range res.Findings {
		fmt.Fprintf(w, "message: [%s] %s\n", strings.ToUpper(f.Severity.String()), esc(f.Text))
	}
	if !haveIOCs {
		fmt.Fprintln(w, "(no indicators loaded: only offline heuristics were applied; use --iocs or 'huella iocs update')")
	}
	fmt.Fprintln(w, "The links were not opened. Do not open a suspicious link to test it: that can warn whoever sent it.")
}

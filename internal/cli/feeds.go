package cli

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/feeds"
	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/results"
)

// staleFeeds is when 'iocs list' warns: indicators are published months
// after an attack, so an old cache misses what is known today.
const staleFeeds = 30 * 24 * time.Hour

func (a *app) iocsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "iocs",
		Short: "Manage indicator feeds: update (the only network use), list, search, lock",
	}
	cmd.AddCommand(a.iocsUpdateCmd(), a.iocsListCmd(), a.iocsSearchCmd(), a.iocsLockCmd())
	return cmd
}

func (a *app) iocsUpdateCmd() *cobra.Command {
	var index, from string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the public indicator feeds into the data folder (or import them with --from)",
		Long: `update downloads every feed of the index over HTTPS into the data folder
(` + feeds.DataDir() + `, HUELLA_DATA overrides it). Each feed is
fetched with a conditional request, validated as STIX before it replaces the
previous copy, and written atomically; a feed that fails keeps its previous
good copy and the others still update. --from imports a folder of STIX files
instead (an offline mirror on a USB stick) and uses no network.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data := feeds.DataDir()
			var res []feeds.Result
			var err error
			if from != "" {
				res, err = feeds.Import(cmd.Context(), data, from, 0)
			} else {
				idx, ierr := feeds.DefaultIndex()
				if index != "" {
					idx, ierr = feeds.LoadIndex(index, feeds.NewClient(timeout))
				}
				if ierr != nil {
					return exitWith(results.ExitError, ierr)
				}
				opts := feeds.Options{Data: data, Index: idx, Timeout: timeout, Client: feeds.NewClient(timeout)}
				if isTerminal(a.stderr) {
					opts.Progress = func(done, total int, feed string) {
						fmt.Fprintf(a.stderr, "\r\033[K[%d/%d] %s", done, total, esc(feed))
						if done == total {
							fmt.Fprint(a.stderr, "\r\033[K")
						}
					}
				}
				res, err = feeds.Update(cmd.Context(), opts)
			}
			failed := 0
			for _, r := range res {
				switch {
				case r.Err != nil:
					failed++
					fmt.Fprintf(a.stdout, "%-36s FAILED: %s\n", esc(r.Feed), termsafeErr(r.Err))
				default:
					fmt.Fprintf(a.stdout, "%-36s %s\n", esc(r.Feed), esc(r.Status))
				}
			}
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if from != "" && len(res) == 0 {
				// Nothing imported is not a success: the folder was
				// probably the wrong one.
				return exitWith(results.ExitError, fmt.Errorf("--from %s: no STIX file (.stix2, .stix or .json) in this folder or below it, so nothing was imported", esc(from)))
			}
			fmt.Fprintf(a.stdout, "%d feed(s), %d failed; cache: %s\n", len(res), failed, feeds.FeedsDir(data))
			if failed > 0 && failed == len(res) {
				return exitWith(results.ExitError, fmt.Errorf("no feed could be updated"))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&index, "index", "", "feed index to use instead of the built-in one (JSON or MVT's indicators.yaml; file or URL)")
	cmd.Flags().StringVar(&from, "from", "", "import every STIX file of this folder instead of downloading")
	cmd.Flags().DurationVar(&timeout, "timeout", 60*time.Second, "time limit for each feed")
	return cmd
}

// listNameWidth keeps 'iocs list' within a terminal of 100 columns (the
// name, then 30 columns of numbers). The details that do not fit (source,
// SHA-256, counts by type) are in --long.
const listNameWidth = 60

func (a *app) iocsListCmd() *cobra.Command {
	var long bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the cached feeds: name, indicators, last update and age (--long: source, SHA-256, counts by type)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := feeds.FeedsDir(feeds.DataDir())
			st, err := feeds.ReadState(dir)
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if len(st.Feeds) == 0 {
				fmt.Fprintf(a.stdout, "No feeds in %s yet: run 'huella iocs update' (or --from DIR).\n", dir)
				return nil
			}
			names := slices.Sorted(maps.Keys(st.Feeds))
			short := shortFeedNames(names, listNameWidth)
			now := time.Now().UTC()
			nameW := len("FEED")
			for _, n := range short {
				nameW = max(nameW, utf8.RuneCountInString(n))
			}
			// Name left-aligned, numbers right-aligned, fixed widths: at
			// most listNameWidth+30 columns.
			row := func(name, count, updated, age string) {
				pad := strings.Repeat(" ", nameW-utf8.RuneCountInString(name))
				fmt.Fprintf(a.stdout, "%s%s  %10s  %10s  %5s\n", name, pad, count, updated, age)
			}
			if !long {
				row("FEED", "INDICATORS", "UPDATED", "AGE")
			}
			oldest := time.Duration(0)
			for i, n := range names {
				f := st.Feeds[n]
				total, counts := -1, "(file missing)"
				if set, err := indicators.Load(filepath.Join(dir, f.File)); err == nil && len(set.Files) == 1 {
					total, counts = set.Files[0].Indicators, formatCounts(set.Files[0].Counts)
				}
				age := f.Age(now)
				oldest = max(oldest, age)
				if long {
					fmt.Fprintf(a.stdout, "%s\n  source:     %s\n  updated:    %s (%s ago)\n  sha256:     %s\n  indicators: %s\n",
						esc(n), esc(f.Source), f.Updated.Format("2006-01-02"), humanAge(age), esc(f.SHA256), esc(countLine(total, counts)))
					if f.LastError != "" {
						fmt.Fprintf(a.stdout, "  last error: %s\n", esc(f.LastError))
					}
					continue
				}
				count := "?"
				if total >= 0 {
					count = strconv.Itoa(total)
				}
				row(esc(short[i]), count, f.Updated.Format("2006-01-02"), humanAge(age))
			}
			if !long {
				fmt.Fprintln(a.stdout, "Source, SHA-256 and indicators by type: huella iocs list --long")
			}
			if oldest > staleFeeds {
				fmt.Fprintf(a.stderr, "warning: some feeds were last checked %s ago; run 'huella iocs update' to get the indicators published since\n", humanAge(oldest))
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&long, "long", "l", false, "show each feed's source, update time, SHA-256 and indicators by type")
	return cmd
}

func countLine(total int, counts string) string {
	if total < 0 {
		return counts
	}
	return strconv.Itoa(total) + " (" + counts + ")"
}

// shortFeedNames names feeds for a narrow list: a feed named after its
// folder and its file often says the same words twice
// ("…-operation-triangulation-operation-triangulation"), so a repeated run
// of words is kept once; a name still longer than width keeps its start
// and end around "…". Names that would become the same stay as they were,
// shortened only at the end.
func shortFeedNames(names []string, width int) []string {
	out := make([]string, len(names))
	seen := map[string]int{}
	for i, n := range names {
		out[i] = ellipsizeMiddle(dropRepeats(n), width)
		seen[out[i]]++
	}
	for i, n := range names {
		if seen[out[i]] > 1 {
			out[i] = ellipsizeMiddle(n, width)
		}
	}
	return out
}

// dropRepeats removes a run of words (separated by '-') that repeats the
// run just before it. Runs of numbers only are kept: 2021-12-12 is a date.
func dropRepeats(name string) string {
	w := strings.Split(name, "-")
	for changed := true; changed; {
		changed = false
		for k := len(w) / 2; k >= 1 && !changed; k-- {
			for i := 0; i+2*k <= len(w); i++ {
				if slices.Equal(w[i:i+k], w[i+k:i+2*k]) && hasLetter(w[i:i+k]) {
					w = slices.Delete(w, i+k, i+2*k)
					changed = true
					break
				}
			}
		}
	}
	return strings.Join(w, "-")
}

func hasLetter(words []string) bool {
	for _, s := range words {
		for _, r := range s {
			if unicode.IsLetter(r) {
				return true
			}
		}
	}
	return false
}

// ellipsizeMiddle shortens s to width characters, keeping its start (the
// publisher and date) and its end (the campaign) around "…".
func ellipsizeMiddle(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	head := (width - 1) * 3 / 5
	tail := width - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

func formatCounts(c map[string]int) string {
	var parts []string
	for k, v := range c {
		parts = append(parts, fmt.Sprintf("%s %d", strings.TrimSuffix(strings.TrimSuffix(k, ":value"), ":name"), v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func humanAge(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

func (a *app) iocsSearchCmd() *cobra.Command {
	var f iocFlags
	cmd := &cobra.Command{
		Use:   "search VALUE",
		Short: "Say which feed and campaign hold a value (domain, IP, process, hash, app id...)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, _, err := f.loadRequired(quietLogger(a))
			if err != nil {
				return err
			}
			refs := set.Search(args[0])
			if len(refs) == 0 {
				fmt.Fprintf(a.stdout, "%s: in no loaded feed (%d indicators searched)\n", esc(args[0]), set.Len())
				return nil
			}
			for _, r := range refs {
				fmt.Fprintf(a.stdout, "%s: %s %s of %s (%s, %s)\n", esc(args[0]), esc(r.Type), esc(r.Value), esc(r.Campaign), esc(r.File), esc(r.ID))
			}
			return exitWith(results.ExitFound, nil)
		},
	}
	f.register(cmd.Flags())
	return cmd
}

func (a *app) iocsLockCmd() *cobra.Command {
	var f iocFlags
	var out string
	cmd := &cobra.Command{
		Use:   "lock --output FILE",
		Short: "Write a lock file pinning the current indicator files by SHA-256 (use with --iocs-lock)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, info, err := f.loadRequired(quietLogger(a))
			if err != nil {
				return err
			}
			var entries []feeds.LockEntry
			for _, fi := range info.Files {
				if fi.Error == "" {
					entries = append(entries, feeds.LockEntry{Name: fi.Name, SHA256: fi.SHA256})
				}
			}
			if err := feeds.WriteLock(out, entries); err != nil {
				return exitWith(results.ExitError, err)
			}
			fmt.Fprintf(a.stdout, "%d indicator file(s) pinned in %s\n", len(entries), out)
			return nil
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().StringVarP(&out, "output", "o", "huella-iocs.lock", "lock file to write")
	return cmd
}

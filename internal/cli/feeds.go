package cli

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/feeds"
	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/results"
)

func init() {
	extraCommands = append(extraCommands, (*app).iocsCmd)
	feedCacheFiles = func() []string { return feeds.CachedFiles(feeds.DataDir()) }
	applyLock = feeds.ApplyLock
}

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
					idx, ierr = feeds.LoadIndex(index, nil)
				}
				if ierr != nil {
					return exitWith(results.ExitError, ierr)
				}
				opts := feeds.Options{Data: data, Index: idx, Timeout: timeout}
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

func (a *app) iocsListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the cached feeds: source, last update, age, SHA-256, counts by type",
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
			var names []string
			for n := range st.Feeds {
				names = append(names, n)
			}
			sort.Strings(names)
			now := time.Now().UTC()
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FEED\tUPDATED\tAGE\tSHA-256\tINDICATORS BY TYPE\tSOURCE")
			oldest := time.Duration(0)
			for _, n := range names {
				f := st.Feeds[n]
				counts := "(file missing)"
				if set, err := indicators.Load(filepath.Join(dir, f.File)); err == nil && len(set.Files) == 1 {
					counts = formatCounts(set.Files[0].Counts)
				}
				age := f.Age(now)
				if age > oldest {
					oldest = age
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", esc(n), f.Updated.Format("2006-01-02"), humanAge(age), esc(f.SHA256[:min(16, len(f.SHA256))]), esc(counts), esc(f.Source))
			}
			tw.Flush()
			if oldest > staleFeeds {
				fmt.Fprintf(a.stderr, "warning: some feeds were last checked %s ago; run 'huella iocs update' to get the indicators published since\n", humanAge(oldest))
			}
			return nil
		},
	}
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
			set, _, err := f.load(quietLogger(a))
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if set == nil {
				return exitWith(results.ExitError, fmt.Errorf("no indicators loaded: use --iocs or run 'huella iocs update'"))
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
			set, info, err := f.load(quietLogger(a))
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if set == nil {
				return exitWith(results.ExitError, fmt.Errorf("no indicators loaded"))
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

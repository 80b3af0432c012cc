package cli

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/huella-project/huella/internal/atomicfile"
	"github.com/huella-project/huella/internal/casestore"
	"github.com/huella-project/huella/internal/export"
	"github.com/huella-project/huella/internal/feeds"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
)

// storeFlags choose the case store.
type storeFlags struct{ store string }

func (f *storeFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.store, "store", "", "case store: a SQLite file or postgres://… (default: HUELLA_STORE, else cases.db in the data folder)")
}

// dsn is --store, else HUELLA_STORE, else the embedded store in the data
// folder.
func (f *storeFlags) dsn() string {
	if f.store != "" {
		return f.store
	}
	if v := os.Getenv("HUELLA_STORE"); v != "" {
		return v
	}
	return filepath.Join(feeds.DataDir(), "cases.db")
}

// withStore is a command's run with the store open (and closed after).
func (f *storeFlags) withStore(run func(cmd *cobra.Command, args []string, st *casestore.Store) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		st, err := f.open(cmd.Context())
		if err != nil {
			return err
		}
		defer st.Close()
		return run(cmd, args, st)
	}
}

func (f *storeFlags) open(ctx context.Context) (*casestore.Store, error) {
	s, err := casestore.Open(ctx, f.dsn())
	if err != nil {
		return nil, exitWith(results.ExitError, err)
	}
	return s, nil
}

// caseFlags are the options of storing a check in a case (case add, and
// check --case).
type caseFlags struct {
	storeFlags
	name        string
	keepRecords bool
	hmacKeyFile string
}

func (f *caseFlags) register(fl *pflag.FlagSet, nameHelp string) {
	f.storeFlags.register(fl)
	fl.StringVar(&f.name, "case", "", nameHelp)
	fl.BoolVar(&f.keepRecords, "keep-records", false, "also store whole records (message texts, page titles); off by default for privacy")
	fl.StringVar(&f.hmacKeyFile, "hmac-key-file", "", "store values as HMAC-SHA256 with this shared key instead of as observed (see README: sharing without disclosure)")
}

func loadKey(p string) (*casestore.HMACKey, error) {
	if p == "" {
		return nil, nil
	}
	k, err := casestore.LoadHMACKey(p)
	if err != nil {
		return nil, exitWith(results.ExitError, err)
	}
	return k, nil
}

// requireKey is loadKey for the commands that cannot run without a key.
func requireKey(p string) (*casestore.HMACKey, error) {
	if p == "" {
		return nil, exitWith(results.ExitError, errors.New("--hmac-key-file is required"))
	}
	return loadKey(p)
}

// addToCase stores the results folder dir in the case and says so on w.
func (a *app) addToCase(ctx context.Context, dir string, f *caseFlags, w io.Writer) error {
	key, err := loadKey(f.hmacKeyFile)
	if err != nil {
		return err
	}
	st, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.AddResults(ctx, dir, casestore.RunInput{Case: f.name, KeepRecords: f.keepRecords, HMAC: key})
	if err != nil {
		return exitWith(results.ExitError, err)
	}
	what := "added to case"
	if res.NewCase {
		what = "stored in new case"
	}
	fmt.Fprintf(w, "Results %s %s %q: %d records, %d observations (%d distinct values, %d new to the store), %d findings. Store: %s\n",
		dir, what, f.name, res.Records, res.Observations, res.Values, res.NewValues, res.Findings, st.Where())
	if res.SkippedLarge > 0 {
		fmt.Fprintf(w, "  %d observable(s) longer than %d bytes were not stored.\n", res.SkippedLarge, casestore.MaxValueLen)
	}
	return nil
}

// storeCheck is check's --case: after the results are written, store them.
// A failure to store never hides the check's verdict: the exit status stays
// the check's unless it was clean, when it becomes an error.
func (a *app) storeCheck(ctx context.Context, evidences []string, out string, f *caseFlags, status int) error {
	if f.name == "" || status == results.ExitError {
		return exitCode(status)
	}
	var err error
	for _, evidence := range evidences {
		if err = insideEvidence(f.dsn(), evidence); err != nil {
			break
		}
	}
	if err == nil {
		err = a.addToCase(ctx, out, f, a.stderr)
	}
	if err != nil {
		fmt.Fprintln(a.stderr, "huella: the results were written but not stored in the case:", err)
		if status == results.ExitClean {
			return exitWith(results.ExitError, nil)
		}
	}
	return exitCode(status)
}

// insideEvidence refuses a store file inside the evidence: nothing is ever
// written beside it.
func insideEvidence(dsn, evidence string) error {
	if casestore.IsPostgres(dsn) || evidence == "" {
		return nil
	}
	store, err1 := filepath.Abs(strings.TrimPrefix(dsn, "sqlite:"))
	ev, err2 := filepath.Abs(evidence)
	if err1 != nil || err2 != nil {
		return nil
	}
	if real, err := filepath.EvalSymlinks(ev); err == nil {
		ev = real
	}
	if real, err := filepath.EvalSymlinks(filepath.Dir(store)); err == nil {
		store = filepath.Join(real, filepath.Base(store))
	}
	rel, err := filepath.Rel(ev, store)
	if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("the case store %s is inside the evidence %s: choose a store outside it", dsn, evidence)
	}
	return nil
}

func (a *app) caseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "case",
		Short: "Keep checks as cases in a store (SQLite or PostgreSQL) for retro-hunts: add, list, show, rm, export",
		Long: `A case holds one or more checks of a person's phones: the device, the
evidence hashes, how the check was run, every observable the modules
extracted (kind, value, module, time, record reference) and the findings.
Message texts are not stored unless --keep-records is given. 'huella hunt'
re-checks every stored case against newly published indicators.

The store is a SQLite file in the data folder by default; a team shares a
PostgreSQL database with --store postgres://… or HUELLA_STORE.`,
	}
	cmd.AddCommand(a.caseAddCmd(), a.caseListCmd(), a.caseShowCmd(), a.caseRmCmd(), a.caseExportCmd(), a.caseHashesCmd(), a.caseOverlapCmd())
	return cmd
}

func (a *app) caseAddCmd() *cobra.Command {
	f := &caseFlags{}
	cmd := &cobra.Command{
		Use:   "add RESULTS_DIR --case NAME",
		Short: "Store the results folder of a check in a case (created when new)",
		Example: `  huella case add case-42 --case helpline-2026-0042
  huella case add case-42 --case 2026-0042 --store postgres://huella@db.internal/cases`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.name == "" {
				return exitWith(results.ExitError, errors.New("give the case a name with --case NAME"))
			}
			return a.addToCase(cmd.Context(), args[0], f, a.stdout)
		},
	}
	f.register(cmd.Flags(), "case name (required)")
	return cmd
}

func (a *app) caseListCmd() *cobra.Command {
	var sf storeFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the stored cases",
		Args:  cobra.NoArgs,
		RunE: sf.withStore(func(cmd *cobra.Command, _ []string, st *casestore.Store) error {
			cs, err := st.Cases(cmd.Context())
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if asJSON {
				if cs == nil {
					cs = []casestore.Case{}
				}
				return writeJSON(a.stdout, cs)
			}
			if len(cs) == 0 {
				fmt.Fprintf(a.stdout, "No cases in %s yet: 'huella case add RESULTS_DIR --case NAME' or 'huella check … --case NAME'.\n", st.Where())
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "CASE\tDEVICE\tRUNS\tOBSERVATIONS\tFINDINGS\tHIGHEST\tLAST HUNT\tSTORED AS")
			for _, c := range cs {
				hunted := "never"
				if c.HuntedThrough > 0 {
					hunted = fmt.Sprintf("#%d", c.HuntedThrough)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", c.Name, cmp.Or(c.Device, "-"), c.Runs, c.Observations, c.Findings,
					cmp.Or(c.Highest, "-"), hunted, storedAs(c))
			}
			tw.Flush()
			fmt.Fprintf(a.stdout, "%d case(s) in %s\n", len(cs), st.Where())
			return nil
		}),
	}
	sf.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func storedAs(c casestore.Case) string {
	switch {
	case c.HMACKeyID != "":
		return "HMAC " + c.HMACKeyID
	case c.KeepRecords:
		return "values + records"
	}
	return "values"
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func (a *app) caseShowCmd() *cobra.Command {
	var sf storeFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a case: devices, evidence hashes, runs, findings, hunts",
		Args:  cobra.ExactArgs(1),
		RunE: sf.withStore(func(cmd *cobra.Command, args []string, st *casestore.Store) error {
			d, err := st.Detail(cmd.Context(), args[0])
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if asJSON {
				return writeJSON(a.stdout, d)
			}
			a.printCase(d)
			return nil
		}),
	}
	sf.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) printCase(d casestore.CaseDetail) {
	w := a.stdout
	fmt.Fprintf(w, "Case %s (created %s; stored as %s)\n", d.Name, d.Created.Format("2006-01-02 15:04Z"), storedAs(d.Case))
	for i, r := range d.RunList {
		fmt.Fprintf(w, "\nRun %d: %s %s, checked %s by huella %s\n", i+1, r.Evidence.Kind, r.Evidence.Path, r.Started.Format(time.RFC3339), r.Tool.Version)
		fmt.Fprintf(w, "  Device: %s", deviceLine(r.Evidence.Device))
		if r.Evidence.Device.ID != "" {
			fmt.Fprintf(w, " (id %s)", r.Evidence.Device.ID)
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  Results folder: %s\n  Command: %s\n", r.ResultsDir, strings.Join(r.Command, " "))
		for i, in := range r.Inputs {
			if i == 10 {
				fmt.Fprintf(w, "  ... and %d more evidence files (--json lists all)\n", len(r.Inputs)-10)
				break
			}
			fmt.Fprintf(w, "  Evidence file: %s  sha256 %s  %d bytes\n", in.Path, in.SHA256, in.Size)
		}
		var files []string
		for _, f := range r.Indicators.Files {
			files = append(files, f.Name)
		}
		fmt.Fprintf(w, "  Indicators at check time: %d from %s\n", r.Indicators.Total, cmp.Or(strings.Join(files, ", "), "-"))
		fmt.Fprintf(w, "  Verdict then: exit %d, highest %s; %d records, %d observations stored\n",
			r.Summary.ExitStatus, cmp.Or(r.Summary.Highest, "-"), r.Records, r.Observations)
	}
	var kinds []string
	for k, n := range d.Values {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "\nDistinct values: %s\n", cmp.Or(strings.Join(kinds, ", "), "-"))
	fmt.Fprintf(w, "\nFindings (%d):\n", len(d.Findings))
	for _, f := range d.Findings {
		from := "check"
		if f.Hunt > 0 {
			from = fmt.Sprintf("hunt #%d", f.Hunt)
		}
		when := ""
		if f.Detection.Time != nil {
			when = f.Detection.Time.UTC().Format("2006-01-02 15:04:05Z") + " "
		}
		fmt.Fprintf(w, "  [%s] %s%s (%s): %s\n", strings.ToUpper(f.Detection.Severity.String()), when, f.Detection.Module, from, oneLine(f.Detection.Reason, 200))
	}
	if len(d.Hunts) == 0 {
		fmt.Fprintln(w, "\nNot hunted yet: 'huella hunt' re-checks it against indicators published since.")
		return
	}
	fmt.Fprintf(w, "\nHunts:\n")
	for _, h := range d.Hunts {
		fmt.Fprintf(w, "  #%d %s: %s, %d indicator(s) checked, %d new finding(s)\n", h.Hunt, h.Started.Format("2006-01-02 15:04Z"), h.Status, h.Checked, h.NewFindings)
	}
}

func (a *app) caseRmCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a case and every trace of it from the store",
		Long: `rm deletes the case, its runs, evidence hashes, observables, kept records,
findings and hunt results, and the values no other case observed. On the
embedded store the file is then rebuilt, so nothing of the case can be read
back from it; on PostgreSQL the rows are deleted, and the server's own copies
(its write-ahead log, backups) are the administrator's to expire. The results
folders on disk are not touched: delete them yourself.`,
		Args: cobra.ExactArgs(1),
		RunE: sf.withStore(func(cmd *cobra.Command, args []string, st *casestore.Store) error {
			c, err := st.Case(cmd.Context(), args[0])
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			d, err := st.Detail(cmd.Context(), c.Name)
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if err := st.Remove(cmd.Context(), c.Name); err != nil {
				return exitWith(results.ExitError, err)
			}
			fmt.Fprintf(a.stdout, "Removed case %q (%d run(s), %d observations) from %s.\n", c.Name, c.Runs, c.Observations, st.Where())
			for _, r := range d.RunList {
				fmt.Fprintf(a.stdout, "  Its results folder %s is still on disk.\n", r.ResultsDir)
			}
			return nil
		}),
	}
	sf.register(cmd.Flags())
	return cmd
}

func (a *app) caseExportCmd() *cobra.Command {
	var sf storeFlags
	var format, out string
	cmd := &cobra.Command{
		Use:   "export NAME --format misp|stix",
		Short: "Export a case's indicator matches as a MISP event with sightings, or STIX 2.1 sightings",
		Long: `export writes the observables of the case that matched indicators, at the
check or in any hunt since, with when they were seen: a MISP event whose
attributes carry sightings, or a STIX 2.1 bundle of sightings. No message
text or other content leaves. A case stored as HMACs exports the indicators'
own values, not what the phone held.`,
		Args: cobra.ExactArgs(1),
		RunE: sf.withStore(func(cmd *cobra.Command, args []string, st *casestore.Store) error {
			d, err := st.Detail(cmd.Context(), args[0])
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			info := results.Info{Started: d.Created}
			if len(d.RunList) > 0 {
				r := d.RunList[0]
				info = results.Info{Started: r.Started, Evidence: r.Evidence, Tool: r.Tool}
			}
			var dets []model.Detection
			for _, f := range d.Findings {
				det := f.Detection
				if det.Indicator != nil && det.Observable != nil && casestore.IsHMACValue(det.Observable.Value) {
					o := export.IndicatorObservable(*det.Indicator)
					det.Observable = &o
				}
				dets = append(dets, det)
			}
			var b []byte
			switch format {
			case "misp":
				b, err = export.MISP(info, dets, time.Now())
			case "stix":
				b, err = export.STIX(info, dets, time.Now())
			default:
				return exitWith(results.ExitError, fmt.Errorf("--format must be misp or stix"))
			}
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if out == "" || out == "-" {
				_, err = a.stdout.Write(append(b, '\n'))
			} else {
				err = os.WriteFile(out, append(b, '\n'), 0o600)
			}
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			return nil
		}),
	}
	sf.register(cmd.Flags())
	cmd.Flags().StringVarP(&format, "format", "f", "misp", "misp or stix")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default: stdout)")
	return cmd
}

// The shared-hash file: one "kind,hmac" line per distinct value, after a
// header line. Two helplines holding the same key can compare such files
// (or one file with their own store) and learn only what they have in common.
const hashesHeader = "kind,hmac"

func (a *app) caseHashesCmd() *cobra.Command {
	var sf storeFlags
	var keyFile, out string
	cmd := &cobra.Command{
		Use:   "hashes NAME --hmac-key-file KEY",
		Short: "Write the HMACs of a case's values, to compare with another helpline holding the same key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := requireKey(keyFile)
			if err != nil {
				return err
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := st.Case(cmd.Context(), args[0])
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			if c.HMACKeyID != "" && c.HMACKeyID != key.ID {
				return exitWith(results.ExitError, fmt.Errorf("case %q is stored with HMAC key %s, not %s", c.Name, c.HMACKeyID, key.ID))
			}
			n := 0
			write := func(w io.Writer) error {
				bw := bufio.NewWriter(w)
				fmt.Fprintln(bw, hashesHeader)
				seen := map[string]bool{}
				err := st.EachValue(cmd.Context(), c.ID, func(kind, v string) error {
					h, ok := casestore.SharedForm(key, kind, v)
					if ok && !seen[kind+h] {
						seen[kind+h] = true
						n++
						fmt.Fprintf(bw, "%s,%s\n", kind, h)
					}
					return nil
				})
				if err != nil {
					return err
				}
				return bw.Flush()
			}
			// A file is written whole or not at all (the one atomic writer):
			// a failed run never leaves half a list to compare against.
			if out == "" || out == "-" {
				err = write(a.stdout)
			} else {
				err = atomicfile.WriteFile(out, write)
			}
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			fmt.Fprintf(a.stderr, "%d HMAC(s) of case %q with key %s\n", n, c.Name, key.ID)
			return nil
		},
	}
	sf.register(cmd.Flags())
	cmd.Flags().StringVar(&keyFile, "hmac-key-file", "", "the shared HMAC key (required)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default: stdout)")
	return cmd
}

// maxSharedLines bounds a hashes file read by overlap.
const maxSharedLines = 50_000_000

func (a *app) caseOverlapCmd() *cobra.Command {
	var sf storeFlags
	var keyFile string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "overlap HASHES_FILE --hmac-key-file KEY",
		Short: "Find which stored cases saw the values of another helpline's hashes file (same key)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := requireKey(keyFile)
			if err != nil {
				return err
			}
			theirs, err := readHashes(args[0], key)
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			st, err := sf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			cs, err := st.Cases(cmd.Context())
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			type overlap struct {
				Case   string   `json:"case"`
				Shared int      `json:"shared"`
				Values []string `json:"values"` // the local values (or HMACs) shared
			}
			var res []overlap
			for _, c := range cs {
				if c.HMACKeyID != "" && c.HMACKeyID != key.ID {
					fmt.Fprintf(a.stderr, "case %s is stored with HMAC key %s, not %s: not compared\n", c.Name, c.HMACKeyID, key.ID)
					continue
				}
				o := overlap{Case: c.Name}
				err := st.EachValue(cmd.Context(), c.ID, func(kind, v string) error {
					if h, ok := casestore.SharedForm(key, kind, v); ok && theirs[kind+","+h] {
						o.Shared++
						o.Values = append(o.Values, kind+" "+v)
					}
					return nil
				})
				if err != nil {
					return exitWith(results.ExitError, err)
				}
				if o.Shared > 0 {
					sort.Strings(o.Values)
					res = append(res, o)
				}
			}
			if asJSON {
				if res == nil {
					res = []overlap{}
				}
				return writeJSON(a.stdout, res)
			}
			if len(res) == 0 {
				fmt.Fprintf(a.stdout, "No stored case shares a value with %s (%d HMACs, key %s).\n", args[0], len(theirs), key.ID)
				return nil
			}
			for _, o := range res {
				fmt.Fprintf(a.stdout, "%s: %d shared value(s)\n", o.Case, o.Shared)
				for i, v := range o.Values {
					if i == 20 {
						fmt.Fprintf(a.stdout, "  ... and %d more (--json lists all)\n", len(o.Values)-20)
						break
					}
					fmt.Fprintf(a.stdout, "  %s\n", v)
				}
			}
			return nil
		},
	}
	sf.register(cmd.Flags())
	cmd.Flags().StringVar(&keyFile, "hmac-key-file", "", "the shared HMAC key (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// readHashes reads a hashes file made with the same key.
func readHashes(p string, key *casestore.HMACKey) (map[string]bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = 2
	out := map[string]bool{}
	for n := 0; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if n == 0 && strings.Join(rec, ",") == hashesHeader {
			continue
		}
		if n > maxSharedLines {
			return nil, fmt.Errorf("%s: more than %d lines", p, maxSharedLines)
		}
		if !strings.HasPrefix(rec[1], "hmac:"+key.ID+":") {
			return nil, fmt.Errorf("%s line %d: not an HMAC made with key %s", p, n+1, key.ID)
		}
		out[rec[0]+","+rec[1]] = true
	}
	return out, nil
}

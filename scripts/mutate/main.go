// Command mutate checks that the tests catch deliberate bugs. It reads a list
// of one-line mutations (file, exact original text, replacement, packages to
// test), applies each one in a scratch copy of the repository (never in the
// working tree), runs the affected packages' tests with a timeout, and
// reports which mutations were caught and which survived.
//
//	go run ./scripts/mutate                       # every mutation in mutations.tsv
//	go run ./scripts/mutate -run cbc.go           # those whose file or note matches
//	go run ./scripts/mutate -md results.md        # also write a Markdown table
//
// The list (scripts/mutate/mutations.tsv) has one mutation per line, fields
// separated by tabs:
//
//	file  original  replacement  packages  note
//
// file is relative to the repository root; original must occur exactly once
// in it (add context to the text when it does not); replacement may be empty
// (the text is deleted); packages is a comma-separated list of package
// patterns ("-" or empty: the file's own package); note says what the
// mutation breaks. A note starting with "survives:" marks a mutation known to
// survive, with the reason; it is reported but does not fail the run. Lines
// starting with # are comments.
//
// Mutations run one at a time (the machine may be shared) with -count=1, so
// a result never comes from the test cache. The exit status is 1 when a
// mutation not marked "survives:" survived, 2 when the run could not start
// (a bad list line, or a package whose tests fail without any mutation).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Mutation is one line of the list.
type Mutation struct {
	Line        int // line number in the list, the mutation's id
	File        string
	Original    string
	Replacement string
	Packages    []string
	Note        string
}

// ExpectedToSurvive says the list explains why the tests cannot catch it.
func (m Mutation) ExpectedToSurvive() bool { return strings.HasPrefix(m.Note, "survives:") }

// Outcome of one mutation.
type Outcome string

const (
	Caught   Outcome = "caught"
	Survived Outcome = "survived"
	Invalid  Outcome = "invalid" // the mutant did not compile: fix the list line
)

// Result is what running one mutation gave.
type Result struct {
	Mutation
	Outcome  Outcome
	FailedBy []string // the tests that failed ("--- FAIL: TestX"), or "timeout"
	Took     time.Duration
}

// ParseList reads the mutation list.
func ParseList(r io.Reader) ([]Mutation, error) {
	var out []Mutation
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 || len(f) > 5 {
			return nil, fmt.Errorf("line %d: want file, original, replacement[, packages[, note]] separated by tabs; got %d fields", n, len(f))
		}
		for len(f) < 5 {
			f = append(f, "")
		}
		m := Mutation{Line: n, File: strings.TrimSpace(f[0]), Original: f[1], Replacement: f[2], Note: strings.TrimSpace(f[4])}
		if m.File == "" || m.Original == "" {
			return nil, fmt.Errorf("line %d: file and original text are required", n)
		}
		if m.Original == m.Replacement {
			return nil, fmt.Errorf("line %d: the replacement is the original text", n)
		}
		if p := strings.TrimSpace(f[3]); p != "" && p != "-" {
			for _, s := range strings.Split(p, ",") {
				if s = strings.TrimSpace(s); s != "" {
					m.Packages = append(m.Packages, s)
				}
			}
		}
		if len(m.Packages) == 0 {
			m.Packages = []string{"./" + filepath.ToSlash(filepath.Dir(m.File))}
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

// Apply returns src with the mutation applied. The original text must occur
// exactly once, so a list line can never silently mutate the wrong place.
func Apply(src []byte, m Mutation) ([]byte, error) {
	switch n := bytes.Count(src, []byte(m.Original)); n {
	case 1:
	case 0:
		return nil, fmt.Errorf("line %d: %q not found in %s", m.Line, m.Original, m.File)
	default:
		return nil, fmt.Errorf("line %d: %q occurs %d times in %s; add context so it is unique", m.Line, m.Original, n, m.File)
	}
	return bytes.Replace(src, []byte(m.Original), []byte(m.Replacement), 1), nil
}

var failRe = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)

// classify reads go test's exit and output.
func classify(err error, out []byte, timedOut bool) (Outcome, []string) {
	if err == nil {
		return Survived, nil
	}
	if bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]")) {
		return Invalid, nil
	}
	var failed []string
	for _, m := range failRe.FindAllSubmatch(out, -1) {
		if name := string(m[1]); !slices.Contains(failed, name) {
			failed = append(failed, name)
		}
	}
	// A parent test fails with its subtests; name the most precise ones.
	failed = slices.DeleteFunc(failed, func(name string) bool {
		return slices.ContainsFunc(failed, func(o string) bool { return strings.HasPrefix(o, name+"/") })
	})
	if len(failed) > 3 {
		failed = append(failed[:3], fmt.Sprintf("%d more", len(failed)-3))
	}
	if timedOut || bytes.Contains(out, []byte("panic: test timed out")) {
		failed = append(failed, "timeout")
	}
	if len(failed) == 0 {
		failed = append(failed, "exit status (no test named)")
	}
	return Caught, failed
}

// repoRoot is the folder holding go.mod, from the current directory up.
func repoRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		p := filepath.Dir(d)
		if p == d {
			return "", errors.New("no go.mod in this folder or above")
		}
		d = p
	}
}

// sourceFiles lists what goes into the scratch copy: the files git knows
// (tracked, or new and not ignored), so generated corpora and build outputs
// stay out; without git, every file outside .git and the ignored bench folders.
func sourceFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f == "" {
				continue
			}
			if fi, err := os.Lstat(filepath.Join(root, f)); err == nil && fi.Mode().IsRegular() {
				files = append(files, f) // deleted-but-tracked files and links are left out
			}
		}
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && (rel == ".git" || rel == filepath.Join("bench", "corpus") || rel == filepath.Join("bench", "results")) {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

func copyTree(root, dst string, files []string) error {
	for _, f := range files {
		src := filepath.Join(root, filepath.FromSlash(f))
		to := filepath.Join(dst, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		fi, err := os.Stat(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, b, fi.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

type runner struct {
	ctx     context.Context // cancelled by Ctrl-C or SIGTERM
	dir     string          // the scratch copy
	timeout time.Duration
	env     []string
	verbose io.Writer
}

// goTest runs the packages' tests once, uncached, with a timeout; a hang is
// killed a little after go test's own timeout would have fired.
func (r *runner) goTest(pkgs []string) ([]byte, error, bool) {
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout+time.Minute)
	defer cancel()
	args := append([]string{"test", "-count=1", "-timeout", r.timeout.String()}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if r.verbose != nil {
		r.verbose.Write(out)
	}
	return out, err, ctx.Err() != nil && r.ctx.Err() == nil
}

func (r *runner) run(m Mutation) (Result, error) {
	p := filepath.Join(r.dir, filepath.FromSlash(m.File))
	src, err := os.ReadFile(p)
	if err != nil {
		return Result{}, err
	}
	mut, err := Apply(src, m)
	if err != nil {
		return Result{}, err
	}
	if err := os.WriteFile(p, mut, 0o644); err != nil {
		return Result{}, err
	}
	defer os.WriteFile(p, src, 0o644)
	start := time.Now()
	out, terr, timedOut := r.goTest(m.Packages)
	res := Result{Mutation: m, Took: time.Since(start)}
	res.Outcome, res.FailedBy = classify(terr, out, timedOut)
	return res, nil
}

func main() {
	listPath := flag.String("list", "", "mutation list (default scripts/mutate/mutations.tsv)")
	only := flag.String("run", "", "only mutations whose file or note matches this regular expression")
	timeout := flag.Duration("timeout", 3*time.Minute, "go test -timeout for each run")
	md := flag.String("md", "", "also write the results as a Markdown table to this file")
	keep := flag.Bool("keep", false, "keep the scratch copy (its path is printed)")
	verbose := flag.Bool("v", false, "print go test's output")
	check := flag.Bool("check", false, "only check that every line applies to the working tree")
	flag.Parse()
	os.Exit(mainErr(*listPath, *only, *timeout, *md, *keep, *verbose, *check))
}

func mainErr(listPath, only string, timeout time.Duration, md string, keep, verbose, check bool) int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "mutate:", err); return 2 }
	root, err := repoRoot()
	if err != nil {
		return fail(err)
	}
	if listPath == "" {
		listPath = filepath.Join(root, "scripts", "mutate", "mutations.tsv")
	}
	f, err := os.Open(listPath)
	if err != nil {
		return fail(err)
	}
	muts, err := ParseList(f)
	f.Close()
	if err != nil {
		return fail(fmt.Errorf("%s: %w", listPath, err))
	}
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			return fail(err)
		}
		muts = slices.DeleteFunc(muts, func(m Mutation) bool { return !re.MatchString(m.File) && !re.MatchString(m.Note) })
	}
	// Check every line against the working tree first: a stale line fails
	// the run before any test time is spent.
	var bad []error
	for _, m := range muts {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.File)))
		if err != nil {
			bad = append(bad, fmt.Errorf("line %d: %w", m.Line, err))
		} else if _, err := Apply(src, m); err != nil {
			bad = append(bad, err)
		}
	}
	if len(bad) > 0 {
		return fail(errors.Join(bad...))
	}
	if check {
		fmt.Printf("%d mutations apply\n", len(muts))
		return 0
	}

	scratch, err := os.MkdirTemp("", "huella-mutate-")
	if err != nil {
		return fail(err)
	}
	if keep {
		fmt.Fprintln(os.Stderr, "scratch copy:", scratch)
	} else {
		defer os.RemoveAll(scratch)
	}
	dir := filepath.Join(scratch, "repo")
	files, err := sourceFiles(root)
	if err != nil {
		return fail(err)
	}
	if err := copyTree(root, dir, files); err != nil {
		return fail(err)
	}
	env := os.Environ()
	// Tests that read the shared data find it beside the real repository.
	if os.Getenv("HUELLA_SHARED") == "" {
		if sh, err := filepath.Abs(filepath.Join(root, "..", "shared")); err == nil {
			if _, err := os.Stat(sh); err == nil {
				env = append(env, "HUELLA_SHARED="+sh)
			}
		}
	}
	// Ctrl-C stops the current test run and still removes the scratch copy.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &runner{ctx: ctx, dir: dir, timeout: timeout, env: env}
	if verbose {
		r.verbose = os.Stderr
	}

	// Baseline: every package must pass unmutated, or "caught" means nothing.
	seen := map[string]bool{}
	for _, m := range muts {
		key := strings.Join(m.Packages, " ")
		if seen[key] {
			continue
		}
		seen[key] = true
		fmt.Fprintf(os.Stderr, "baseline %s ...\n", key)
		if out, err, _ := r.goTest(m.Packages); err != nil {
			if ctx.Err() != nil {
				return fail(errors.New("interrupted"))
			}
			os.Stderr.Write(out)
			return fail(fmt.Errorf("the tests of %s fail without any mutation", key))
		}
	}

	var results []Result
	start := time.Now()
	for i, m := range muts {
		res, err := r.run(m)
		if err != nil {
			return fail(err)
		}
		if ctx.Err() != nil {
			return fail(errors.New("interrupted"))
		}
		results = append(results, res)
		fmt.Printf("%3d/%d  %-8s  %s:%d  %s  (%s)\n", i+1, len(muts), res.Outcome, filepath.Base(listPath), m.Line, describe(m), strings.Join(res.FailedBy, ", "))
	}
	counts := map[Outcome]int{}
	unexpected := 0
	for _, r := range results {
		counts[r.Outcome]++
		if r.Outcome == Survived && !r.ExpectedToSurvive() || r.Outcome == Invalid {
			unexpected++
		}
	}
	fmt.Printf("\n%d mutations: %d caught, %d survived (%d explained in the list), %d invalid; %s\n",
		len(results), counts[Caught], counts[Survived], counts[Survived]-unexpectedSurvivors(results), counts[Invalid], time.Since(start).Round(time.Second))
	if md != "" {
		if err := os.WriteFile(md, markdown(results), 0o644); err != nil {
			return fail(err)
		}
	}
	if unexpected > 0 {
		return 1
	}
	return 0
}

func unexpectedSurvivors(rs []Result) int {
	n := 0
	for _, r := range rs {
		if r.Outcome == Survived && !r.ExpectedToSurvive() {
			n++
		}
	}
	return n
}

func describe(m Mutation) string {
	return fmt.Sprintf("%s: %q → %q", m.File, clip(m.Original), clip(m.Replacement))
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// markdown is the table kept in SECURITY.md.
func markdown(rs []Result) []byte {
	var b bytes.Buffer
	b.WriteString("| line | file | what the mutation breaks | result | caught by |\n|---|---|---|---|---|\n")
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, r := range rs {
		by := strings.Join(r.FailedBy, ", ")
		what := r.Note
		if r.Outcome == Survived {
			by = strings.TrimSpace(strings.TrimPrefix(r.Note, "survives:"))
			what = describe(r.Mutation)
		}
		if what == "" {
			what = describe(r.Mutation)
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", r.Line, strings.TrimPrefix(r.File, "internal/"), esc(what), r.Outcome, esc(by))
	}
	return b.Bytes()
}

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/results"
)

func TestShortFeedNames(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"mvt-indicators-2023-06-01-operation-triangulation-operation-triangulation", "mvt-indicators-2023-06-01-operation-triangulation"},
		{"amnesty-2021-12-16-cytrox-cytrox", "amnesty-2021-12-16-cytrox"},
		{"mvt-indicators-2023-07-25-wyrmspy-dragonegg-wyrmspy-dragonegg", "mvt-indicators-2023-07-25-wyrmspy-dragonegg"},
		{"mvt-indicators-2022-06-23-rcs-lab-rcs", "mvt-indicators-2022-06-23-rcs-lab-rcs"}, // no run repeats right after itself
		{"amnesty-2021-12-12-pegasus", "amnesty-2021-12-12-pegasus"},                       // a date's numbers are not words
		{"a-b-a-b-a-b", "a-b"},
		{"echap-stalkerware-regenerated-2026-06-21", "echap-stalkerware-regenerated-2026-06-21"},
	} {
		if got := dropRepeats(c.in); got != c.want {
			t.Errorf("dropRepeats(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := "publisher-2024-01-01-a-very-long-campaign-name-that-keeps-going-and-going-to-the-end"
	got := shortFeedNames([]string{long, "x-y-x-y", "x-y"}, 40)
	if n := utf8.RuneCountInString(got[0]); n != 40 || !strings.HasPrefix(got[0], "publisher-2024-01-01") || !strings.HasSuffix(got[0], "to-the-end") {
		t.Errorf("long name shortened to %q (%d)", got[0], n)
	}
	// Two feeds that would read the same keep their own names.
	if got[1] != "x-y-x-y" || got[2] != "x-y" {
		t.Errorf("clashing names: %q", got[1:])
	}
}

// 'iocs list' fits 100 columns, names each feed once, and --long has the
// details.
func TestIocsListFits100Columns(t *testing.T) {
	w := newWorld(t)
	from := t.TempDir()
	long := filepath.Join(from, "mvt-indicators", "2023-06-01_operation_triangulation_and_some_more_words")
	if err := os.MkdirAll(long, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(long, "operation_triangulation_and_some_more_words.stix2"), filepath.Join(from, "cytrox", "cytrox.stix2")} {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(testBundle), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if r := w.huella("", "iocs", "update", "--from", from); r.code != 0 {
		t.Fatalf("update --from: %d %s", r.code, r.console())
	}
	r := w.huella("", "iocs", "list")
	if r.code != 0 {
		t.Fatalf("list: %d %s", r.code, r.console())
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
	if strings.Count(r.stdout, "cytrox") != 1 || strings.Count(r.stdout, "more-words") != 1 || !strings.Contains(r.stdout, "INDICATORS") {
		t.Errorf("list:\n%s", r.stdout)
	}
	l := w.huella("", "iocs", "list", "--long")
	for _, want := range []string{"source:", "sha256:", "indicators:", "mvt-indicators-2023-06-01-operation-triangulation-and-some-more-words-operation-triangulation-and-some-more-words"} {
		if !strings.Contains(l.stdout, want) {
			t.Errorf("--long lacks %q:\n%s", want, l.stdout)
		}
	}
}

func TestIocsUpdateFromEmptyFolderIsAnError(t *testing.T) {
	w := newWorld(t)
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "README.txt"), []byte("not a feed"), 0o600)
	r := w.huella("", "iocs", "update", "--from", empty)
	if r.code != results.ExitError || !strings.Contains(r.stderr, "no STIX file") || !strings.Contains(r.stderr, "nothing was imported") {
		t.Errorf("exit %d:\n%s", r.code, r.console())
	}
}

// check-url --json uses the results contract's keys: lower-case snake case
// everywhere, and a finding's fields named as in detections.json.
func TestCheckURLJSONKeys(t *testing.T) {
	code, out, _ := run(t, "Tu paquete: https://bit.ly/3xYz y hxxps://lure[.]example/a", "check-url", "--json", "--iocs", writeBundle(t), "-")
	if code != results.ExitFound {
		t.Fatalf("exit %d: %s", code, out)
	}
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	var keys []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if !key.MatchString(k) {
					t.Errorf("key %q is not lower-case snake case", k)
				}
				keys = append(keys, k)
				if k != "params" { // named by the rule: its own words
					walk(c)
				}
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	for _, want := range []string{"links", "link", "host", "severity", "indicators", "findings", "rule", "params", "type", "value", "campaign", "file"} {
		if !strings.Contains(" "+strings.Join(keys, " ")+" ", " "+want+" ") {
			t.Errorf("no key %q in %s", want, out)
		}
	}
	// A finding's severity is the word detections.json uses.
	if !strings.Contains(out, `"severity": "low"`) {
		t.Errorf("severity not written as a word:\n%s", out)
	}
}

// export -o creates the folder it writes into, as --output does for check.
func TestExportCreatesItsFolder(t *testing.T) {
	w := newWorld(t)
	out := filepath.Join(t.TempDir(), "case")
	if r := w.huella("", "check", iosBackup(t), "--iocs", writeBundle(t), "--output", out, "--quiet", "--no-report"); r.code == results.ExitError {
		t.Fatalf("check: %d %s", r.code, r.console())
	}
	for _, f := range []string{"stix", "misp"} {
		dest := filepath.Join(t.TempDir(), "new", "deeper", "x-"+f+".json")
		if r := w.huella("", "export", out, "--format", f, "-o", dest); r.code != 0 {
			t.Fatalf("export %s: %d %s", f, r.code, r.console())
		}
		b, err := os.ReadFile(dest)
		if err != nil || !json.Valid(b) {
			t.Errorf("export %s wrote %d bytes, %v", f, len(b), err)
		}
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
)

// run executes the CLI in-process and returns exit status, stdout, stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	t.Setenv("HUELLA_IOCS", "")
	t.Setenv("HUELLA_DATA", t.TempDir())
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const testBundle = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"malware","id":"malware--1","name":"TestSpy","is_family":true},
 {"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='lure.example']","pattern_type":"stix","valid_from":"2021-01-01T00:00:00Z"},
 {"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"malware--1"}]}`

func writeBundle(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "test.stix2")
	if err := os.WriteFile(p, []byte(testBundle), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckURLExitStatus(t *testing.T) {
	ioc := writeBundle(t)
	cases := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"indicator match", "", []string{"check-url", "--iocs", ioc, "https://www.lure.example/x"}, 1, "TestSpy"},
		{"sub-domain lookalike is not a match", "", []string{"check-url", "--iocs", ioc, "https://notlure.example/"}, 0, "nothing known"},
		{"pegasus path shape", "", []string{"check-url", "http://news.example/3589003s/"}, 1, "Pegasus"},
		{"a shortener alone is low", "", []string{"check-url", "bit.ly/abc"}, 0, "LOW"},
		{"defanged indicator link", "", []string{"check-url", "--iocs", ioc, "hxxps://lure[.]example/x"}, 1, "TestSpy"},
		{"not a link", "", []string{"check-url", "hello"}, 0, "not a link"},
		{"pasted text without a link", "días.so no hay enlace", []string{"check-url", "-"}, 0, "No link was found"},
		{"Spanish", "", []string{"check-url", "--lang", "es", "bit.ly/abc"}, 0, "Enlace acortado"},
		{"pasted text", "Tu padre murió. Funeral: https://lure.example/a", []string{"check-url", "--iocs", ioc, "-"}, 1, "lure.example"},
		{"no argument", "", []string{"check-url"}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := run(t, c.stdin, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out, errs)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("stdout lacks %q:\n%s", c.want, out)
			}
		})
	}
}

func TestCheckURLJSON(t *testing.T) {
	code, out, _ := run(t, "", "check-url", "--json", "--iocs", writeBundle(t), "http://lure.example:80/")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var res textResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err, out)
	}
	if len(res.Links) != 1 || len(res.Links[0].Indicators) != 1 || res.Links[0].Indicators[0].Campaign != "TestSpy" || res.Severity != "high" {
		t.Errorf("%+v", res)
	}
}

// The message verdict of pasted text agrees with its links' verdict, and
// never claims a sender check-url cannot know.
func TestCheckURLPastedMessage(t *testing.T) {
	ioc := writeBundle(t)
	code, out, _ := run(t, "Mi papá falleció, los detalles del funeral: hxxps://lure[.]example/a", "check-url", "--json", "--iocs", ioc, "-")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var res textResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err, out)
	}
	if len(res.Links) != 1 || res.Links[0].Link != "https://lure.example/a" || res.Links[0].Severity != "high" {
		t.Fatalf("links %+v", res.Links)
	}
	if len(res.Findings) != 1 || res.Findings[0].Rule != "message.lure.suspicious_link" || res.Findings[0].Severity != model.High {
		t.Fatalf("message findings %+v, want one high suspicious-link finding", res.Findings)
	}
	for _, f := range res.Findings {
		if strings.Contains(f.Text, "contacts") || strings.Contains(f.Text, "no known warning sign") {
			t.Errorf("message finding claims what check-url cannot know or contradicts its link: %q", f.Text)
		}
	}
}

func TestCheckRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o600)
	code, _, errs := run(t, "", "check", dir, "--output", filepath.Join(t.TempDir(), "out"))
	if code != 2 || !strings.Contains(errs, "not phone evidence huella recognises") {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, _, errs = run(t, "", "check", dir, "--output", filepath.Join(dir, "out"))
	if code != 2 || !strings.Contains(errs, "inside the evidence") {
		t.Errorf("output inside evidence: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("nothing may be created inside the evidence")
	}
}

func TestParseTempBudget(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "auto": 0, "AUTO": 0, "20GiB": 20 << 30, "500MB": 500_000_000, "1.5GiB": 3 << 29, "4096": 4096} {
		got, err := parseTempBudget(in)
		if err != nil || got != want {
			t.Errorf("parseTempBudget(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "lots", "-5GB", "99999999EiB"} {
		if _, err := parseTempBudget(bad); err == nil || !strings.Contains(err.Error(), "--temp-budget") {
			t.Errorf("parseTempBudget(%q) = %v, want an error naming the flag", bad, err)
		}
	}
}

// The commands that have nothing to do without indicators stop with an
// error that says how to get some, instead of running on an empty set.
func TestCommandsNeedingIndicators(t *testing.T) {
	for _, args := range [][]string{
		{"iocs", "search", "lure.example"},
		{"iocs", "lock", "--output", filepath.Join(t.TempDir(), "lock.json")},
		{"hunt", "--store", filepath.Join(t.TempDir(), "cases.db"), "--output", filepath.Join(t.TempDir(), "h")},
	} {
		code, _, stderr := run(t, "", args...)
		if code != results.ExitError || !strings.Contains(stderr, "no indicators loaded") || !strings.Contains(stderr, "huella iocs update") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

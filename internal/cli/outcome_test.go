package cli

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/testutil"
)

func writeTar(t *testing.T, w *bytes.Buffer, files map[string]string) {
	t.Helper()
	tw := tar.NewWriter(w)
	for n, b := range files {
		tw.WriteHeader(&tar.Header{Name: n, Size: int64(len(b)), Mode: 0o600, Typeflag: tar.TypeReg})
		tw.Write([]byte(b))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

const profileDir = "private/var/containers/Shared/SystemGroup/A1B2/Library/ConfigurationProfiles/"

// TestOutcomeCases runs each case of "a verdict people can trust" end to
// end: the exit status, the console's verdict and not-checked lines with
// their fix, info.json's summary and the report all say the same thing.
// Before the outcome was one function, every case here exited 0 or 2 the
// wrong way (no indicators, --iocs typos and empty feeds, empty folders
// forced to a type, an encrypted backup.ab, unreadable profiles).
func TestOutcomeCases(t *testing.T) {
	type evidenceFn func(t *testing.T) string
	emptyDir := func(t *testing.T) string { return t.TempDir() }
	cases := []struct {
		name     string
		cache    bool
		evidence evidenceFn
		args     func(t *testing.T) []string
		code     int
		level    string // "" when no output folder may exist
		causes   []coverage.Cause
		console  []string
	}{
		{name: "no indicators at all: incomplete, with the fix", evidence: iosBackup,
			code: 3, level: "incomplete", causes: []coverage.Cause{coverage.NoIndicators},
			console: []string{"Verdict: INCOMPLETE", "no indicator feed was loaded", "Fix: run 'huella iocs update'", "or give --iocs FILE"}},
		{name: "indicators from the feed cache: clean", cache: true, evidence: iosBackup,
			code: 0, level: "none", console: []string{"Verdict: NO KNOWN TRACES"}},
		{name: "indicators from --iocs: clean", evidence: iosBackup, args: func(t *testing.T) []string { return []string{"--iocs", writeBundle(t)} },
			code: 0, level: "none"},
		{name: "--iocs typo without a cache", evidence: iosBackup, args: func(*testing.T) []string { return []string{"--iocs", "/typo.stix2"} },
			code: 2, console: []string{"--iocs /typo.stix2: no such file", "huella iocs update"}},
		{name: "--iocs typo with a cache", cache: true, evidence: iosBackup, args: func(*testing.T) []string { return []string{"--iocs", "/typo.stix2"} },
			code: 2, console: []string{"--iocs /typo.stix2: no such file"}},
		{name: "--iocs STIX 1 XML loads nothing", cache: true, evidence: iosBackup,
			args: func(t *testing.T) []string {
				return []string{"--iocs", writeTree(t, t.TempDir(), map[string]string{"pegasus.xml": `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"/>`}) + "/pegasus.xml"}
			},
			code: 2, console: []string{"pegasus.xml loads no indicator", "STIX 2.1"}},
		{name: "--iocs MISP event is read", evidence: iosBackup,
			args: func(t *testing.T) []string {
				return []string{"--iocs", writeTree(t, t.TempDir(), map[string]string{"misp.json": `{"Event":{"info":"x","Attribute":[{"type":"domain","value":"lure.example","to_ids":true}]}}`}) + "/misp.json"}
			},
			code: 0, level: "none", console: []string{"Indicators: 1 from 1 file(s)"}},
		{name: "--iocs MISP event with nothing meant for detection loads nothing", evidence: iosBackup,
			args: func(t *testing.T) []string {
				return []string{"--iocs", writeTree(t, t.TempDir(), map[string]string{"misp.json": `{"Event":{"info":"x","Attribute":[{"type":"domain","value":"lure.example","to_ids":false}]}}`}) + "/misp.json"}
			},
			code: 2, console: []string{"misp.json loads no indicator", "MISP"}},
		{name: "--iocs folder: skipped files are listed", evidence: iosBackup,
			args: func(t *testing.T) []string {
				d := writeTree(t, t.TempDir(), map[string]string{"notes.json": `{"title":"not indicators"}`, "good.stix2": testBundle})
				return []string{"--iocs", d}
			},
			code: 0, level: "none", console: []string{"skipped indicator file", "notes.json"}},
		{name: "--type ios-fs on a folder with nothing to read", cache: true, evidence: emptyDir,
			args: func(*testing.T) []string { return []string{"--type", "ios-fs"} },
			code: 2, level: "error", causes: []coverage.Cause{coverage.NothingFound},
			console: []string{"Verdict: NOTHING CHECKED", "Fix: give the root folder of the evidence"}},
		{name: "--type ios-sysdiagnose on an empty folder", cache: true, evidence: emptyDir,
			args: func(*testing.T) []string { return []string{"--type", "ios-sysdiagnose"} },
			code: 2, level: "error", causes: []coverage.Cause{coverage.NothingFound}},
		{name: "androidqf whose backup.ab is encrypted, no password", cache: true,
			evidence: func(t *testing.T) string { return androidQF(t, "s3cret-ab") },
			code:     3, level: "incomplete", causes: []coverage.Cause{coverage.Encrypted},
			console: []string{"backup.ab (the phone's SMS backup) is encrypted", "Fix: give the password with --password-file FILE or set HUELLA_BACKUP_PASSWORD"}},
		{name: "androidqf whose backup.ab is encrypted, with its password", cache: true,
			evidence: func(t *testing.T) string { return androidQF(t, "s3cret-ab") },
			args: func(t *testing.T) []string {
				return []string{"--password-file", writeTree(t, t.TempDir(), map[string]string{"pw": "s3cret-ab\n"}) + "/pw"}
			},
			code: 0, level: "none"},
		{name: "unreadable configuration profiles are not empty", cache: true,
			evidence: func(t *testing.T) string {
				return writeTree(t, t.TempDir(), map[string]string{
					profileDir + "profile-1.stub":                  "not a plist",
					profileDir + "profile-2.stub":                  "\x00\x01\x02",
					"private/var/mobile/Library/Preferences/x.txt": "x",
				})
			},
			args: func(*testing.T) []string { return []string{"--type", "ios-fs"} },
			// A dump holding none of the artifacts every iPhone has is a
			// part not checked too (internal/source/fsdump).
			code: 3, level: "incomplete", causes: []coverage.Cause{coverage.NotChecked, coverage.Unreadable, coverage.Unreadable},
			console: []string{"ios.profiles (" + profileDir + "profile-1.stub) could not be read"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			if c.cache {
				w.withFeedCache()
			}
			ev := c.evidence(t)
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"check", ev, "--output", out}
			if c.args != nil {
				args = append(args, c.args(t)...)
			}
			r := w.huella("", args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, r.console())
			}
			for _, s := range c.console {
				if !strings.Contains(r.console(), s) {
					t.Errorf("console lacks %q:\n%s", s, r.console())
				}
			}
			if c.level == "" {
				if exists(out) {
					t.Errorf("an error before any work created %s", out)
				}
				return
			}
			testutil.ValidateResults(t, out)
			info := readInfo(t, out)
			s := info.Summary
			if s.ExitStatus != c.code || s.Level != c.level {
				t.Errorf("info.json summary: exit %d level %s, want %d %s", s.ExitStatus, s.Level, c.code, c.level)
			}
			var got []coverage.Cause
			for _, g := range s.NotChecked {
				got = append(got, g.Cause)
			}
			if strings.Join(causeNames(got), ",") != strings.Join(causeNames(c.causes), ",") {
				t.Errorf("not checked %+v, want causes %v", s.NotChecked, c.causes)
			}
			html, err := os.ReadFile(filepath.Join(out, "report.html"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(html, []byte(`class="verdict level-`+c.level+`"`)) {
				t.Errorf("report.html verdict is not level %s", c.level)
			}
			for _, g := range s.NotChecked {
				// Tags out: the page marks abbreviations and flags inside
				// the text (<abbr>, a span that keeps a flag whole).
				if fix := g.FixText("en"); !bytes.Contains(tag.ReplaceAll(html, nil), []byte(htmlText(fix))) {
					t.Errorf("report.html lacks the fix %q", fix)
				}
			}
		})
	}
}

func causeNames(cs []coverage.Cause) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

// htmlText escapes the way html/template does for the characters our texts use.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// TestMVTEncryptedAndroidQF: MVT's androidqf_encrypted fixture (a folder
// holding only an encrypted backup.ab) is recognised without --type; with
// no password nothing can be checked and the console says how to fix it;
// with the password its SMS are read.
func TestMVTEncryptedAndroidQF(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/androidqf_encrypted")
	w := newWorld(t)
	w.withFeedCache()
	out := filepath.Join(t.TempDir(), "out")
	r := w.huella("", "check", dir, "--output", out)
	if r.code != results.ExitError || !strings.Contains(r.stdout, "Fix: give the password with --password-file FILE") {
		t.Fatalf("exit %d\n%s", r.code, r.console())
	}
	info := readInfo(t, out)
	if info.Evidence.Kind != "androidqf" || len(info.Evidence.Gaps) != 1 || info.Evidence.Gaps[0].Cause != coverage.Encrypted {
		t.Errorf("evidence %+v", info.Evidence)
	}
	t.Setenv("HUELLA_BACKUP_PASSWORD", "123456")
	out2 := filepath.Join(t.TempDir(), "out")
	r = w.huella("", "check", dir, "--output", out2)
	if r.code != results.ExitClean {
		t.Fatalf("with the password: exit %d\n%s", r.code, r.console())
	}
	if m := moduleByName(readInfo(t, out2), "android.sms_backup"); m.Records == 0 {
		t.Errorf("SMS not read with the password: %+v", m)
	}
}

func moduleByName(info results.Info, name string) results.ModuleInfo {
	for _, m := range info.Modules {
		if m.Name == name {
			return m
		}
	}
	return results.ModuleInfo{}
}

// TestIndicatorPathsFromTheEnvironment: HUELLA_IOCS is held to the same
// rule as --iocs, and the error says where the path came from.
func TestIndicatorPathsFromTheEnvironment(t *testing.T) {
	w := newWorld(t)
	w.withFeedCache()
	t.Setenv("HUELLA_IOCS", "/typo-from-env.stix2")
	out := filepath.Join(t.TempDir(), "out")
	r := w.huella("", "check", iosBackup(t), "--output", out)
	if r.code != results.ExitError || !strings.Contains(r.stderr, "HUELLA_IOCS entry /typo-from-env.stix2: no such file") || exists(out) {
		t.Errorf("exit %d\n%s", r.code, r.console())
	}
}

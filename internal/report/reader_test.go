package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/all"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
)

// Every module has a short name in every language, and no two modules of
// one evidence type share one, so the reader never sees a module id.
func TestEveryModuleHasAName(t *testing.T) {
	for _, lang := range Languages() {
		cat, err := LoadCatalogue(lang)
		if err != nil {
			t.Fatal(err)
		}
		byKind := map[source.Kind]map[string]string{}
		ids := []string{"correlation"}
		kinds := map[string][]source.Kind{}
		for _, m := range all.Modules() {
			ids = append(ids, m.Name)
			kinds[m.Name] = m.Kinds
		}
		for _, id := range ids {
			own, err := readCatalogue(lang)
			if err != nil {
				t.Fatal(err)
			}
			name, ok := own["name."+id]
			if !ok || strings.TrimSpace(name) == "" {
				t.Errorf("%s: module %s has no name (name.%s in i18n/%s.json)", lang, id, id, lang)
				continue
			}
			// And its description, shown in the coverage table, in the
			// reader's language.
			if lang != DefaultLang && id != "correlation" && strings.TrimSpace(own["module."+id]) == "" {
				t.Errorf("%s: module %s has no description (module.%s in i18n/%s.json)", lang, id, id, lang)
			}
			if got := ModuleName(cat, id); got != name || strings.Contains(got, ".") && strings.Contains(got, "_") {
				t.Errorf("%s: ModuleName(%s) = %q", lang, id, got)
			}
			for _, k := range kinds[id] {
				if byKind[k] == nil {
					byKind[k] = map[string]string{}
				}
				if other, dup := byKind[k][name]; dup {
					t.Errorf("%s: %s and %s are both called %q in %s evidence", lang, other, id, name, k)
				}
				byKind[k][name] = id
			}
		}
		for _, k := range source.Kinds {
			if !cat.Has("evidence." + string(k)) {
				t.Errorf("%s: evidence type %s has no name", lang, k)
			}
		}
	}
}

func TestHumanPart(t *testing.T) {
	en, _ := LoadCatalogue("en")
	es, _ := LoadCatalogue("es")
	for _, c := range []struct {
		cat      *Catalogue
		in, want string
	}{
		{en, "ios.safari_history", "Safari history"},
		{en, "ios.sms, ios.calls", "SMS and iMessage, Calls"},
		{en, "android.appops, android.dbinfo, a … (+3)", "android.appops, android.dbinfo, a … (+3)"}, // "a" is no module: left as written
		{en, "android.appops, android.dbinfo … (+32)", "App permission use, Recent app database use … (+32)"},
		{en, "ios.profiles (MCState.plist)", "Configuration profiles (MCState.plist)"},
		{en, "backup.ab", "backup.ab"},
		{en, "indicators", "indicators"},
		{es, "the check", "la revisión"},
		{es, "this ios-fs evidence", "esta evidencia (Sistema de archivos de iPhone)"},
		{es, "ios.safari_history", "Historial de Safari"},
	} {
		if got := humanPart(c.cat, c.in); got != c.want {
			t.Errorf("%s: humanPart(%q) = %q, want %q", c.cat.Lang, c.in, got, c.want)
		}
	}
}

// What the verdict means and what to do next differ for a phone with
// traces, one that could not be fully checked and one where nothing was
// found, in every language.
func TestMeaningAndNextStepsPerOutcome(t *testing.T) {
	incomplete := noneScenario()
	incomplete.info.Indicators = results.Indicators{}
	review := findingsScenario()
	review.dets = review.dets[2:3]
	nothing := failedScenario()
	nothing.info.Modules = nothing.info.Modules[1:2]
	for _, lang := range []string{"en", "es"} {
		seen := map[string]string{}
		for _, c := range []struct {
			sc    scenario
			group string
		}{{findingsScenario(), "found"}, {review, "review"}, {incomplete, "incomplete"}, {noneScenario(), "none"}, {nothing, "error"}} {
			d := build(t, c.sc, lang)
			if d.Verdict.Group != c.group {
				t.Errorf("%s %s: group %q", lang, c.group, d.Verdict.Group)
			}
			if d.Verdict.Meaning == "" || strings.HasPrefix(d.Verdict.Meaning, "meaning.") || len(d.NextSteps) < 3 {
				t.Errorf("%s %s: meaning %q, %d next steps", lang, c.group, d.Verdict.Meaning, len(d.NextSteps))
			}
			for _, s := range append([]string{d.Verdict.Meaning}, d.NextSteps[0]) {
				if other, dup := seen[s]; dup && !(c.group == "error" && other == "incomplete") {
					t.Errorf("%s: %s says the same as %s: %q", lang, c.group, other, s)
				}
				seen[s] = c.group
			}
		}
	}
}

func TestAbbreviationsExplained(t *testing.T) {
	en, _ := LoadCatalogue("en")
	got := string(en.Abbr(`SMS from a URL at 2024-02-20 09:00:00 UTC; SMSs, URLs; not in SMSC, CURL or MIP; run --module-timeout <now>`))
	for _, want := range []string{
		`<abbr title="Text message.">SMS</abbr> from`,
		`<abbr title="Web address.">URL</abbr> at`,
		`<span class="nw">2024-02-20</span> 09:00:00 <abbr title="Coordinated Universal Time`,
		`<abbr title="Text message.">SMSs</abbr>, <abbr title="Web address.">URLs</abbr>`,
		`not in SMSC, CURL or MIP`,
		`run <span class="nw">--module-timeout</span> &lt;now&gt;`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Abbr lacks %s:\n%s", want, got)
		}
	}
	// Every abbreviation has an explanation in every language, and the
	// glossary lists them all.
	for _, lang := range Languages() {
		cat, _ := LoadCatalogue(lang)
		own, _ := readCatalogue(lang)
		g := glossary(cat)
		for _, a := range abbreviations {
			if own["gloss."+a] == "" {
				t.Errorf("%s: no explanation of %s", lang, a)
			}
		}
		if len(g) != len(abbreviations)+2 {
			t.Errorf("%s: glossary has %d entries", lang, len(g))
		}
	}
}

// unexplained finds capitalised abbreviations (two or more capitals) in a
// page's reader text outside <abbr> and evidence values.
var (
	evidenceOrAbbr = regexp.MustCompile(`(?s)<script[^>]*>.*?</script>|<style[^>]*>.*?</style>|<title>.*?</title>|<abbr[^>]*>.*?</abbr>|<bdi class="v">.*?</bdi>|<code[^>]*>.*?</code>|<pre[^>]*>.*?</pre>|<samp>.*?</samp>|<dt>[^<]*</dt>|\{[^}]*\}`)
	tagRE          = regexp.MustCompile(`(?s)<[^>]*>`)
	capsRE         = regexp.MustCompile(`\b[A-Z][A-Z0-9]+(-[0-9]+)?\b`)
)

// Words in capitals that are not abbreviations a reader needs explained:
// names (of exploits, tools, products) and units.
var notAbbreviations = map[string]bool{"BLASTPASS": true, "FORCEDENTRY": true, "MB": true, "GB": true, "TB": true, "kB": true,
	"OS": true, "NSO": true, "CEST": true, "CET": true, "CST": true, "UFED": true, "MVT": true, "JSON": true, "CSV": true, "HTML": true, "PDF": true}

func TestEveryAbbreviationInThePageIsExplained(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		sc := findingsScenario()
		dir := writeResults(t, sc)
		d, err := BuildData(dir, Options{Lang: lang, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := Render(&b, d); err != nil {
			t.Fatal(err)
		}
		text := tagRE.ReplaceAllString(evidenceOrAbbr.ReplaceAllString(b.String(), " "), " ")
		for _, m := range capsRE.FindAllString(text, -1) {
			if !notAbbreviations[m] {
				i := strings.Index(text, m)
				t.Errorf("%s: %q is not explained: …%s…", lang, m, text[max(0, i-60):min(len(text), i+40)])
			}
		}
	}
}

// A file-system dump lists hundreds of thousands of inputs: the page keeps
// a summary, one digest and the first few, and info.json keeps them all.
func TestProvenanceSummary(t *testing.T) {
	sc := noneScenario()
	sc.info.Inputs = nil
	for i := 0; i < 5000; i++ {
		sc.info.Inputs = append(sc.info.Inputs, source.InputFile{Path: fmt.Sprintf("/ev/f%d", i), Size: 10, SHA256: fmt.Sprintf("%064x", i)})
	}
	sc.info.Command = []string{"huella", "check", "--iocs", "my feeds", "/ev/Ana's phone"}
	d := build(t, sc, "en")
	p := d.Provenance
	if p.InputsTotal != 5000 || p.InputsBytes != 50000 || len(p.Inputs) != MaxListedInputs || len(p.InputsDigest) != 64 || p.DigestSingle {
		t.Errorf("provenance = total %d, bytes %d, listed %d, digest %q", p.InputsTotal, p.InputsBytes, len(p.Inputs), p.InputsDigest)
	}
	if p.Command != `huella check --iocs 'my feeds' '/ev/Ana'\''s phone'` {
		t.Errorf("command = %s", p.Command)
	}
	// The digest is what sha256sum gives for the list, so it can be checked.
	var list strings.Builder
	for _, in := range sc.info.Inputs {
		fmt.Fprintf(&list, "%s  %s\n", in.SHA256, in.Path)
	}
	if want := sha256hex(list.String()); p.InputsDigest != want {
		t.Errorf("digest %s, want %s", p.InputsDigest, want)
	}
	var page strings.Builder
	if err := Render(&page, d); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(page.String(), `<code class="hash">`); n > MaxListedInputs+5 {
		t.Errorf("%d hashes in the page", n)
	}
	if !strings.Contains(page.String(), "The first 200 of 5000 are listed here") {
		t.Error("the cut list does not say where the rest is")
	}
}

func TestEventNamesInWords(t *testing.T) {
	en, _ := LoadCatalogue("en")
	es, _ := LoadCatalogue("es")
	for _, c := range []struct {
		cat        *Catalogue
		desc, want string
	}{
		{en, "sms_received", "message received"},
		{en, "M-CB", "file modified, metadata changed, created"},
		{es, "---B", "archivo creado"},
		{en, "MACB", "file modified, read, metadata changed, created"},
		{en, "finding:ios.netusage.orphan_usage", "finding"},
		{en, "some_new_event", "some new event"},
	} {
		if got := eventName(c.cat, c.desc); got != c.want {
			t.Errorf("%s: eventName(%q) = %q, want %q", c.cat.Lang, c.desc, got, c.want)
		}
	}
	// And on the timeline, in English too.
	sc := findingsScenario()
	sc.events = append(sc.events, model.Event{Time: at("2023-05-10T10:00:00Z"), Module: "ios.manifest", Desc: "M-CB", Summary: "Library/x - HomeDomain"})
	d := build(t, sc, "en")
	if !containsAll(d.Events.Descs, "file modified, metadata changed, created", "message received") || containsAll(d.Events.Descs, "sms_received") {
		t.Errorf("event names: %q", d.Events.Descs)
	}
	if !containsAll(d.Events.Modules, "Safari history", "List of files in the backup") {
		t.Errorf("module names: %q", d.Events.Modules)
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

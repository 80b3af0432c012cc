package report

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:embed i18n/*.json
var catalogueFS embed.FS

// DefaultLang is used when Options.Lang is empty or unknown.
const DefaultLang = "en"

// Catalogue is one language's texts, keyed by message id. Texts live in
// JSON so translators never touch code.
type Catalogue struct {
	Lang string
	msgs map[string]string
}

// Languages lists the catalogues embedded in the binary.
func Languages() []string {
	ents, _ := catalogueFS.ReadDir("i18n")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// LoadCatalogue returns the catalogue for lang, falling back to English.
// English fills any key a translation lacks, so a missing key shows English
// rather than an id.
func LoadCatalogue(lang string) (*Catalogue, error) {
	en, err := readCatalogue(DefaultLang)
	if err != nil {
		return nil, err
	}
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i] // "es-MX" uses "es"
	}
	if lang == "" || lang == DefaultLang {
		return &Catalogue{Lang: DefaultLang, msgs: en}, nil
	}
	tr, err := readCatalogue(lang)
	if err != nil {
		return nil, fmt.Errorf("report language %q is not available (have %s)", lang, strings.Join(Languages(), ", "))
	}
	for k, v := range en {
		if _, ok := tr[k]; !ok {
			tr[k] = v
		}
	}
	return &Catalogue{Lang: lang, msgs: tr}, nil
}

func readCatalogue(lang string) (map[string]string, error) {
	b, err := catalogueFS.ReadFile("i18n/" + lang + ".json")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("i18n/%s.json: %w", lang, err)
	}
	return m, nil
}

// Has says whether key exists.
func (c *Catalogue) Has(key string) bool { _, ok := c.msgs[key]; return ok }

// T returns the text for key with {name} placeholders filled from pairs
// ("name", value, ...). An unknown key returns the key itself so a gap is
// visible in the page and caught by tests rather than rendered blank.
func (c *Catalogue) T(key string, pairs ...any) string {
	s, ok := c.msgs[key]
	if !ok {
		return key
	}
	if len(pairs) < 2 {
		return s
	}
	// One pass over the text: a value (a device name from the evidence)
	// that holds another placeholder's spelling stays as it is.
	old := make([]string, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		name, _ := pairs[i].(string)
		old = append(old, "{"+name+"}", fmt.Sprint(pairs[i+1]))
	}
	return strings.NewReplacer(old...).Replace(s)
}

// List returns key.1, key.2, ... in order, for texts that are lists.
func (c *Catalogue) List(key string) []string {
	var out []string
	for i := 1; ; i++ {
		s, ok := c.msgs[key+"."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, s)
	}
}

// Prefixed returns the texts whose key starts with prefix, with the prefix
// removed, for the strings the page's script needs.
func (c *Catalogue) Prefixed(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range c.msgs {
		if strings.HasPrefix(k, prefix) {
			out[strings.TrimPrefix(k, prefix)] = v
		}
	}
	return out
}

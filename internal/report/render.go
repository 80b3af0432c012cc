package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/huella-project/huella/internal/model"
)

//go:embed templates/*.gohtml
var templateFS embed.FS

//go:embed assets/uplot/uPlot.iife.min.js
var uplotJS string

//go:embed assets/uplot/uPlot.min.css
var uplotCSS string

//go:embed assets/report.js
var reportJS string

//go:embed assets/report.css
var reportCSS string

// eventsSlot marks where the timeline columns are streamed into the page.
// It starts with '<', which escaped evidence text can never produce.
const eventsSlot = "<huella-events-slot>"

// page is what the template executes on: the data plus our own assets,
// the only values trusted as raw CSS and JS.
type pageView struct {
	*Data
	CSS        template.CSS
	JS         template.JS
	CSP        string
	UI         map[string]string
	EventsSlot template.HTML
}

var tmpl = template.Must(template.New("report.gohtml").Funcs(template.FuncMap{
	"t": func(c *Catalogue, key string, pairs ...any) string { return c.T(key, pairs...) },
}).ParseFS(templateFS, "templates/*.gohtml"))

// Write builds the report of the results folder dir and writes
// dir/report.html atomically, so an interrupted run never leaves half a
// page where a previous report was.
func Write(dir string, opts Options) error {
	d, err := BuildData(dir, opts)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".report-*.html")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<16)
	if err := Render(w, d); err != nil {
		return fail(err)
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, "report.html"))
}

// Render writes the page for d. The timeline columns are streamed after
// the template so a million events are never held twice as one string.
func Render(w io.Writer, d *Data) error {
	js := uplotJS + "\n;\n" + reportJS
	css := uplotCSS + "\n" + reportCSS
	ui := d.cat.Prefixed("js.")
	for i := model.Informational; i <= model.Critical; i++ {
		ui["sev."+strconv.Itoa(int(i)+1)] = d.cat.T("severity." + i.String())
	}
	p := pageView{
		Data:       d,
		CSS:        template.CSS(css),
		JS:         template.JS(js),
		CSP:        csp(js, css),
		UI:         ui,
		EventsSlot: template.HTML(eventsSlot),
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	out := buf.Bytes()
	i := bytes.Index(out, []byte(eventsSlot))
	if i < 0 || bytes.Count(out, []byte(eventsSlot)) != 1 {
		return fmt.Errorf("report template: events slot missing or repeated")
	}
	if _, err := w.Write(out[:i]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `<script id="events" type="application/json">`); err != nil {
		return err
	}
	if err := writeEventsJSON(w, d.Events); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `</script>`); err != nil {
		return err
	}
	_, err := w.Write(out[i+len(eventsSlot):])
	return err
}

// csp allows exactly our inline script and style, by hash, and nothing
// from anywhere: the page must work offline and never call out.
func csp(js, css string) string {
	return "default-src 'none'; script-src '" + hash(js) + "'; style-src '" + hash(css) +
		"'; img-src data:; base-uri 'none'; form-action 'none'"
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// writeEventsJSON writes Events as JSON. Numbers are formatted by hand
// for speed; strings go through encoding/json, whose HTML escaping turns
// '<' into \u003c so no evidence text can close the script element.
func writeEventsJSON(w io.Writer, e *Events) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	b := make([]byte, 0, 32)
	ints := func(name string, n int, at func(int) int64) {
		bw.WriteString(`"` + name + `":[`)
		for i := 0; i < n; i++ {
			b = b[:0]
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, at(i), 10)
			bw.Write(b)
		}
		bw.WriteString("]")
	}
	strs := func(name string, list []string) error {
		bw.WriteString(`"` + name + `":`)
		enc, err := json.Marshal(list)
		if err != nil {
			return err
		}
		if list == nil {
			enc = []byte("[]")
		}
		_, err = bw.Write(enc)
		return err
	}
	n := len(e.T)
	bw.WriteString("{")
	ints("t", n, func(i int) int64 { return e.T[i] })
	bw.WriteString(",")
	ints("m", n, func(i int) int64 { return int64(e.M[i]) })
	bw.WriteString(",")
	ints("s", n, func(i int) int64 { return int64(e.S[i]) })
	bw.WriteString(",")
	ints("d", n, func(i int) int64 { return int64(e.D[i]) })
	bw.WriteString(",")
	ints("x", n, func(i int) int64 { return int64(e.X[i]) })
	bw.WriteString(",")
	ints("r", n, func(i int) int64 { return int64(e.R[i]) })
	for _, s := range []struct {
		name string
		list []string
	}{{"mods", e.Modules}, {"descs", e.Descs}, {"texts", e.Texts}, {"sources", e.Sources}} {
		bw.WriteString(",")
		if err := strs(s.name, s.list); err != nil {
			return err
		}
	}
	tz, _ := json.Marshal(e.Zone)
	bw.WriteString(`,"tz":`)
	bw.Write(tz)
	bw.WriteString("}")
	return bw.Flush()
}

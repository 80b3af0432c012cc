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
	"strconv"
	"strings"

	"github.com/huella-project/huella/internal/atomicfile"
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
	"t":    func(c *Catalogue, key string, pairs ...any) string { return c.T(key, pairs...) },
	"join": strings.Join,
	"arr":  func(v ...any) []any { return v },
}).ParseFS(templateFS, "templates/*.gohtml"))

// FileName is the report's name in a results folder for a language:
// report.html in English, report.<lang>.html otherwise, so a report in a
// second language sits beside the first instead of replacing it.
func FileName(lang string) string {
	cat, err := LoadCatalogue(lang)
	if err != nil || cat.Lang == DefaultLang {
		return "report.html"
	}
	return "report." + cat.Lang + ".html"
}

// Write builds the report of the results folder dir and writes it
// (FileName(opts.Lang)) atomically, never through a link planted in the
// folder, so an interrupted run never leaves half a page where a previous
// report was.
func Write(dir string, opts Options) error {
	d, err := BuildData(dir, opts)
	if err != nil {
		return err
	}
	return write(dir, d)
}

// WriteFrom is Write for a check that handed the report its timeline
// during its merge pass (tl): timeline.jsonl is not read back.
func WriteFrom(dir string, opts Options, tl *Timeline) error {
	d, err := BuildDataFrom(dir, opts, tl)
	if err != nil {
		return err
	}
	return write(dir, d)
}

func write(dir string, d *Data) error {
	defer d.Events.close()
	out, err := atomicfile.OpenDir(dir)
	if err != nil {
		return err
	}
	defer out.Close()
	return out.WriteWith(FileName(d.Lang), func(w io.Writer) error { return Render(w, d) })
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
	if err := writeEvents(w, d.Events); err != nil {
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

// Chromium appends a long script text in pieces and copies it each time, so
// one 100 MB data element takes seconds to parse while fifty 2 MB ones take
// a fraction of that: the columns are cut into parts.
const (
	partEntries = 100_000
	partBytes   = 1 << 20
)

// writeEvents writes Events as a series of
// <script type="application/json" class="ev-part" data-k="KEY">[...]</script>
// elements, each a slice of one column; the page concatenates parts of the
// same key in order. Numbers are formatted by hand for speed; strings go
// through encoding/json, whose HTML escaping turns '<' into \u003c so no
// evidence text can close the element.
func writeEvents(w io.Writer, e *Events) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	open := func(key string) {
		bw.WriteString(`<script type="application/json" class="ev-part" data-k="` + key + `">[`)
	}
	const closeTag = "]</script>\n"
	// ints writes one numeric column: the events in memory, then those
	// spooled (read back once per column).
	ints := func(key string, n int, at func(int) int64, spooled func(row) int64) error {
		b := make([]byte, 0, 24)
		i := 0
		put := func(v int64) {
			if i%partEntries == 0 {
				if i > 0 {
					bw.WriteString(closeTag)
				}
				open(key)
			} else {
				bw.WriteByte(',')
			}
			b = strconv.AppendInt(b[:0], v, 10)
			bw.Write(b)
			i++
		}
		for j := 0; j < n; j++ {
			put(at(j))
		}
		err := e.more.each(func(r row) { put(spooled(r)) })
		if i > 0 {
			bw.WriteString(closeTag)
		}
		return err
	}
	// encoded writes a string column given as its JSON encodings.
	encoded := func(key string, each func(func([]byte) error) error) error {
		size, first, n := 0, true, 0
		err := each(func(enc []byte) error {
			if n == 0 || size+len(enc) > partBytes {
				if n > 0 {
					bw.WriteString(closeTag)
				}
				open(key)
				size, first = 0, true
			}
			if !first {
				bw.WriteByte(',')
			}
			first = false
			bw.Write(enc)
			size += len(enc) + 1
			n++
			return nil
		})
		if n > 0 {
			bw.WriteString(closeTag)
		}
		return err
	}
	strs := func(key string, list []string) error {
		return encoded(key, func(fn func([]byte) error) error {
			for _, s := range list {
				enc, err := json.Marshal(s)
				if err != nil {
					return err
				}
				if err := fn(enc); err != nil {
					return err
				}
			}
			return nil
		})
	}
	dictCol := func(key string, list []string, d *spoolDict) error {
		if d == nil {
			return strs(key, list)
		}
		return encoded(key, d.each)
	}
	n := len(e.T)
	for _, c := range []struct {
		key     string
		at      func(int) int64
		spooled func(row) int64
	}{
		{"t", func(i int) int64 { return e.T[i] }, func(r row) int64 { return r.t }},
		{"m", func(i int) int64 { return int64(e.M[i]) }, func(r row) int64 { return int64(r.m) }},
		{"s", func(i int) int64 { return int64(e.S[i]) }, func(r row) int64 { return int64(r.s) }},
		{"d", func(i int) int64 { return int64(e.D[i]) }, func(r row) int64 { return int64(r.d) }},
		{"x", func(i int) int64 { return int64(e.X[i]) }, func(r row) int64 { return int64(r.x) }},
		{"r", func(i int) int64 { return int64(e.R[i]) }, func(r row) int64 { return int64(r.r) }},
	} {
		if err := ints(c.key, n, c.at, c.spooled); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		key  string
		list []string
		d    *spoolDict
	}{{"mods", e.Modules, nil}, {"descs", e.Descs, nil}, {"texts", e.Texts, e.texts}, {"sources", e.Sources, e.sources}} {
		if err := dictCol(c.key, c.list, c.d); err != nil {
			return err
		}
	}
	if e.Zone != "" {
		if err := strs("tz", []string{e.Zone}); err != nil {
			return err
		}
	}
	return bw.Flush()
}

package safariexport

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/jsonx"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/browserhistory"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/phoneexport"
	"github.com/huella-project/huella/internal/timestamp"
)

// Safari's export (Apple, "Importing data exported from Safari") writes
// each JSON file as one object: "metadata" (browser_name, browser_version,
// data_type, export_time_usec, schema_version) and the data, here
// "history": an array of the pages Safari visited, each with url, title,
// time_usec (the latest visit, Unix microseconds), visit_count (Apple's
// text also says visits_count; both are read), and, for a page reached by
// a redirect, source_url and source_time_usec (the page before it) or
// destination_url and destination_time_usec (the page after). A redirect
// is found by matching url and time_usec to the other page's destination
// (or source) url and time. Extensions.json holds "extensions": Safari
// extensions with their bundle and App Store identifiers.
//
// Files are decoded as a stream, one item at a time: a history of a
// hundred thousand pages is never held as one value.

// Visit is one item of a history file.
type Visit struct {
	File            string    `json:"file"`
	URL             string    `json:"url"`
	Title           string    `json:"title,omitempty"`
	Time            time.Time `json:"time,omitzero"`
	TimeUsec        int64     `json:"time_usec"`
	VisitCount      int64     `json:"visit_count,omitempty"`
	SourceURL       string    `json:"source_url,omitempty"`
	SourceUsec      int64     `json:"source_time_usec,omitempty"`
	DestinationURL  string    `json:"destination_url,omitempty"`
	DestinationUsec int64     `json:"destination_time_usec,omitempty"`
	LoadFailure     *bool     `json:"latest_visit_was_load_failure,omitempty"`
	HTTPGet         *bool     `json:"latest_visit_was_http_get,omitempty"`

	timeErr error // time_usec is no plausible date (the record keeps it raw)
}

// Extension is one item of an extensions file.
type Extension struct {
	File        string `json:"file"`
	Identifier  string `json:"composed_identifier"` // bundle id, then the developer's team id in parentheses
	BundleID    string `json:"bundle_id,omitempty"`
	Developer   string `json:"developer_name,omitempty"`
	Name        string `json:"display_name,omitempty"`
	StoreID     string `json:"store_identifier,omitempty"`
	IOSApp      string `json:"ios_app_bundle_identifier,omitempty"`
	IOSExt      string `json:"ios_extension_bundle_identifier,omitempty"`
	MacApp      string `json:"macos_app_bundle_identifier,omitempty"`
	MacExt      string `json:"macos_extension_bundle_identifier,omitempty"`
	DataTypeBad bool   `json:"-"`
}

// Limits of what one file may make huella hold.
const (
	maxItems = 5_000_000
	maxField = 8 << 10 // a URL or title longer than this is cut
)

// ErrNotThisData: the file's metadata says it holds other data (payment
// cards in a file named History.json): it is not read further.
var ErrNotThisData = errors.New("holds other data than its name says")

// Stats are what a file held beside its items.
type Stats struct {
	Metadata phoneexport.Metadata
	Items    int
	Bad      int  // items that are no object or have no url
	Stopped  bool // maxItems reached
}

// ReadHistory decodes a history file, calling fn for each visit in file
// order.
func ReadHistory(name string, r io.Reader, fn func(*Visit) error) (Stats, error) {
	return readFile(name, r, "history", func(m map[string]json.RawMessage) (bool, error) {
		v := &Visit{File: name, URL: str(m, "url"), Title: str(m, "title"), TimeUsec: num(m, "time_usec"),
			VisitCount: max(num(m, "visit_count"), num(m, "visits_count")),
			SourceURL:  str(m, "source_url"), SourceUsec: num(m, "source_time_usec"),
			DestinationURL: str(m, "destination_url"), DestinationUsec: num(m, "destination_time_usec"),
			LoadFailure: boolean(m, "latest_visit_was_load_failure"), HTTPGet: boolean(m, "latest_visit_was_http_get")}
		if v.URL == "" {
			return false, nil
		}
		if v.TimeUsec != 0 {
			v.Time, v.timeErr = timestamp.UnixMicros(v.TimeUsec)
		}
		return true, fn(v)
	})
}

// ReadExtensions decodes an extensions file.
func ReadExtensions(name string, r io.Reader, fn func(*Extension) error) (Stats, error) {
	return readFile(name, r, "extensions", func(m map[string]json.RawMessage) (bool, error) {
		e := &Extension{File: name, Identifier: str(m, "composed_identifier"), Developer: str(m, "developer_name"), Name: str(m, "display_name")}
		if lk := jsonx.Sub(m, "marketplace_lookup"); lk != nil {
			e.StoreID, e.IOSApp, e.IOSExt = str(lk, "store_identifier"), str(lk, "ios_app_bundle_identifier"), str(lk, "ios_extension_bundle_identifier")
			e.MacApp, e.MacExt = str(lk, "macos_app_bundle_identifier"), str(lk, "macos_extension_bundle_identifier")
		}
		e.BundleID = strings.TrimSpace(e.Identifier)
		if i := strings.LastIndex(e.BundleID, " ("); i > 0 && strings.HasSuffix(e.BundleID, ")") {
			e.BundleID = e.BundleID[:i]
		}
		if e.Identifier == "" && e.Name == "" {
			return false, nil
		}
		return true, fn(e)
	})
}

// readFile walks one export file: the metadata object, then the array
// under key (decoded one item at a time). Any other top-level key ends the
// reading: the file holds something else than its name says.
func readFile(name string, r io.Reader, key string, item func(map[string]json.RawMessage) (bool, error)) (Stats, error) {
	var st Stats
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return st, fmt.Errorf("%s: not a JSON object", name)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return st, fmt.Errorf("%s: %w", name, err)
		}
		k, _ := t.(string)
		switch k {
		case "metadata":
			var md phoneexport.Metadata
			if err := dec.Decode(&md); err != nil {
				return st, fmt.Errorf("%s: metadata: %w", name, err)
			}
			st.Metadata = md
			if md.DataType != "" && md.DataType != key {
				return st, fmt.Errorf("%s: %w (%q, not %q): not read further", name, ErrNotThisData, clip(md.DataType), key)
			}
		case key:
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return st, fmt.Errorf("%s: %q is not a list", name, key)
			}
			for dec.More() {
				if st.Items >= maxItems {
					st.Stopped = true
					return st, nil
				}
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return st, fmt.Errorf("%s: item %d: %w", name, st.Items+1, err)
				}
				st.Items++
				m, ok := jsonx.Object(raw)
				if !ok {
					st.Bad++
					continue
				}
				good, err := item(m)
				if err != nil {
					return st, err
				}
				if !good {
					st.Bad++
				}
			}
			if _, err := dec.Token(); err != nil {
				return st, fmt.Errorf("%s: %w", name, err)
			}
		default:
			return st, fmt.Errorf("%s: %w (key %q): not read further", name, ErrNotThisData, clip(k))
		}
	}
	return st, nil
}

func str(m map[string]json.RawMessage, k string) string { return clip(jsonx.String(m, k)) }

func num(m map[string]json.RawMessage, k string) int64 {
	raw := bytes.Trim(m[k], `"`)
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return n
	}
	return 0
}

func boolean(m map[string]json.RawMessage, k string) *bool {
	var b bool
	if json.Unmarshal(m[k], &b) != nil {
		return nil
	}
	return &b
}

// clip cuts a value to maxField bytes (a crafted file can put megabytes in
// one).
func clip(s string) string { return rules.Clip(s, maxField) }

func run(ctx context.Context, env *module.Env) error {
	var files []string
	for _, f := range env.Evidence.Glob(append(slices.Clone(Paths), caseless...)...) {
		if phoneexport.SafariAllowed(f) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return module.Absent("History.json")
	}
	read := 0
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		env.Find(name)
		var err error
		if isHistory(name) {
			err = history(ctx, env, name)
		} else {
			err = extensions(env, name)
		}
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		read++
	}
	if read == 0 {
		return errors.New("no file of the export could be read")
	}
	return nil
}

func isHistory(name string) bool { return source.MatchGlob(caseless[0], path.Base(name)) }

// history reads one profile's history: every visit becomes a record; the
// redirects between visits are checked once all are read, in time order.
func history(ctx context.Context, env *module.Env, name string) error {
	f, err := env.Open(name, phoneexport.HistoryLimit)
	if err != nil {
		return err
	}
	defer f.Close()
	var visits []*Visit
	st, err := ReadHistory(name, evfile.WithContext(ctx, f), func(v *Visit) error {
		visits = append(visits, v)
		return nil
	})
	if st.Bad > 0 {
		env.Warn("%s: %d items are not visits (no url), skipped", name, st.Bad)
	}
	if st.Stopped {
		env.Warn("%s: more than %d items: the rest was not read", name, maxItems)
	}
	// Keep what was read before an error (a cut file), and say it.
	slices.SortStableFunc(visits, func(a, b *Visit) int { return cmp.Compare(a.TimeUsec, b.TimeUsec) })
	records := make([]*model.Record, len(visits))
	for i, v := range visits {
		records[i] = v.record()
		env.Emit(records[i])
	}
	if len(visits) > maxIndexed {
		env.Warn("%s: more than %d visits; redirects were checked among the first %d only", name, maxIndexed, maxIndexed)
	}
	checkRedirects(env, visits, records)
	if err != nil && len(visits) > 0 {
		env.Warn("%v (the %d visits before it were read)", err, len(visits))
		return nil
	}
	return err
}

// checkRedirects reports the fast cross-site redirects among a profile's
// visits (sorted by time), as for History.db.
func checkRedirects(env *module.Env, visits []*Visit, records []*model.Record) {
	for _, fr := range FastRedirects(visits) {
		env.Report(&fr.Finding, records[fr.From.ID-1])
	}
}

// FastRedirects links each visit to the page it redirected to and returns
// the fast cross-site redirects. Safari names a redirect's other end by
// url and time, from either side (a page names its destination, or the
// next page names its source); visit i (sorted by time) has id i+1.
func FastRedirects(visits []*Visit) []ios.FastRedirect {
	key := func(url string, usec int64) string { return strconv.FormatInt(usec, 10) + "\x00" + url }
	id := make(map[string]int64, len(visits))
	for i, v := range visits {
		id[key(v.URL, v.TimeUsec)] = int64(i + 1)
	}
	dest := make(map[int64]int64)
	for i, v := range visits {
		self := int64(i + 1)
		if v.DestinationURL != "" {
			if d, ok := id[key(v.DestinationURL, v.DestinationUsec)]; ok && d != self {
				dest[self] = d
			}
		}
		if v.SourceURL != "" {
			if s, ok := id[key(v.SourceURL, v.SourceUsec)]; ok && s != self {
				if _, has := dest[s]; !has {
					dest[s] = self
				}
			}
		}
	}
	idx := ios.NewRedirectIndex()
	for i, v := range visits {
		if idx.Len() >= maxIndexed {
			break
		}
		self := int64(i + 1)
		idx.Add(ios.Visit{ID: self, URL: v.URL, Time: v.Time, RedirectDestination: dest[self]})
	}
	return idx.Fast()
}

func (v *Visit) record() *model.Record {
	return browserhistory.Visit{Browser: "Safari", URL: v.URL, RedirectTo: v.DestinationURL, RedirectFrom: v.SourceURL,
		Time: v.Time, TimeErr: v.timeErr, Stamp: "safari_visit"}.Record(v.File, v)
}

func extensions(env *module.Env, name string) error {
	f, err := env.Open(name, phoneexport.HistoryLimit)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := ReadExtensions(name, f, func(e *Extension) error {
		env.Emit(e.record())
		return nil
	})
	if st.Bad > 0 {
		env.Warn("%s: %d items are not extensions, skipped", name, st.Bad)
	}
	return err
}

func (e *Extension) record() *model.Record {
	r := &model.Record{Source: e.File, Data: e}
	r.Summary = fmt.Sprintf("Safari extension %s (%s) by %s", cmp.Or(e.Name, "unknown"), cmp.Or(e.BundleID, "unknown"), cmp.Or(e.Developer, "unknown"))
	for _, id := range []struct{ v, field string }{{e.BundleID, "composed_identifier"}, {e.IOSApp, "ios_app_bundle_identifier"},
		{e.IOSExt, "ios_extension_bundle_identifier"}, {e.MacApp, "macos_app_bundle_identifier"}, {e.MacExt, "macos_extension_bundle_identifier"}} {
		if id.v != "" && !slices.ContainsFunc(r.Observables, func(o model.Observable) bool { return o.Value == id.v }) {
			r.Add(model.KindAppID, id.v, id.field)
		}
	}
	return r
}

// Package safariexport is the ios.safari_export module: the browsing
// history in the zip an iPhone owner makes with Settings → Apps → Safari →
// Export Browsing Data (iOS 18.2 and later), with no computer. It holds
// every page Safari visited over the period the person chose, to the
// microsecond, with the redirects between them: an infection link opened,
// or a network injection (a plain-HTTP page sent on to another site in
// under a second), shows there as in History.db. The export's Passwords.csv
// and PaymentCards.json are never opened: the evidence tree does not even
// show them (internal/source/phoneexport).
package safariexport

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/phoneexport"
)

// Paths: each Safari profile's history and extensions (the profile's name
// follows the word), in the export's root.
var Paths = []string{"History*.json", "Extensions*.json"}

// other spellings of the same names, from someone who renamed the files.
var caseless = []string{"[Hh][Ii][Ss][Tt][Oo][Rr][Yy]*.[Jj][Ss][Oo][Nn]", "[Ee][Xx][Tt][Ee][Nn][Ss][Ii][Oo][Nn][Ss]*.[Jj][Ss][Oo][Nn]"}

// maxIndexed bounds the redirect index (a real history is far smaller).
const maxIndexed = 5_000_000

// Def is the ios.safari_export module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.safari_export",
		Description: "Safari's exported browsing history (Export Browsing Data): pages visited, redirects between them, and Safari extensions; passwords and payment cards are never opened.",
		Kinds:       []source.Kind{source.IOSSafariExport},
		Paths:       Paths,
		Run:         run,
	}
}

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
	st, err := ReadHistory(name, ctxReader{ctx, f}, func(v *Visit) error {
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
func FastRedirects(visits []*Visit) []heuristics.FastRedirect {
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
	idx := heuristics.NewRedirectIndex()
	for i, v := range visits {
		if idx.Len() >= maxIndexed {
			break
		}
		self := int64(i + 1)
		idx.Add(heuristics.Visit{ID: self, URL: v.URL, Time: v.Time, RedirectDestination: dest[self]})
	}
	return idx.Fast()
}

func (v *Visit) record() *model.Record {
	r := &model.Record{Source: v.File, Data: v, Summary: "Safari visit " + v.URL}
	if v.DestinationURL != "" {
		r.Summary += " -> redirected to " + v.DestinationURL
	}
	if v.SourceURL != "" {
		r.Summary += " (redirected from " + v.SourceURL + ")"
	}
	r.Add(model.KindURL, v.URL, "url")
	r.StampChecked(v.Time, v.timeErr, "safari_visit")
	return r
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
	r.Summary = fmt.Sprintf("Safari extension %s (%s) by %s", orUnknown(e.Name), orUnknown(e.BundleID), orUnknown(e.Developer))
	for _, id := range []struct{ v, field string }{{e.BundleID, "composed_identifier"}, {e.IOSApp, "ios_app_bundle_identifier"},
		{e.IOSExt, "ios_extension_bundle_identifier"}, {e.MacApp, "macos_app_bundle_identifier"}, {e.MacExt, "macos_extension_bundle_identifier"}} {
		if id.v != "" && !slices.ContainsFunc(r.Observables, func(o model.Observable) bool { return o.Value == id.v }) {
			r.Add(model.KindAppID, id.v, id.field)
		}
	}
	return r
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

type ctxReader struct {
	ctx context.Context
	r   interface{ Read([]byte) (int, error) }
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

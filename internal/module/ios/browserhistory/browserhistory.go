// Package browserhistory is what the history databases of Chrome for iOS
// (History) and Firefox for iOS (browser.db) share: a table of pages and a
// table of visits pointing at them. The two tables are read one at a time
// and joined here, in Go: a crafted database without indexes (or with lying
// statistics) would make SQLite's join quadratic.
package browserhistory

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Page is one row of the pages table.
type Page struct {
	ID         int64
	URL, Title string
}

// Schema names one browser's tables and columns, and how its visits read.
type Schema struct {
	Pages  string   // the pages table (id, url, and title when present)
	Visits string   // the visits table (id and the two columns below)
	Page   string   // the visits column holding the page's id
	Time   string   // the visits column holding the visit time
	Extra  []string // visits columns read when present (NULL otherwise)

	Browser string                       // "Chrome": a record says "Chrome visit <url>"
	Stamp   string                       // the visit's event on the timeline
	Convert func(any) (time.Time, error) // the stored visit time to a date
}

// Pages reads the pages table into a map by id.
func Pages(ctx context.Context, db *sqlitex.DB, table string) (map[int64]Page, error) {
	cols, err := sqlitex.Need(ctx, db, table, "id", "url")
	if err != nil {
		return nil, err
	}
	q := fmt.Sprintf("SELECT id, %s AS url, %s AS title FROM %s", sqlitex.Col("", "url"), sqlitex.Pick(cols, "", "title"), table)
	pages, err := sqlitex.Index(ctx, db, q, func(r sqlitex.Row) (int64, Page, bool) {
		return r.Int("id"), Page{ID: r.Int("id"), URL: r.Text("url"), Title: r.Text("title")}, r.Get("id") != nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: reading %s: %w", db.Name, table, err)
	}
	return pages, nil
}

// Reader is the read of a browser's history: one record per visit, in time
// order, its data made by data from the page, the visit's row (the
// columns id, time and s.Extra) and its date.
func Reader(s Schema, data func(db string, p Page, row sqlitex.Row, t time.Time) any) func(context.Context, *module.Env, *sqlitex.DB) error {
	return func(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
		return eachVisit(ctx, db, s, func(p Page, row sqlitex.Row) error {
			t, terr := s.Convert(row.Get("time"))
			v := Visit{Browser: s.Browser, URL: p.URL, Time: t, TimeErr: terr, Stamp: s.Stamp}
			env.Emit(v.Record(db.Name, data(db.Name, p, row, t)))
			return nil
		})
	}
}

// Visit is what the record of one visit says, whichever history it comes
// from (Chrome's and Firefox's databases, Safari's History.db and its
// export): "<Browser> visit <URL>", the pages a redirect led to or came
// from when the history names them, the URL as an observable, and the
// visit's time, kept raw when it is no date.
type Visit struct {
	Browser      string // "Safari": the record says "Safari visit <url>"
	URL          string
	RedirectTo   string // the page this visit was redirected to, when known
	RedirectFrom string // the page that redirected to this one, when known
	Time         time.Time
	TimeErr      error  // the stored time was no date (the record keeps it raw)
	Stamp        string // the visit's event on the timeline
}

// Record is the visit's record: src is the history file, data the
// browser's own row.
func (v Visit) Record(src string, data any) *model.Record {
	r := &model.Record{Source: src, Data: data, Summary: v.Browser + " visit " + v.URL}
	if v.RedirectTo != "" {
		r.Summary += " -> redirected to " + v.RedirectTo
	}
	if v.RedirectFrom != "" {
		r.Summary += " (redirected from " + v.RedirectFrom + ")"
	}
	r.Add(model.KindURL, v.URL, "url")
	r.StampChecked(v.Time, v.TimeErr, v.Stamp)
	return r
}

// eachVisit streams the visits in time order, each with its page. A visit
// of no known page is left out, as the inner join it replaces did.
func eachVisit(ctx context.Context, db *sqlitex.DB, s Schema, fn func(Page, sqlitex.Row) error) error {
	pages, err := Pages(ctx, db, s.Pages)
	if err != nil {
		return err
	}
	cols, err := sqlitex.Need(ctx, db, s.Visits, "id", s.Page, s.Time)
	if err != nil {
		return err
	}
	q := fmt.Sprintf("SELECT id, %s AS page, %s AS time", s.Page, s.Time)
	for _, c := range s.Extra {
		q += fmt.Sprintf(", %s AS %s", sqlitex.Pick(cols, "", c), c)
	}
	q += fmt.Sprintf(" FROM %s ORDER BY %s, id", s.Visits, s.Time)
	err = sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		p, ok := pages[row.Int("page")]
		if !ok || row.Get("page") == nil {
			return nil
		}
		return fn(p, row)
	})
	if err != nil {
		return fmt.Errorf("%s: reading %s: %w", db.Name, s.Visits, err)
	}
	return nil
}

// IconRecord is the record of one cached favicon: its first link, the second
// where it differs (a page and its icon), and when the icon was stored. A
// favicon outlives cleared history, so both links are matched.
func IconRecord(src string, data any, summary, first, firstField, second, secondField string, t time.Time, terr error, stamp string) *model.Record {
	r := &model.Record{Source: src, Data: data, Summary: summary}
	r.Add(model.KindURL, first, firstField)
	if second != first {
		r.Add(model.KindURL, second, secondField)
	}
	r.StampChecked(t, terr, stamp)
	return r
}

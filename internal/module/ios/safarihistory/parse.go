package safarihistory

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/browserhistory"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/timestamp"
)

// Visit is one row of history_visits joined to its history_items URL.
type Visit struct {
	DB                  string    `json:"db"`
	ItemID              int64     `json:"item_id"`
	VisitID             int64     `json:"visit_id"`
	URL                 string    `json:"url"`
	Title               string    `json:"title,omitempty"`
	VisitTime           time.Time `json:"visit_time,omitzero"`
	VisitTimeRaw        float64   `json:"visit_time_raw"`
	RedirectSource      int64     `json:"redirect_source,omitempty"`
	RedirectDestination int64     `json:"redirect_destination,omitempty"`
	RedirectSourceURL   string    `json:"redirect_source_url,omitempty"`
	RedirectDestURL     string    `json:"redirect_destination_url,omitempty"`
	LoadSuccessful      *bool     `json:"load_successful,omitempty"`

	timeErr error // visit_time is no plausible date (VisitTimeRaw keeps it)
}

// maxIndexed bounds the redirect index; a real History.db holds at most a
// few hundred thousand visits, so this only stops a forged file.
const maxIndexed = 5_000_000

func parseDB(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	name := db.Name
	if _, err := sqlitex.Need(ctx, db, "history_items", "id", "url"); err != nil {
		return err
	}
	visits, err := sqlitex.Need(ctx, db, "history_visits", "id", "history_item", "visit_time")
	if err != nil {
		return err
	}
	opt := func(c string) string { return sqlitex.Pick(visits, "", c) }
	// Items and the visit -> item map are read first and joined here, in
	// Go: SQLite never joins (a crafted History.db without indexes, or with
	// lying statistics, makes every join quadratic).
	urls, err := sqlitex.Index(ctx, db, "SELECT id, "+sqlitex.Col("", "url")+" AS url FROM history_items", func(r sqlitex.Row) (int64, any, bool) {
		return r.Int("id"), r.Get("url"), r.Get("id") != nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading history: %w", name, err)
	}
	itemOf, err := sqlitex.Index(ctx, db, "SELECT id, history_item FROM history_visits", func(r sqlitex.Row) (int64, any, bool) {
		return r.Int("id"), r.Get("history_item"), r.Get("id") != nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading history: %w", name, err)
	}
	// urlOfVisit is the URL of another visit (a redirect's end), or nil.
	urlOfVisit := func(id any) any {
		if id == nil {
			return nil
		}
		item, ok := itemOf[sqlitex.Int(id)]
		if !ok || item == nil {
			return nil
		}
		return urls[sqlitex.Int(item)]
	}
	q := fmt.Sprintf(`SELECT id, history_item, visit_time, %s AS rsrc, %s AS rdst, %s AS title, %s AS loads
		FROM history_visits ORDER BY visit_time, id`,
		opt("redirect_source"), opt("redirect_destination"), opt("title"), opt("load_successful"))
	idx := ios.NewRedirectIndex()
	err = sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		item := row.Get("history_item")
		url, ok := urls[sqlitex.Int(item)]
		if item == nil || !ok {
			return nil // a visit of no known item, as the inner join left out
		}
		rsrc, rdst, loads := row.Get("rsrc"), row.Get("rdst"), row.Get("loads")
		v := Visit{DB: name, ItemID: sqlitex.Int(item), VisitID: row.Int("id"), URL: sqlitex.Text(url), Title: row.Text("title"),
			VisitTimeRaw: row.Float("visit_time"), RedirectSource: sqlitex.Int(rsrc), RedirectDestination: sqlitex.Int(rdst),
			RedirectSourceURL: sqlitex.Text(urlOfVisit(rsrc)), RedirectDestURL: sqlitex.Text(urlOfVisit(rdst))}
		v.VisitTime, v.timeErr = timestamp.Apple(v.VisitTimeRaw)
		if loads != nil {
			b := sqlitex.Int(loads) != 0
			v.LoadSuccessful = &b
		}
		env.Emit(record(&v))
		if idx.Len() < maxIndexed {
			idx.Add(ios.Visit{ID: v.VisitID, URL: v.URL, Time: v.VisitTime, RedirectDestination: v.RedirectDestination})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading history: %w", name, err)
	}
	if idx.Len() >= maxIndexed {
		env.Warn("%s: more than %d visits; redirects were checked among the first %d only", name, maxIndexed, maxIndexed)
	}
	for _, fr := range idx.Fast() {
		v := Visit{DB: name, VisitID: fr.From.ID, URL: fr.From.URL, VisitTime: fr.From.Time,
			RedirectDestination: fr.To.ID, RedirectDestURL: fr.To.URL}
		env.Report(&fr.Finding, record(&v))
	}
	return nil
}

func record(v *Visit) *model.Record {
	return browserhistory.Visit{Browser: "Safari", URL: v.URL, RedirectTo: v.RedirectDestURL, RedirectFrom: v.RedirectSourceURL,
		Time: v.VisitTime, TimeErr: v.timeErr, Stamp: "safari_visit"}.Record(v.DB, v)
}

package firefox

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/browserhistory"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Visit is one row of visits joined to its history row.
type Visit struct {
	DB        string    `json:"db"`
	VisitID   int64     `json:"visit_id"`
	HistoryID int64     `json:"history_id"`
	URL       string    `json:"url"`
	Title     string    `json:"title,omitempty"`
	VisitTime time.Time `json:"visit_time,omitzero"`
	Type      int64     `json:"type,omitempty"`
	IsLocal   bool      `json:"is_local"`
}

// Icon is one icon linked to a page of history.
type Icon struct {
	DB         string    `json:"db"`
	ID         int64     `json:"id"`
	URL        string    `json:"url"`
	Width      int64     `json:"width,omitempty"`
	Height     int64     `json:"height,omitempty"`
	Type       int64     `json:"type,omitempty"`
	Date       time.Time `json:"date,omitzero"`
	HistoryID  int64     `json:"history_id,omitempty"`
	HistoryURL string    `json:"history_url,omitempty"`
}

var parseHistory = browserhistory.Reader(browserhistory.Schema{Pages: "history", Visits: "visits", Page: "siteID", Time: "date",
	Extra: []string{"type", "is_local"}, Browser: "Firefox", Stamp: "firefox_visit", Convert: sqlitex.UnixTimeChecked},
	func(db string, p browserhistory.Page, row sqlitex.Row, t time.Time) any {
		return &Visit{DB: db, VisitID: row.Int("id"), HistoryID: p.ID, URL: p.URL, Title: p.Title, VisitTime: t,
			Type: row.Int("type"), IsLocal: row.Int("is_local") != 0}
	})

func parseFavicons(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	name := db.Name
	fav, err := sqlitex.Need(ctx, db, "favicons", "id", "url")
	if err != nil {
		return err
	}
	if _, err := sqlitex.Need(ctx, db, "favicon_sites", "siteID", "faviconID"); err != nil {
		return err
	}
	pages, err := browserhistory.Pages(ctx, db, "history")
	if err != nil {
		return err
	}
	sites, err := sqlitex.Group(ctx, db, "SELECT faviconID AS f, siteID AS s FROM favicon_sites", func(r sqlitex.Row) (int64, any, bool) {
		return r.Int("f"), r.Get("s"), r.Get("f") != nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	q := fmt.Sprintf(`SELECT id, %s AS url, %s AS w, %s AS h, %s AS type, %s AS date FROM favicons ORDER BY id`,
		sqlitex.Col("", "url"), sqlitex.Pick(fav, "", "width"), sqlitex.Pick(fav, "", "height"), sqlitex.Pick(fav, "", "type"), sqlitex.Pick(fav, "", "date"))
	err = sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		id := row.Int("id")
		linked := sites[id]
		if row.Get("id") == nil || len(linked) == 0 {
			linked = []any{nil} // no site: one row, as the outer join gave
		}
		for _, site := range linked {
			var pg browserhistory.Page
			if site != nil {
				pg = pages[sqlitex.Int(site)]
			}
			f := &Icon{DB: name, ID: id, URL: row.Text("url"), Width: row.Int("w"), Height: row.Int("h"),
				Type: row.Int("type"), HistoryID: pg.ID, HistoryURL: pg.URL}
			var terr error
			f.Date, terr = sqlitex.UnixTimeChecked(row.Get("date"))
			summary := "Firefox favicon " + f.URL
			if f.HistoryURL != "" {
				summary += " for " + f.HistoryURL
			}
			env.Emit(browserhistory.IconRecord(name, f, summary, f.URL, "url", f.HistoryURL, "history_url", f.Date, terr, "firefox_favicon"))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	return nil
}

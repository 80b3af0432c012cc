package firefox

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/timestamp"
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

func parseHistory(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	hist, err := iosdb.Need(ctx, db, "history", "id", "url")
	if err != nil {
		return err
	}
	visits, err := iosdb.Need(ctx, db, "visits", "id", "siteID", "date")
	if err != nil {
		return err
	}
	pages, err := historyURLs(ctx, db, hist)
	if err != nil {
		return fmt.Errorf("%s: reading visits: %w", name, err)
	}
	q := fmt.Sprintf("SELECT id, siteID, date, %s AS type, %s AS local FROM visits ORDER BY date, id",
		iosdb.Pick(visits, "", "type"), iosdb.Pick(visits, "", "is_local"))
	err = iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		site := row.Get("siteID")
		pg, ok := pages[sqlitex.AnyInt(site)]
		if site == nil || !ok {
			return nil // a visit of no known page, as the inner join left out
		}
		v := &Visit{DB: name, VisitID: sqlitex.AnyInt(row.Get("id")), HistoryID: sqlitex.AnyInt(site), URL: sqlitex.AnyString(pg.url), Title: sqlitex.AnyString(pg.title),
			Type: sqlitex.AnyInt(row.Get("type")), IsLocal: sqlitex.AnyInt(row.Get("local")) != 0}
		var terr error
		v.VisitTime, terr = timestamp.Unix(sqlitex.AnyFloat(row.Get("date")))
		r := &model.Record{Source: name, Data: v, Summary: "Firefox visit " + v.URL}
		r.Add(model.KindURL, v.URL, "url")
		r.StampChecked(v.VisitTime, terr, "firefox_visit")
		env.Emit(r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading visits: %w", name, err)
	}
	return nil
}

type page struct{ url, title any }

// historyURLs reads the history table into a map, to join in Go: SQLite
// never joins (a crafted browser.db without indexes, or with lying
// statistics, makes every join quadratic).
func historyURLs(ctx context.Context, db *sqlitex.DB, hist map[string]bool) (map[int64]page, error) {
	return iosdb.Index(ctx, db, fmt.Sprintf("SELECT id, %s AS url, %s AS title FROM history", iosdb.Col("", "url"), iosdb.Pick(hist, "", "title")),
		func(r iosdb.Row) (int64, page, bool) {
			return sqlitex.AnyInt(r.Get("id")), page{r.Get("url"), r.Get("title")}, r.Get("id") != nil
		})
}

func parseFavicons(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	fav, err := iosdb.Need(ctx, db, "favicons", "id", "url")
	if err != nil {
		return err
	}
	if _, err := iosdb.Need(ctx, db, "favicon_sites", "siteID", "faviconID"); err != nil {
		return err
	}
	if _, err := iosdb.Need(ctx, db, "history", "id", "url"); err != nil {
		return err
	}
	hist, err := db.Columns(ctx, "history")
	if err != nil {
		return err
	}
	pages, err := historyURLs(ctx, db, hist)
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	sites := map[int64][]any{}
	n := 0
	err = iosdb.Each(ctx, db, "SELECT faviconID AS f, siteID AS s FROM favicon_sites", func(r iosdb.Row) error {
		if f := r.Get("f"); f != nil && n < iosdb.MaxJoinRows {
			n++
			k := sqlitex.AnyInt(f)
			sites[k] = append(sites[k], r.Get("s"))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	q := fmt.Sprintf(`SELECT id, %s AS url, %s AS w, %s AS h, %s AS type, %s AS date FROM favicons ORDER BY id`,
		iosdb.Col("", "url"), iosdb.Pick(fav, "", "width"), iosdb.Pick(fav, "", "height"), iosdb.Pick(fav, "", "type"), iosdb.Pick(fav, "", "date"))
	err = iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		id := sqlitex.AnyInt(row.Get("id"))
		linked := sites[id]
		if row.Get("id") == nil || len(linked) == 0 {
			linked = []any{nil} // no site: one row, as the outer join gave
		}
		for _, site := range linked {
			var hid, hurl any
			if pg, ok := pages[sqlitex.AnyInt(site)]; ok && site != nil {
				hid, hurl = site, pg.url
			}
			f := &Icon{DB: name, ID: id, URL: sqlitex.AnyString(row.Get("url")), Width: sqlitex.AnyInt(row.Get("w")), Height: sqlitex.AnyInt(row.Get("h")),
				Type: sqlitex.AnyInt(row.Get("type")), HistoryID: sqlitex.AnyInt(hid), HistoryURL: sqlitex.AnyString(hurl)}
			var terr error
			f.Date, terr = timestamp.Unix(sqlitex.AnyFloat(row.Get("date")))
			r := &model.Record{Source: name, Data: f, Summary: "Firefox favicon " + f.URL}
			if f.HistoryURL != "" {
				r.Summary += " for " + f.HistoryURL
			}
			r.Add(model.KindURL, f.URL, "url")
			if f.HistoryURL != f.URL {
				r.Add(model.KindURL, f.HistoryURL, "history_url")
			}
			r.StampChecked(f.Date, terr, "firefox_favicon")
			env.Emit(r)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	return nil
}

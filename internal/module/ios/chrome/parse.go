package chrome

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

// Visit is one row of visits joined to its urls row.
type Visit struct {
	DB             string    `json:"db"`
	URLID          int64     `json:"url_id"`
	VisitID        int64     `json:"visit_id"`
	URL            string    `json:"url"`
	Title          string    `json:"title,omitempty"`
	VisitTime      time.Time `json:"visit_time,omitzero"`
	RedirectSource int64     `json:"redirect_source,omitempty"` // visits.from_visit
	Transition     int64     `json:"transition,omitempty"`
}

// Icon is one page-to-icon mapping.
type Icon struct {
	DB       string    `json:"db"`
	PageURL  string    `json:"page_url"`
	IconURL  string    `json:"icon_url"`
	LastSeen time.Time `json:"last_seen,omitzero"` // last_updated, else last_requested
}

// Tables are read one at a time and joined here, in Go: a crafted History
// or Favicons database without indexes (or with lying statistics) would
// make SQLite's joins and correlated subqueries quadratic.

func parseHistory(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	urls, err := iosdb.Need(ctx, db, "urls", "id", "url")
	if err != nil {
		return err
	}
	visits, err := iosdb.Need(ctx, db, "visits", "id", "url", "visit_time")
	if err != nil {
		return err
	}
	type page struct{ url, title string }
	pages, err := iosdb.Index(ctx, db, fmt.Sprintf("SELECT id, %s AS url, %s AS title FROM urls", iosdb.Col("", "url"), iosdb.Pick(urls, "", "title")),
		func(r iosdb.Row) (int64, page, bool) {
			return iosdb.Int(r.Get("id")), page{sqlitex.AnyString(r.Get("url")), sqlitex.AnyString(r.Get("title"))}, !iosdb.Null(r.Get("id"))
		})
	if err != nil {
		return fmt.Errorf("%s: reading urls: %w", name, err)
	}
	q := fmt.Sprintf("SELECT id, url, visit_time, %s AS from_visit, %s AS transition FROM visits ORDER BY visit_time, id",
		iosdb.Pick(visits, "", "from_visit"), iosdb.Pick(visits, "", "transition"))
	err = iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		uid := iosdb.Int(row.Get("url"))
		pg, ok := pages[uid]
		if !ok || iosdb.Null(row.Get("url")) {
			return nil // a visit of no known page, as the inner join left out
		}
		v := &Visit{DB: name, URLID: uid, VisitID: iosdb.Int(row.Get("id")), URL: pg.url, Title: pg.title,
			RedirectSource: sqlitex.AnyInt(row.Get("from_visit")), Transition: sqlitex.AnyInt(row.Get("transition"))}
		var terr error
		v.VisitTime, terr = timestamp.WebKit(sqlitex.AnyInt(row.Get("visit_time")))
		r := &model.Record{Source: name, Data: v, Summary: "Chrome visit " + v.URL}
		r.Add(model.KindURL, v.URL, "url")
		r.StampChecked(v.VisitTime, terr, "chrome_visit")
		env.Emit(r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading visits: %w", name, err)
	}
	return nil
}

func parseFavicons(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := iosdb.Need(ctx, db, "icon_mapping", "page_url", "icon_id"); err != nil {
		return err
	}
	if _, err := iosdb.Need(ctx, db, "favicons", "id", "url"); err != nil {
		return err
	}
	bm, err := iosdb.Need(ctx, db, "favicon_bitmaps", "icon_id")
	if err != nil {
		return err
	}
	// One row per mapping: the newest bitmap's times, so an icon with several
	// sizes does not repeat the page.
	type times struct{ upd, req int64 }
	newest := map[int64]times{}
	err = iosdb.Each(ctx, db, fmt.Sprintf("SELECT icon_id, %s AS upd, %s AS req FROM favicon_bitmaps",
		iosdb.Pick(bm, "", "last_updated"), iosdb.Pick(bm, "", "last_requested")), func(r iosdb.Row) error {
		id := iosdb.Int(r.Get("icon_id"))
		t, seen := newest[id]
		if !seen && len(newest) >= iosdb.MaxJoinRows {
			return nil
		}
		t.upd, t.req = max(t.upd, sqlitex.AnyInt(r.Get("upd"))), max(t.req, sqlitex.AnyInt(r.Get("req")))
		newest[id] = t
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	icons, err := iosdb.Index(ctx, db, "SELECT id, "+iosdb.Col("", "url")+" AS url FROM favicons", func(r iosdb.Row) (int64, string, bool) {
		return iosdb.Int(r.Get("id")), sqlitex.AnyString(r.Get("url")), !iosdb.Null(r.Get("id"))
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	err = iosdb.Each(ctx, db, "SELECT "+iosdb.Col("", "page_url")+" AS page, icon_id FROM icon_mapping ORDER BY id", func(row iosdb.Row) error {
		id := iosdb.Int(row.Get("icon_id"))
		icon, ok := icons[id]
		if !ok || iosdb.Null(row.Get("icon_id")) {
			return nil
		}
		f := &Icon{DB: name, PageURL: sqlitex.AnyString(row.Get("page")), IconURL: icon}
		ts := newest[id].upd
		if ts == 0 {
			ts = newest[id].req
		}
		var terr error
		f.LastSeen, terr = timestamp.WebKit(ts)
		r := &model.Record{Source: name, Data: f, Summary: "Chrome favicon for " + f.PageURL + " from " + f.IconURL}
		r.Add(model.KindURL, f.PageURL, "page_url")
		if f.IconURL != f.PageURL {
			r.Add(model.KindURL, f.IconURL, "icon_url")
		}
		r.StampChecked(f.LastSeen, terr, "new_favicon")
		env.Emit(r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	return nil
}

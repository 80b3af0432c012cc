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
	q := fmt.Sprintf("SELECT u.id, u.url, %s, v.id, v.visit_time, %s, %s FROM visits v JOIN urls u ON u.id = v.url ORDER BY v.visit_time, v.id",
		iosdb.Pick(urls, "u", "title"), iosdb.Pick(visits, "v", "from_visit"), iosdb.Pick(visits, "v", "transition"))
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading visits: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid, vid int64
		var url, title, vt, from, tr any
		if err := rows.Scan(&uid, &url, &title, &vid, &vt, &from, &tr); err != nil {
			return fmt.Errorf("%s: reading visits: %w", name, err)
		}
		v := &Visit{DB: name, URLID: uid, VisitID: vid, URL: sqlitex.AnyString(url), Title: sqlitex.AnyString(title),
			RedirectSource: sqlitex.AnyInt(from), Transition: sqlitex.AnyInt(tr)}
		var terr error
		v.VisitTime, terr = timestamp.WebKit(sqlitex.AnyInt(vt))
		r := &model.Record{Source: name, Data: v, Summary: "Chrome visit " + v.URL}
		r.Add(model.KindURL, v.URL, "url")
		r.StampChecked(v.VisitTime, terr, "chrome_visit")
		env.Emit(r)
	}
	if err := rows.Err(); err != nil {
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
	q := fmt.Sprintf(`SELECT m.page_url, f.url, (SELECT max(%s) FROM favicon_bitmaps b WHERE b.icon_id = f.id),
		(SELECT max(%s) FROM favicon_bitmaps b WHERE b.icon_id = f.id)
		FROM icon_mapping m JOIN favicons f ON f.id = m.icon_id ORDER BY m.id`,
		iosdb.Pick(bm, "b", "last_updated"), iosdb.Pick(bm, "b", "last_requested"))
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var page, icon, upd, req any
		if err := rows.Scan(&page, &icon, &upd, &req); err != nil {
			return fmt.Errorf("%s: reading favicons: %w", name, err)
		}
		f := &Icon{DB: name, PageURL: sqlitex.AnyString(page), IconURL: sqlitex.AnyString(icon)}
		ts := sqlitex.AnyInt(upd)
		if ts == 0 {
			ts = sqlitex.AnyInt(req)
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
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	return nil
}

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
	q := fmt.Sprintf("SELECT v.id, h.id, h.url, %s, v.date, %s, %s FROM visits v JOIN history h ON h.id = v.siteID ORDER BY v.date, v.id",
		iosdb.Pick(hist, "h", "title"), iosdb.Pick(visits, "v", "type"), iosdb.Pick(visits, "v", "is_local"))
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading visits: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var vid, hid int64
		var url, title, date, typ, local any
		if err := rows.Scan(&vid, &hid, &url, &title, &date, &typ, &local); err != nil {
			return fmt.Errorf("%s: reading visits: %w", name, err)
		}
		v := &Visit{DB: name, VisitID: vid, HistoryID: hid, URL: sqlitex.AnyString(url), Title: sqlitex.AnyString(title),
			Type: sqlitex.AnyInt(typ), IsLocal: sqlitex.AnyInt(local) != 0}
		var terr error
		v.VisitTime, terr = timestamp.Unix(sqlitex.AnyFloat(date))
		r := &model.Record{Source: name, Data: v, Summary: "Firefox visit " + v.URL}
		r.Add(model.KindURL, v.URL, "url")
		r.StampChecked(v.VisitTime, terr, "firefox_visit")
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
	q := fmt.Sprintf(`SELECT f.id, f.url, %s, %s, %s, %s, h.id, h.url FROM favicons f
		LEFT JOIN favicon_sites s ON s.faviconID = f.id LEFT JOIN history h ON h.id = s.siteID ORDER BY f.id`,
		iosdb.Pick(fav, "f", "width"), iosdb.Pick(fav, "f", "height"), iosdb.Pick(fav, "f", "type"), iosdb.Pick(fav, "f", "date"))
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var url, w, h, typ, date, hid, hurl any
		if err := rows.Scan(&id, &url, &w, &h, &typ, &date, &hid, &hurl); err != nil {
			return fmt.Errorf("%s: reading favicons: %w", name, err)
		}
		f := &Icon{DB: name, ID: id, URL: sqlitex.AnyString(url), Width: sqlitex.AnyInt(w), Height: sqlitex.AnyInt(h),
			Type: sqlitex.AnyInt(typ), HistoryID: sqlitex.AnyInt(hid), HistoryURL: sqlitex.AnyString(hurl)}
		var terr error
		f.Date, terr = timestamp.Unix(sqlitex.AnyFloat(date))
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
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	return nil
}

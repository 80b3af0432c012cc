package chrome

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/browserhistory"
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

var parseHistory = browserhistory.Reader(browserhistory.Schema{Pages: "urls", Visits: "visits", Page: "url", Time: "visit_time",
	Extra: []string{"from_visit", "transition"}, Browser: "Chrome", Stamp: "chrome_visit", Convert: sqlitex.WebKitTimeChecked},
	func(db string, p browserhistory.Page, row sqlitex.Row, t time.Time) any {
		return &Visit{DB: db, URLID: p.ID, VisitID: row.Int("id"), URL: p.URL, Title: p.Title, VisitTime: t,
			RedirectSource: row.Int("from_visit"), Transition: row.Int("transition")}
	})

func parseFavicons(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	name := db.Name
	if _, err := sqlitex.Need(ctx, db, "icon_mapping", "page_url", "icon_id"); err != nil {
		return err
	}
	if _, err := sqlitex.Need(ctx, db, "favicons", "id", "url"); err != nil {
		return err
	}
	bm, err := sqlitex.Need(ctx, db, "favicon_bitmaps", "icon_id")
	if err != nil {
		return err
	}
	// One row per mapping: the newest bitmap's times, so an icon with several
	// sizes does not repeat the page.
	type times struct{ upd, req int64 }
	newest := map[int64]times{}
	err = sqlitex.Each(ctx, db, fmt.Sprintf("SELECT icon_id, %s AS upd, %s AS req FROM favicon_bitmaps",
		sqlitex.Pick(bm, "", "last_updated"), sqlitex.Pick(bm, "", "last_requested")), func(r sqlitex.Row) error {
		id := r.Int("icon_id")
		t, seen := newest[id]
		if !seen && len(newest) >= sqlitex.MaxJoinRows {
			return nil
		}
		t.upd, t.req = max(t.upd, r.Int("upd")), max(t.req, r.Int("req"))
		newest[id] = t
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	icons, err := sqlitex.Index(ctx, db, "SELECT id, "+sqlitex.Col("", "url")+" AS url FROM favicons", func(r sqlitex.Row) (int64, string, bool) {
		return r.Int("id"), r.Text("url"), r.Get("id") != nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	err = sqlitex.Each(ctx, db, "SELECT "+sqlitex.Col("", "page_url")+" AS page, icon_id FROM icon_mapping ORDER BY id", func(row sqlitex.Row) error {
		id := row.Int("icon_id")
		icon, ok := icons[id]
		if !ok || row.Get("icon_id") == nil {
			return nil
		}
		f := &Icon{DB: name, PageURL: row.Text("page"), IconURL: icon}
		ts := newest[id].upd
		if ts == 0 {
			ts = newest[id].req
		}
		var terr error
		f.LastSeen, terr = timestamp.WebKit(ts)
		env.Emit(browserhistory.IconRecord(name, f, "Chrome favicon for "+f.PageURL+" from "+f.IconURL,
			f.PageURL, "page_url", f.IconURL, "icon_url", f.LastSeen, terr, "new_favicon"))
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading favicons: %w", name, err)
	}
	return nil
}

package safarihistory

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
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
}

// maxIndexed bounds the redirect index; a real History.db holds at most a
// few hundred thousand visits, so this only stops a forged file.
const maxIndexed = 5_000_000

func parseDB(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	items, err := db.Columns(ctx, "history_items")
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	visits, err := db.Columns(ctx, "history_visits")
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !items["id"] || !items["url"] || !visits["id"] || !visits["history_item"] || !visits["visit_time"] {
		return fmt.Errorf("%s: unknown schema: history_items(id, url) and history_visits(id, history_item, visit_time) are required", name)
	}
	opt := func(cols map[string]bool, alias, c string) string {
		if cols[c] {
			return alias + "." + c
		}
		return "NULL"
	}
	q := fmt.Sprintf(`SELECT i.id, i.url, v.id, v.visit_time, %s, %s, %s, %s,
		src.url, dst.url
		FROM history_visits v JOIN history_items i ON i.id = v.history_item
		LEFT JOIN history_visits sv ON sv.id = %[1]s LEFT JOIN history_items src ON src.id = sv.history_item
		LEFT JOIN history_visits dv ON dv.id = %[2]s LEFT JOIN history_items dst ON dst.id = dv.history_item
		ORDER BY v.visit_time, v.id`,
		opt(visits, "v", "redirect_source"), opt(visits, "v", "redirect_destination"), opt(visits, "v", "title"), opt(visits, "v", "load_successful"))
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading history: %w", name, err)
	}
	defer rows.Close()
	idx := heuristics.NewRedirectIndex()
	for rows.Next() {
		var (
			itemID, visitID          int64
			url                      any
			vt                       any
			rsrc, rdst, title, loads any
			srcURL, dstURL           any
		)
		if err := rows.Scan(&itemID, &url, &visitID, &vt, &rsrc, &rdst, &title, &loads, &srcURL, &dstURL); err != nil {
			return fmt.Errorf("%s: reading history: %w", name, err)
		}
		v := Visit{DB: name, ItemID: itemID, VisitID: visitID, URL: sqlitex.AnyString(url), Title: sqlitex.AnyString(title),
			VisitTimeRaw: sqlitex.AnyFloat(vt), RedirectSource: sqlitex.AnyInt(rsrc), RedirectDestination: sqlitex.AnyInt(rdst),
			RedirectSourceURL: sqlitex.AnyString(srcURL), RedirectDestURL: sqlitex.AnyString(dstURL)}
		v.VisitTime = sqlitex.AppleTime(v.VisitTimeRaw)
		if loads != nil {
			b := sqlitex.AnyInt(loads) != 0
			v.LoadSuccessful = &b
		}
		env.Emit(record(&v))
		if idx.Len() < maxIndexed {
			idx.Add(heuristics.Visit{ID: v.VisitID, URL: v.URL, Time: v.VisitTime, RedirectDestination: v.RedirectDestination})
		}
	}
	if err := rows.Err(); err != nil {
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
	r := &model.Record{Source: v.DB, Data: v, Summary: "Safari visit " + v.URL}
	if v.RedirectDestURL != "" {
		r.Summary += " -> redirected to " + v.RedirectDestURL
	}
	if v.RedirectSourceURL != "" {
		r.Summary += " (redirected from " + v.RedirectSourceURL + ")"
	}
	r.Add(model.KindURL, v.URL, "url")
	r.Stamp(v.VisitTime, "safari_visit")
	return r
}

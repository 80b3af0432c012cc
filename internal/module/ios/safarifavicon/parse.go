package safarifavicon

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
)

const maxRows = 1_000_000

// Favicon is one page-icon pair, valid or rejected.
type Favicon struct {
	DB      string    `json:"db"`
	URL     string    `json:"url"`
	IconURL string    `json:"icon_url"`
	Time    time.Time `json:"time,omitzero"`
	Type    string    `json:"type"` // "valid" or "rejected"
}

func readDB(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	name := db.Name
	if _, err := sqlitex.Need(ctx, db, "page_url", "uuid", "url"); err != nil {
		return err
	}
	if _, err := sqlitex.Need(ctx, db, "icon_info", "uuid", "url", "timestamp"); err != nil {
		return err
	}
	// page_url is read into a map and joined to icon_info here, in Go, by
	// uuid: SQLite never joins (a crafted Favicons.db without indexes, or
	// with lying statistics, makes the join quadratic).
	pages, err := sqlitex.Group(ctx, db, "SELECT "+sqlitex.Col("", "uuid")+" AS k, "+sqlitex.Col("", "url")+" AS url FROM page_url", func(r sqlitex.Row) (string, any, bool) {
		return r.Text("k"), r.Get("url"), r.Get("k") != nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	emit := func(typ string, u, icon, ts any) {
		f := Favicon{DB: name, URL: sqlitex.Text(u), IconURL: sqlitex.Text(icon), Type: typ}
		var terr error
		f.Time, terr = sqlitex.AppleTimeChecked(ts)
		r := &model.Record{Source: name, Data: &f, Summary: fmt.Sprintf("Safari favicon from %s with icon URL %s (%s)", f.URL, f.IconURL, f.Type)}
		r.Add(model.KindURL, f.URL, "url")
		r.Add(model.KindURL, f.IconURL, "icon_url")
		r.StampChecked(f.Time, terr, "safari_favicon")
		env.Emit(r)
	}
	emitted := 0
	err = sqlitex.Each(ctx, db, "SELECT "+sqlitex.Col("", "uuid")+" AS k, "+sqlitex.Col("", "url")+" AS icon, timestamp FROM icon_info ORDER BY timestamp", func(r sqlitex.Row) error {
		k := r.Get("k")
		if k == nil {
			return nil
		}
		for _, u := range pages[sqlitex.Text(k)] {
			if emitted >= maxRows {
				return nil
			}
			emitted++
			emit("valid", u, r.Get("icon"), r.Get("timestamp"))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if tables["rejected_resources"] {
		q := fmt.Sprintf("SELECT %s AS u, %s AS icon, timestamp FROM rejected_resources ORDER BY timestamp LIMIT %d", sqlitex.Col("", "page_url"), sqlitex.Col("", "icon_url"), maxRows)
		err = sqlitex.Each(ctx, db, q, func(r sqlitex.Row) error {
			emit("rejected", r.Get("u"), r.Get("icon"), r.Get("timestamp"))
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

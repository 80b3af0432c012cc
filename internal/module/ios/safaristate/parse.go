package safaristate

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Tab is one open Safari tab.
type Tab struct {
	DB         string         `json:"db"`
	ID         int64          `json:"id"`
	UUID       string         `json:"uuid,omitempty"`
	Title      string         `json:"title,omitempty"`
	URL        string         `json:"url,omitempty"`
	VisibleURL string         `json:"visible_url,omitempty"`
	LastViewed time.Time      `json:"last_viewed,omitzero"`
	Private    bool           `json:"private,omitempty"`
	Session    []SessionEntry `json:"session,omitempty"`

	viewedErr error // last_viewed_time is no plausible date: the record keeps it as stored
}

func parseDB(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	name := db.Name
	tabs, err := sqlitex.Need(ctx, db, "tabs", "id", "url")
	if err != nil {
		return err
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	col := func(c string) string { return sqlitex.Pick(tabs, "t", c) }
	// tab_sessions appeared in iOS 12; older databases list tabs only. The
	// two tables are joined here, in Go, by the tab's uuid (SQLite never
	// joins: see sqlitex.Index); each session blob is read by rowid when its
	// tab is, so they are never all held at once.
	var sessions map[string][]int64
	if tables["tab_sessions"] && tabs["uuid"] {
		sc, err := db.Columns(ctx, "tab_sessions")
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if sc["tab_uuid"] && sc["session_data"] {
			sessions, err = sqlitex.Group(ctx, db, "SELECT "+sqlitex.Col("", "tab_uuid")+" AS u, rowid AS r FROM tab_sessions", func(r sqlitex.Row) (string, int64, bool) {
				return r.Text("u"), r.Int("r"), r.Get("u") != nil
			})
			if err != nil {
				return fmt.Errorf("%s: reading tab sessions: %w", name, err)
			}
		}
	}
	q := fmt.Sprintf("SELECT t.id AS id, %s AS uuid, %s AS title, %s AS url, %s AS visible, %s AS viewed, %s AS private FROM tabs t ORDER BY t.id",
		col("uuid"), col("title"), col("url"), col("user_visible_url"), col("last_viewed_time"), col("private_browsing"))
	err = sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		uuid := row.Get("uuid")
		t := Tab{DB: name, ID: row.Int("id"), UUID: sqlitex.Text(uuid), Title: row.Text("title"), URL: row.Text("url"),
			VisibleURL: row.Text("visible"), Private: row.Int("private") != 0}
		t.LastViewed, t.viewedErr = sqlitex.AppleTimeChecked(row.Get("viewed"))
		var rowids []int64
		if uuid != nil {
			rowids = sessions[t.UUID]
		}
		if len(rowids) == 0 {
			env.Emit(record(&t))
			return nil
		}
		// One record per session row, as the outer join this replaces gave.
		for _, rid := range rowids {
			tt := t
			b, err := sqlitex.BlobAt(ctx, db, "tab_sessions", "session_data", maxSessionBlob, rid)
			if err != nil {
				return err
			}
			if len(b) > 0 {
				if tt.Session, err = DecodeSession(b); err != nil {
					env.Warn("%s: tab %d: %v", name, t.ID, err)
				}
			}
			env.Emit(record(&tt))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading tabs: %w", name, err)
	}
	return nil
}

func record(t *Tab) *model.Record {
	r := &model.Record{Source: t.DB, Data: t, Summary: fmt.Sprintf("Safari tab %q - %s", t.Title, t.URL)}
	if len(t.Session) > 0 {
		r.Summary += fmt.Sprintf(" (%d pages in its history)", len(t.Session))
	}
	r.Add(model.KindURL, t.URL, "url")
	if t.VisibleURL != t.URL {
		r.Add(model.KindURL, t.VisibleURL, "visible_url")
	}
	seen := map[string]bool{t.URL: true, t.VisibleURL: true}
	for _, e := range t.Session {
		for _, u := range []string{e.URL, e.OriginalURL} {
			if !seen[u] {
				seen[u] = true
				r.Add(model.KindURL, u, "session")
			}
		}
	}
	r.StampChecked(t.LastViewed, t.viewedErr, "tab_last_viewed")
	return r
}

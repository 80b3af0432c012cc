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
}

func parseDB(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	tabs, err := db.Columns(ctx, "tabs")
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !tabs["id"] || !tabs["url"] {
		return fmt.Errorf("%s: unknown schema: no tabs(id, url) table", name)
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	col := func(c string) string {
		if tabs[c] {
			return "t." + c
		}
		return "NULL"
	}
	// tab_sessions appeared in iOS 12; older databases list tabs only.
	q := fmt.Sprintf("SELECT t.id, %s, %s, t.url, %s, %s, %s, NULL FROM tabs t ORDER BY t.id",
		col("uuid"), col("title"), col("user_visible_url"), col("last_viewed_time"), col("private_browsing"))
	if tables["tab_sessions"] && tabs["uuid"] {
		q = fmt.Sprintf("SELECT t.id, t.uuid, %s, t.url, %s, %s, %s, s.session_data FROM tabs t LEFT JOIN tab_sessions s ON s.tab_uuid = t.uuid ORDER BY t.id",
			col("title"), col("user_visible_url"), col("last_viewed_time"), col("private_browsing"))
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading tabs: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var uuid, title, url, visible, viewed, private, session any
		if err := rows.Scan(&id, &uuid, &title, &url, &visible, &viewed, &private, &session); err != nil {
			return fmt.Errorf("%s: reading tabs: %w", name, err)
		}
		t := Tab{DB: name, ID: id, UUID: sqlitex.AnyString(uuid), Title: sqlitex.AnyString(title), URL: sqlitex.AnyString(url),
			VisibleURL: sqlitex.AnyString(visible), LastViewed: sqlitex.AppleTime(sqlitex.AnyFloat(viewed)), Private: sqlitex.AnyInt(private) != 0}
		if b, ok := session.([]byte); ok && len(b) > 0 {
			if t.Session, err = DecodeSession(b); err != nil {
				env.Warn("%s: tab %d: %v", name, id, err)
			}
		}
		env.Emit(record(&t))
	}
	if err := rows.Err(); err != nil {
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
	r.Stamp(t.LastViewed, "tab_last_viewed")
	return r
}

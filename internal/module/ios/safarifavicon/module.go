// Package safarifavicon is the ios.safari_favicon module: Safari's favicon
// cache. It keeps pages the user loaded long after History.db was cleared.
package safarifavicon

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"private/var/mobile/Library/Image Cache/Favicons/Favicons.db",
	"private/var/mobile/Containers/Data/Application/*/Library/Image Cache/Favicons/Favicons.db",
}

const maxRows = 1_000_000

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.safari_favicon" }
func (Module) Description() string {
	return "Safari favicon cache (Favicons.db): pages and icon URLs loaded, including rejected icons."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSFS} }

// Favicon is one page-icon pair, valid or rejected.
type Favicon struct {
	DB      string    `json:"db"`
	URL     string    `json:"url"`
	IconURL string    `json:"icon_url"`
	Time    time.Time `json:"time,omitzero"`
	Type    string    `json:"type"` // "valid" or "rejected"
}

func (Module) Run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "Favicons.db", Paths, readDB)
}

func readDB(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := iosdb.Need(ctx, db, "page_url", "uuid", "url"); err != nil {
		return err
	}
	if _, err := iosdb.Need(ctx, db, "icon_info", "uuid", "url", "timestamp"); err != nil {
		return err
	}
	queries := []struct{ typ, q string }{
		{"valid", "SELECT page_url.url, icon_info.url, icon_info.timestamp FROM page_url JOIN icon_info ON page_url.uuid = icon_info.uuid ORDER BY icon_info.timestamp"},
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if tables["rejected_resources"] {
		queries = append(queries, struct{ typ, q string }{"rejected", "SELECT page_url, icon_url, timestamp FROM rejected_resources ORDER BY timestamp"})
	}
	for _, qq := range queries {
		rows, err := db.QueryContext(ctx, qq.q+fmt.Sprintf(" LIMIT %d", maxRows))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for rows.Next() {
			var u, icon, ts any
			if err := rows.Scan(&u, &icon, &ts); err != nil {
				rows.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
			f := Favicon{DB: name, URL: iosdb.Str(u), IconURL: iosdb.Str(icon), Type: qq.typ}
			var terr error
			f.Time, terr = iosdb.AppleTimeChecked(ts)
			r := &model.Record{Source: name, Data: &f, Summary: fmt.Sprintf("Safari favicon from %s with icon URL %s (%s)", f.URL, f.IconURL, f.Type)}
			r.Add(model.KindURL, f.URL, "url")
			r.Add(model.KindURL, f.IconURL, "icon_url")
			r.StampChecked(f.Time, terr, "safari_favicon")
			env.Emit(r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

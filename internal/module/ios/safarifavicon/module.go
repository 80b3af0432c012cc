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

// Def is the ios.safari_favicon module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.safari_favicon",
		Description: "Safari favicon cache (Favicons.db): pages and icon URLs loaded, including rejected icons.",
		Kinds:       []source.Kind{source.IOSFS},
		Paths:       Paths,
		Run:         run,
	}
}

// Favicon is one page-icon pair, valid or rejected.
type Favicon struct {
	DB      string    `json:"db"`
	URL     string    `json:"url"`
	IconURL string    `json:"icon_url"`
	Time    time.Time `json:"time,omitzero"`
	Type    string    `json:"type"` // "valid" or "rejected"
}

func run(ctx context.Context, env *module.Env) error {
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
	// page_url is read into a map and joined to icon_info here, in Go, by
	// uuid: SQLite never joins (a crafted Favicons.db without indexes, or
	// with lying statistics, makes the join quadratic).
	pages := map[string][]any{}
	n := 0
	err = iosdb.Each(ctx, db, "SELECT "+iosdb.Col("", "uuid")+" AS k, "+iosdb.Col("", "url")+" AS url FROM page_url", func(r iosdb.Row) error {
		if k := r.Get("k"); k != nil && n < iosdb.MaxJoinRows {
			n++
			pages[iosdb.Str(k)] = append(pages[iosdb.Str(k)], r.Get("url"))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	emit := func(typ string, u, icon, ts any) {
		f := Favicon{DB: name, URL: iosdb.Str(u), IconURL: iosdb.Str(icon), Type: typ}
		var terr error
		f.Time, terr = iosdb.AppleTimeChecked(ts)
		r := &model.Record{Source: name, Data: &f, Summary: fmt.Sprintf("Safari favicon from %s with icon URL %s (%s)", f.URL, f.IconURL, f.Type)}
		r.Add(model.KindURL, f.URL, "url")
		r.Add(model.KindURL, f.IconURL, "icon_url")
		r.StampChecked(f.Time, terr, "safari_favicon")
		env.Emit(r)
	}
	emitted := 0
	err = iosdb.Each(ctx, db, "SELECT "+iosdb.Col("", "uuid")+" AS k, "+iosdb.Col("", "url")+" AS icon, timestamp FROM icon_info ORDER BY timestamp", func(r iosdb.Row) error {
		k := r.Get("k")
		if k == nil {
			return nil
		}
		for _, u := range pages[iosdb.Str(k)] {
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
		q := fmt.Sprintf("SELECT %s AS u, %s AS icon, timestamp FROM rejected_resources ORDER BY timestamp LIMIT %d", iosdb.Col("", "page_url"), iosdb.Col("", "icon_url"), maxRows)
		err = iosdb.Each(ctx, db, q, func(r iosdb.Row) error {
			emit("rejected", r.Get("u"), r.Get("icon"), r.Get("timestamp"))
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

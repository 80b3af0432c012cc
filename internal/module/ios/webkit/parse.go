package webkit

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/sqlitex"
)

// ObservedDomain is one row of ObservedDomains.
type ObservedDomain struct {
	Store                   string    `json:"store"`
	App                     string    `json:"app,omitempty"`
	DomainID                int64     `json:"domain_id"`
	Domain                  string    `json:"registrable_domain"`
	LastSeen                time.Time `json:"last_seen,omitzero"`
	HadUserInteraction      bool      `json:"had_user_interaction"`
	MostRecentInteraction   time.Time `json:"most_recent_user_interaction,omitzero"`
	MostRecentWebPush       time.Time `json:"most_recent_web_push_interaction,omitzero"`
	RedirectedTo            []string  `json:"redirected_to,omitempty"`
	RedirectedFrom          []string  `json:"redirected_from,omitempty"`
	SubresourceRedirectedTo []string  `json:"subresource_redirected_to,omitempty"`
}

// maxRedirectPairs bounds the redirect maps kept in memory while the domain
// rows stream; observations.db holds a few thousand rows on a real phone.
const maxRedirectPairs = 1_000_000

func parseObservations(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	cols, err := db.Columns(ctx, "ObservedDomains")
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, c := range []string{"domainID", "registrableDomain", "lastSeen", "hadUserInteraction"} {
		if !cols[c] {
			return fmt.Errorf("%s: unknown schema: ObservedDomains has no %s column", name, c)
		}
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	// The domain names are read into a map and the redirect tables joined to
	// it here, in Go: SQLite never joins (a crafted store without indexes,
	// or with lying statistics, makes joins quadratic).
	names, err := iosdb.Index(ctx, db, "SELECT domainID, "+sqlitex.Capped("registrableDomain")+" AS d FROM ObservedDomains", func(r iosdb.Row) (int64, string, bool) {
		return sqlitex.AnyInt(r.Get("domainID")), sqlitex.AnyString(r.Get("d")), r.Get("domainID") != nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading ObservedDomains: %w", name, err)
	}
	to, err := pairs(ctx, db, tables, names, "TopFrameUniqueRedirectsTo", "sourceDomainID", "toDomainID")
	if err != nil {
		return err
	}
	from, err := pairs(ctx, db, tables, names, "TopFrameUniqueRedirectsFrom", "targetDomainID", "fromDomainID")
	if err != nil {
		return err
	}
	sub, err := pairs(ctx, db, tables, names, "SubresourceUniqueRedirectsTo", "subresourceDomainID", "toDomainID")
	if err != nil {
		return err
	}
	opt := func(c string) string {
		if cols[c] {
			return sqlitex.Capped(c)
		}
		return "NULL"
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT domainID, "+sqlitex.Capped("registrableDomain")+", lastSeen, hadUserInteraction, %s, %s FROM ObservedDomains ORDER BY domainID",
		opt("mostRecentUserInteractionTime"), opt("mostRecentWebPushInteractionTime")))
	if err != nil {
		return fmt.Errorf("%s: reading ObservedDomains: %w", name, err)
	}
	defer rows.Close()
	app := appOf(name)
	for rows.Next() {
		var id int64
		var dom, seen, inter, recent, push any
		if err := rows.Scan(&id, &dom, &seen, &inter, &recent, &push); err != nil {
			return fmt.Errorf("%s: reading ObservedDomains: %w", name, err)
		}
		dom = db.Cell(dom, "ObservedDomains.registrableDomain")
		d := ObservedDomain{Store: name, App: app, DomainID: id, Domain: sqlitex.AnyString(dom),
			LastSeen: sqlitex.UnixTime(sqlitex.AnyFloat(seen)), HadUserInteraction: sqlitex.AnyInt(inter) != 0,
			RedirectedTo: to[id], RedirectedFrom: from[id], SubresourceRedirectedTo: sub[id]}
		// -1 means "never"; only real times become dates.
		if v := sqlitex.AnyFloat(recent); v > 0 {
			d.MostRecentInteraction = sqlitex.UnixTime(v)
		}
		if v := sqlitex.AnyFloat(push); v > 0 {
			d.MostRecentWebPush = sqlitex.UnixTime(v)
		}
		env.Emit(observedRecord(&d))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: reading ObservedDomains: %w", name, err)
	}
	return nil
}

// pairs maps a domain id to the names of the domains a redirect table links it
// to. A missing table (older WebKit) is not an error.
func pairs(ctx context.Context, db *sqlitex.DB, tables map[string]bool, names map[int64]string, table, key, other string) (map[int64][]string, error) {
	out := map[int64][]string{}
	if !tables[table] {
		return out, nil
	}
	n := 0
	err := iosdb.Each(ctx, db, fmt.Sprintf(`SELECT %s AS k, %s AS o FROM %s LIMIT %d`, key, other, table, maxRedirectPairs), func(r iosdb.Row) error {
		o := r.Get("o")
		if o == nil || r.Get("k") == nil {
			return nil
		}
		if s, ok := names[sqlitex.AnyInt(o)]; ok && s != "" && n < maxRedirectPairs {
			n++
			id := sqlitex.AnyInt(r.Get("k"))
			out[id] = append(out[id], s)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: reading %s: %w", db.Name, table, err)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out, nil
}

func observedRecord(d *ObservedDomain) *model.Record {
	r := &model.Record{Source: d.Store, Data: d, Summary: "WebKit resource loaded from " + d.Domain}
	if d.App != "" {
		r.Summary += " by app " + d.App
	}
	if len(d.RedirectedTo) > 0 {
		r.Summary += fmt.Sprintf(", redirected to %v", d.RedirectedTo)
	}
	r.Add(model.KindDomain, d.Domain, "registrable_domain")
	r.Stamp(d.LastSeen, "webkit_last_seen")
	r.Stamp(d.MostRecentInteraction, "webkit_user_interaction")
	return r
}

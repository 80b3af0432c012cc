package webkit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
)

// appOf names the app a backup path belongs to ("AppDomain-com.google.chrome.ios/..."
// gives "com.google.chrome.ios"); file-system paths carry only a container UUID.
func appOf(name string) string {
	first, _, _ := strings.Cut(name, "/")
	for _, p := range []string{"AppDomainGroup-", "AppDomainPlugin-", "AppDomain-"} {
		if strings.HasPrefix(first, p) {
			return strings.TrimPrefix(first, p)
		}
	}
	return ""
}

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

	raw model.RawDates // dates that are no plausible date, kept as stored
}

// maxRedirectPairs bounds the redirect maps kept in memory while the domain
// rows stream; observations.db holds a few thousand rows on a real phone.
const maxRedirectPairs = 1_000_000

func parseObservations(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	name := db.Name
	cols, err := sqlitex.Need(ctx, db, "ObservedDomains", "domainID", "registrableDomain", "lastSeen", "hadUserInteraction")
	if err != nil {
		return err
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	// The domain names are read into a map and the redirect tables joined to
	// it here, in Go: SQLite never joins (a crafted store without indexes,
	// or with lying statistics, makes joins quadratic).
	names, err := sqlitex.Index(ctx, db, "SELECT domainID, "+sqlitex.Capped("registrableDomain")+" AS d FROM ObservedDomains", func(r sqlitex.Row) (int64, string, bool) {
		return r.Int("domainID"), r.Text("d"), r.Get("domainID") != nil
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
	q := fmt.Sprintf("SELECT domainID AS id, %s AS d, lastSeen AS seen, hadUserInteraction AS inter, %s AS recent, %s AS push FROM ObservedDomains ORDER BY domainID",
		sqlitex.Col("", "registrableDomain"), sqlitex.Pick(cols, "", "mostRecentUserInteractionTime"), sqlitex.Pick(cols, "", "mostRecentWebPushInteractionTime"))
	app := appOf(name)
	err = sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		id := row.Int("id")
		d := ObservedDomain{Store: name, App: app, DomainID: id, Domain: row.Text("d"),
			HadUserInteraction: row.Int("inter") != 0,
			RedirectedTo:       to[id], RedirectedFrom: from[id], SubresourceRedirectedTo: sub[id]}
		at := func(v any, desc string) time.Time {
			t, err := sqlitex.UnixTimeChecked(v)
			d.raw.Add(desc, err)
			return t
		}
		d.LastSeen = at(row.Get("seen"), "webkit_last_seen")
		// -1 means "never"; only real times become dates.
		if v := row.Float("recent"); v > 0 {
			d.MostRecentInteraction = at(v, "webkit_user_interaction")
		}
		if v := row.Float("push"); v > 0 {
			d.MostRecentWebPush = at(v, "webkit_web_push_interaction")
		}
		env.Emit(observedRecord(&d))
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading ObservedDomains: %w", name, err)
	}
	return nil
}

// pairs maps a domain id to the names of the domains a redirect table links it
// to. A missing table (older WebKit) is not an error.
func pairs(ctx context.Context, db *sqlitex.DB, tables map[string]bool, names map[int64]string, table, key, other string) (map[int64][]string, error) {
	if !tables[table] {
		return map[int64][]string{}, nil
	}
	out, err := sqlitex.Group(ctx, db, fmt.Sprintf(`SELECT %s AS k, %s AS o FROM %s LIMIT %d`, key, other, table, maxRedirectPairs), func(r sqlitex.Row) (int64, string, bool) {
		s, ok := names[r.Int("o")]
		return r.Int("k"), s, ok && s != "" && r.Get("o") != nil && r.Get("k") != nil
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
	r.KeepRaw(d.raw)
	return r
}
